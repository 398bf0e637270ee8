/**
 * Cases 2 and 3: whatever a hostile server echoes (the token, base64 of id:secret at any
 * alignment, a secret cut by our own clipping), nothing a stanza writes carries it, in
 * validation or run mode.
 */
import { base64Cores, makeRedactor } from '../../src/core/log/redact';
import { stanzaRedactor } from '../../src/core/runtime';
import { source as illumio } from '../../src/sources/illumio';
import { auditSource } from '../../src/sources/lacework';
import { source as prisma } from '../../src/sources/prisma';
import { serve, type TestServer } from '../support/serve';
import { run, validate, written } from './support';

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

/** Every piece of `secret` at least 6 characters long, and of its base64 forms. */
function leaks(text: string, secret: string, id?: string): string[] {
  const forms = [secret, ...base64Cores(secret)];
  if (id) forms.push(Buffer.from(`${id}:${secret}`).toString('base64'));
  const found: string[] = [];
  for (const f of forms) {
    for (let i = 0; i + 6 <= f.length; i++) {
      const piece = f.slice(i, i + 6);
      if (text.includes(piece)) { found.push(piece); break; }
    }
  }
  return found;
}

describe('the redactor', () => {
  test('base64 of anything containing the secret is caught at every alignment', () => {
    const secret = 'Zq9-secret-Value-42';
    const r = makeRedactor([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'key_id_1:', 'k:']) {
      const b64 = Buffer.from(`${prefix}${secret}!`).toString('base64');
      expect([prefix, leaks(r(`echo ${b64} end`), secret)]).toEqual([prefix, []]);
    }
  });

  test('the stanza redactor knows the Basic pair of each identity with each secret', () => {
    const r = stanzaRedactor(illumio.description, { api_key_id: 'api_17', api_secret: 'abcd' });
    const basic = Buffer.from('api_17:abcd').toString('base64');
    expect(r(`got ${basic}`)).toBe('got <redacted>');
  });
});

describe('validation mode', () => {
  test('Lacework: a 400 that echoes the token is not shown on the form or logged', async () => {
    const token = 'lw-token-SECRET-0123456789';
    const s = await serve((_req, res) => res.writeHead(400).end(`${'y'.repeat(185)} credential ${token} is not valid; ${Buffer.from(`x${token}`).toString('base64')}`));
    servers.push(s);
    const v = await validate(auditSource, 'lacework_edge_audit://v', { base_url: s.url, api_token: token });
    expect(v.message).toMatch(/400/);
    expect(leaks(`${v.message}\n${written(v.lines)}`, token)).toEqual([]);
  });

  test('Prisma: error_description echoing the client secret is redacted before it is clipped', async () => {
    const secret = 'Qx7vR2-Zk9pL4-wM3nB8-tY6';
    const s = await serve((_req, res) => res.writeHead(401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'invalid_client', error_description: `${'z'.repeat(105)}bad secret ${secret}` })));
    servers.push(s);
    const v = await validate(prisma, 'prisma_saas_log_events://v', { base_url: s.url, client_id: 'cid-1', client_secret: secret });
    expect(v.message).toMatch(/refused client_id/);
    expect(leaks(`${v.message}\n${written(v.lines)}`, secret)).toEqual([]);
  });
});

describe('run mode', () => {
  test('Illumio: base64(key_id:secret) and a secret cut at the clip edge in a 400 body are not logged', async () => {
    const keyId = 'api_1a2b3c';
    const secret = 'Hs4kW9-Pz2mQ7-rV5cX1-jN8';
    for (const pad of [0, 1, 2, 190]) {
      const s = await serve((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify([{
        token: 'invalid_request', message: `${'m'.repeat(pad)}${pad === 190 ? secret : `auth ${Buffer.from(`${'p'.repeat(pad)}${keyId}:${secret}`).toString('base64')}`}`,
      }])));
      servers.push(s);
      const r = await run(illumio, 'illumio_pce_events://r', { pce_url: s.url, org_id: '1', api_key_id: keyId, api_secret: secret, start_date: '-1h' });
      expect(r.summary.status).toBe('failed');
      expect([pad, leaks(written(r.lines), secret, keyId)]).toEqual([pad, []]);
    }
  });
});
