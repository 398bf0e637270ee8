/**
 * Secret references (src/core/secret-ref.ts) through the real store and masker against the
 * splunkd stand-in: validation resolves them read-only, a run takes the secret over, masks
 * inputs.conf and deletes a staged copy; tombstones read as "none" and are swept.
 */
import { MASK, type InputDescription } from '../../src/core/description';
import { ConfigError } from '../../src/core/errors';
import { pendingRealm, refRefusal, secretRef, TOMBSTONE } from '../../src/core/secret-ref';
import { resolveSecrets, splunkdConfMasker, splunkdSecretStore } from '../../src/core/secrets';
import type { Logger } from '../../src/core/types';
import { rejection } from '../support/rejection';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

const desc: InputDescription = {
  scheme: 'demo_events', title: 'Demo', description: 'test input', sourcetype: 'demo:event', defaultInterval: 300,
  args: [
    { name: 'url', title: 'URL', description: 'u', type: 'string', required: true },
    { name: 'api_secret', title: 'API secret', description: 's', type: 'string', required: true, secret: true },
  ],
};
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

let splunkd: SplunkdStandIn;
beforeEach(async () => {
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
});
afterEach(() => splunkd.close());
const conn = () => ({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: splunkd.app });
const deps = (readOnly = false) => ({ store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log: quiet, readOnly });

test('only staged realms and other inputs of the same scheme may be referred to', () => {
  expect(refRefusal('demo_events', 'demo_events://b', pendingRealm(1, 'abc123'))).toBeUndefined();
  expect(refRefusal('demo_events', 'demo_events://b', 'demo_events://a')).toBeUndefined();
  expect(refRefusal('demo_events', 'demo_events://b', 'demo_events://b')).toMatch(/its own secret/);
  expect(refRefusal('demo_events', 'demo_events://b', 'ta_zerotrust_events_settings://proxy')).toMatch(/not one of ta_zerotrust_events_settings:\/\/proxy/);
  expect(refRefusal('demo_events', 'demo_events://b', 'other_events://a')).toBeDefined();
  expect(refRefusal('demo_events', 'demo_events://b', 'ta_zerotrust_events_pending://../x')).toBeDefined();
});

test('a staged secret: validation reads it and writes nothing; the run takes it over, masks, deletes the staged copy', async () => {
  const stanza = 'demo_events://prod';
  const staged = pendingRealm(Date.now(), 'k2j4h5');
  splunkd.setPassword(staged, 'api_secret', 'typed-Secret');
  splunkd.setConf('inputs', stanza, { url: 'https://x', api_secret: secretRef(staged) });
  const before = JSON.stringify(splunkd.passwords());

  const validated = await resolveSecrets(desc, stanza, { url: 'https://x', api_secret: secretRef(staged) }, deps(true));
  expect(validated.api_secret).toBe('typed-Secret');
  expect(JSON.stringify(splunkd.passwords())).toBe(before);
  expect(splunkd.requests.filter((r) => r.method !== 'GET')).toEqual([]);

  const run = await resolveSecrets(desc, stanza, { url: 'https://x', api_secret: secretRef(staged) }, deps());
  expect(run.api_secret).toBe('typed-Secret');
  expect(splunkd.passwords().map((p) => [p.realm, p.password])).toEqual([[stanza, 'typed-Secret']]);
  expect(splunkd.conf('inputs', stanza)!.api_secret).toBe(MASK);
});

test('a clone refers to its source: copied, the source keeps its own', async () => {
  splunkd.setPassword('demo_events://prod', 'api_secret', 'src-Secret');
  splunkd.setConf('inputs', 'demo_events://dr', { url: 'https://x', api_secret: secretRef('demo_events://prod') });
  const out = await resolveSecrets(desc, 'demo_events://dr', { url: 'https://x', api_secret: secretRef('demo_events://prod') }, deps());
  expect(out.api_secret).toBe('src-Secret');
  expect(splunkd.getPassword('demo_events://prod', 'api_secret')).toBe('src-Secret');
  expect(splunkd.getPassword('demo_events://dr', 'api_secret')).toBe('src-Secret');
  expect(splunkd.conf('inputs', 'demo_events://dr')!.api_secret).toBe(MASK);
});

test('a reference to a missing or forbidden realm is a ConfigError naming the field; nothing is written', async () => {
  splunkd.setPassword('ta_zerotrust_events_settings://proxy', 'api_secret', 'proxy-pass');
  const forbidden = await rejection(resolveSecrets(desc, 'demo_events://a', { api_secret: secretRef('ta_zerotrust_events_settings://proxy') }, deps()));
  expect(forbidden).toBeInstanceOf(ConfigError);
  expect((forbidden as ConfigError).field).toBe('api_secret');
  expect(forbidden.message).not.toContain('proxy-pass');
  const missing = await rejection(resolveSecrets(desc, 'demo_events://a', { api_secret: secretRef('demo_events://gone') }, deps()));
  expect(missing.message).toMatch(/realm "demo_events:\/\/gone" of storage\/passwords, which has no secret .*Re-enter the API secret/);
  expect(splunkd.passwords()).toHaveLength(1);
});

test('a tombstone reads as no secret and is swept by the next listing', async () => {
  splunkd.setPassword('demo_events://old', 'api_secret', TOMBSTONE);
  splunkd.setPassword('demo_events://prod', 'api_secret', 'live');
  const store = splunkdSecretStore(conn());
  expect(await store.get('demo_events://old', 'api_secret')).toBeUndefined();
  expect(splunkd.passwords().map((p) => p.realm)).toEqual(['demo_events://prod']);
  expect(await store.get('demo_events://prod', 'api_secret')).toBe('live');
});
