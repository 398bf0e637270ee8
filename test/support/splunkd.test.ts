/** The stand-in answers like splunkd where our code and splunk-sdk depend on it. */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { MASK } from '../../src/core/description';
import { passwordEntityName, startSplunkd, type SplunkdStandIn } from './splunkd';
import { makeTestPki } from './tls';

let splunkd: SplunkdStandIn;
afterEach(() => splunkd?.close());

async function call(method: string, path: string, body?: Record<string, string>, sessionKey = splunkd.sessionKey) {
  const res = await fetch(`${splunkd.url}${path}`, {
    method,
    headers: { Authorization: `Splunk ${sessionKey}`, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: new URLSearchParams(body).toString() } : {}),
  });
  return { status: res.status, text: await res.text() };
}

test('storage/passwords entity names escape colons; JSON and Atom listings', async () => {
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  expect(passwordEntityName('illumio_pce_events://prod', 'api_secret')).toBe('illumio_pce_events\\://prod:api_secret:');
  const created = await call('POST', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords?output_mode=json',
    { name: 'api_secret', realm: 'illumio_pce_events://prod', password: 's3cr3t' });
  expect(created.status).toBe(200);
  const entry = JSON.parse(created.text).entry[0];
  expect(entry).toMatchObject({ name: 'illumio_pce_events\\://prod:api_secret:', acl: { app: 'TA-zerotrust-events', owner: 'nobody', sharing: 'app' },
    // splunkd masks clear_password in the answer to a POST (since 8.0); a GET carries it.
    content: { clear_password: '********', realm: 'illumio_pce_events://prod', username: 'api_secret', password: '********' } });
  expect((await call('POST', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords?output_mode=json',
    { name: 'api_secret', realm: 'illumio_pce_events://prod', password: 'x' })).status).toBe(409);
  const atom = await call('GET', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords');
  expect(atom.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
  expect(atom.text).toContain('<title>illumio_pce_events\\://prod:api_secret:</title>');
  expect(atom.text).toContain('<s:key name="realm">illumio_pce_events://prod</s:key>');
  const one = await call('GET', `/servicesNS/nobody/TA-zerotrust-events/storage/passwords/${encodeURIComponent('illumio_pce_events\\://prod:api_secret:')}?output_mode=json`);
  expect(one.status).toBe(200);
  expect(JSON.parse(one.text).entry[0].content.clear_password).toBe('s3cr3t');
  expect((await call('GET', '/services/storage/passwords', undefined, 'wrong')).status).toBe(401);
});

test('data/inputs/<scheme>/<name> and configs/conf-inputs/<stanza> share one inputs.conf model', async () => {
  splunkd = await startSplunkd();
  splunkd.setConf('inputs', 'lacework_edge_audit://eu', { api_token: 'clear', interval: '300' });
  const viaInputs = JSON.parse((await call('GET', '/servicesNS/nobody/TA-zerotrust-events/data/inputs/lacework_edge_audit/eu?output_mode=json')).text);
  expect(viaInputs.entry[0]).toMatchObject({ name: 'eu', content: { api_token: 'clear', interval: '300' } });
  const posted = await call('POST', `/servicesNS/nobody/TA-zerotrust-events/configs/conf-inputs/${encodeURIComponent('lacework_edge_audit://eu')}?output_mode=json`, { api_token: MASK });
  expect(posted.status).toBe(200);
  expect(splunkd.conf('inputs', 'lacework_edge_audit://eu')).toEqual({ api_token: MASK, interval: '300' });
  const list = JSON.parse((await call('GET', '/servicesNS/-/-/data/inputs/lacework_edge_audit?output_mode=json')).text);
  expect(list.entry.map((e: { name: string }) => e.name)).toEqual(['eu']);
  expect((await call('GET', '/servicesNS/nobody/TA-zerotrust-events/configs/conf-inputs/nope')).status).toBe(404);
});

test('serves HTTPS with a generated certificate', async () => {
  const pki = makeTestPki();
  try {
    splunkd = await startSplunkd({ tls: pki.server });
    expect(splunkd.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      https.get(`${splunkd.url}/services/storage/passwords?output_mode=json`, { ca: fs.readFileSync(pki.caCert),
        headers: { Authorization: `Splunk ${splunkd.sessionKey}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  } finally {
    pki.cleanup();
  }
});
