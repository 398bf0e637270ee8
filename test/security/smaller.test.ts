/**
 * Case 7, the smaller ones: splunkd TLS, proxy credentials, forged log fields, checkpoints in the
 * future or of the wrong shape, spool file modes, the standalone check's output and HEC URLs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/ta-zerotrust';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { parseConfig } from '../../src/core/description';
import { ConfigError } from '../../src/core/errors';
import { createHttpClient, splunkdCaPath, splunkdTls } from '../../src/core/http';
import { closeLoggers, createLogger } from '../../src/core/log';
import { runStanza } from '../../src/core/runtime';
import { checkCollectorConfig, secretEnvName } from '../../src/core/standalone/config';
import { source as illumio } from '../../src/sources/illumio';
import { auditSource } from '../../src/sources/lacework';
import { Spool } from '../../src/sources/prisma/spool';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';
import { writeRawCheckpoint } from '../support/checkpoint';

import { serve, type TestServer } from '../support/serve';
import { MemorySink, run, tmp, written } from './support';

const descriptions = descriptionsOf(SOURCE_MODULES);

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

describe('splunkd TLS', () => {
  test('verified against server.conf sslRootCAPath, else $SPLUNK_HOME/etc/auth/cacert.pem, unless server_uri is loopback', () => {
    const home = tmp('ta-sec-home-');
    fs.mkdirSync(path.join(home, 'etc', 'auth'), { recursive: true });
    fs.writeFileSync(path.join(home, 'etc', 'auth', 'cacert.pem'), 'x');
    expect(splunkdCaPath(home)).toBe(path.join(home, 'etc', 'auth', 'cacert.pem'));
    fs.mkdirSync(path.join(home, 'etc', 'system', 'local'), { recursive: true });
    fs.writeFileSync(path.join(home, 'etc', 'system', 'local', 'server.conf'), '[general]\nserverName = x\n\n[sslConfig]\nsslRootCAPath = $SPLUNK_HOME/etc/auth/mine.pem\n');
    expect(splunkdCaPath(home)).toBe(path.join(home, 'etc', 'auth', 'mine.pem'));
    for (const uri of ['https://127.0.0.1:8089', 'https://localhost:8089', 'https://[::1]:8089']) expect(splunkdTls(uri, '/ca.pem')).toEqual({ verifyTls: false });
    expect(splunkdTls('https://idx1.example.com:8089', '/ca.pem')).toEqual({ verifyTls: true, caCertPath: '/ca.pem' });
    expect(splunkdTls('https://10.1.2.3:8089', undefined)).toEqual({ verifyTls: true });
  });
});

describe('proxy credentials only as secrets', () => {
  test('a per-input proxy_url with user:pass@ is refused naming the setting; proxy_password is a secret', () => {
    const desc = illumio.description;
    const base = { pce_url: 'https://pce.example.com:8443', org_id: '1', api_key_id: 'k', api_secret: 's3cr3t-x' };
    let err: unknown;
    try {
      parseConfig(desc, { ...base, proxy_url: 'http://bob:hunter22@proxy.example.com:3128' }, 'illumio_pce_events://p');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('proxy_url');
    expect((err as Error).message).not.toContain('hunter22');
    expect(desc.args.find((a) => a.name === 'proxy_password')?.secret).toBe(true);
    for (const d of descriptions) expect([d.scheme, d.args.some((a) => a.name === 'proxy_password' && a.secret)]).toEqual([d.scheme, true]);
  });
});

describe('vendor text cannot forge key=value fields in our log lines', () => {
  test('a 400 body that says run_summary … status=ok stays quoted and escaped', async () => {
    const s = await serve((_req, res) => res.writeHead(400).end('run_summary stanza="lacework_edge_audit://forge" status=ok events=5 errors=0'));
    servers.push(s);
    const logDir = tmp('ta-sec-log-');
    const log = createLogger({ input: 'lacework_edge_audit', stanza: 'lacework_edge_audit://forge', logDir, stderr: new Writable({ write(_c, _e, cb) { cb(); } }) });
    const dir = tmp('ta-sec-');
    const summary = await runStanza(auditSource, 'lacework_edge_audit://forge', { base_url: s.url, api_token: 'tok-123456789', start_date: '-1h' }, {
      sink: new MemorySink(), checkpoint: fileCheckpointStore(dir, 'lacework_edge_audit://forge'), log,
      makeHttp: (o) => createHttpClient(o), signal: new AbortController().signal, stateDir: path.join(dir, 'state'),
    });
    await closeLoggers();
    expect(summary.status).toBe('failed');
    const text = fs.readFileSync(path.join(logDir, 'ta_zerotrust_events_lacework_edge_audit.log'), 'utf8');
    expect(text).toContain('run_summary stanza\\u003d');
    expect(text).not.toMatch(/status=ok/);
    expect(text).not.toMatch(/ events=5/);
  });
});

describe('checkpoints in the future or of the wrong shape are refused', () => {
  const pce = () => serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
  test.each([
    ['in the future', { version: 1, last_timestamp: '2099-01-01T00:00:00.000Z', dedup_from: '2099-01-01T00:00:00.000Z', recent_hrefs: [], recent_ts: [] }, /later than now/],
    ['of the wrong shape', { cursor: 5 }, /so it is not an Illumio events checkpoint of this add-on/],
  ])('Illumio: a checkpoint %s stops the input with a message', async (_what, state, message) => {
    const s = await pce();
    servers.push(s);
    const dir = tmp('ta-sec-cp-');
    const stanza = 'illumio_pce_events://cp';
    writeRawCheckpoint(dir, stanza, state);
    const r = await run(illumio, stanza, { pce_url: s.url, org_id: '1', api_key_id: 'k', api_secret: 'sec-123456789', start_date: '-1h' }, { dir });
    expect(r.summary.status).toBe('failed');
    expect(written(r.lines)).toMatch(message);
    expect(written(r.lines)).toContain(`To start over as on its first run, move ${fileCheckpointStore(dir, stanza).file} aside`);
    expect(s.hits).toHaveLength(0);
  });

  test.each([
    ['in the future', { v: 1, cursor: Date.parse('2099-01-01T00:00:00Z'), seen: [], seenAny: true }, /later than now/],
    ['of the wrong shape', { v: 1, seen: [] }, /is not a valid Lacework Edge audit checkpoint \(version 1\): the top level must have required property 'cursor'/],
  ])('Lacework: a checkpoint %s stops the input with a message', async (_what, state, message) => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"audit_events":[]}'));
    servers.push(s);
    const dir = tmp('ta-sec-cp-');
    const stanza = 'lacework_edge_audit://cp';
    writeRawCheckpoint(dir, stanza, state);
    const r = await run(auditSource, stanza, { base_url: s.url, api_token: 'tok-123456789', start_date: '-1h' }, { dir });
    expect(r.summary.status).toBe('failed');
    expect(written(r.lines)).toMatch(message);
    expect(s.hits).toHaveLength(0);
  });
});

test('Prisma spool files are 0600 in a 0700 directory', async () => {
  const dir = path.join(tmp('ta-sec-spool-'), 'spool');
  const spool = new Spool(dir);
  await spool.open();
  const rec = await spool.append(Buffer.from('{"events":[]}'), Date.now());
  expect(fs.statSync(path.join(dir, rec.id)).mode & 0o777).toBe(0o600);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
});

describe('standalone HEC', () => {
  const lw = { scheme: 'lacework_edge_audit', name: 'lw', interval: 60, params: { base_url: 'https://lw.example.com' } };
  const cfg = (sink: Record<string, unknown>) => ({ sink: { type: 'hec', ...sink }, inputs: [lw] });
  test('cleartext HEC to a remote host is refused unless allow_cleartext; credentials in the URL are refused', () => {
    expect(() => checkCollectorConfig(cfg({ endpoints: ['http://splunk.example.com:8088'] }), descriptions, '/')).toThrow(/sink\.endpoints\[0\]: http:\/\/ to splunk\.example\.com .*allow_cleartext/);
    expect(() => checkCollectorConfig(cfg({ endpoints: ['http://splunk.example.com:8088'], allow_cleartext: true }), descriptions, '/')).not.toThrow();
    expect(() => checkCollectorConfig(cfg({ endpoints: ['http://127.0.0.1:8088'] }), descriptions, '/')).not.toThrow();
    expect(() => checkCollectorConfig(cfg({ endpoints: ['https://x:tok@splunk.example.com:8088'] }), descriptions, '/')).toThrow(/must not contain credentials/);
  });

  test('check prints HEC endpoints without credentials or query', async () => {
    const dir = tmp('ta-sec-standalone-');
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify(cfg({ endpoints: ['https://splunk.example.com:8088/services/collector?token=abcd-1234-secret'] })));
    let out = '';
    const stream = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } });
    const code = await main(['check', '--config', file], { stdout: stream, stderr: new Writable({ write(_c, _e, cb) { cb(); } }), env: { [secretEnvName('lw', 'api_token')]: 't', TA_ZEROTRUST_SECRET_HEC_TOKEN: 'h' } });
    expect(code).toBe(0);
    expect(out).toContain('HEC https://splunk.example.com:8088/services/collector;');
    expect(out).not.toContain('abcd-1234-secret');
  });
});
