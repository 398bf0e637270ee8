/**
 * Splunk Web's [expose:] rule (src/build/lint/expose.ts) on Splunk's shipped web.conf stanzas
 * (src/facts) and the app's default/web.conf: what a real Splunk Web passes to splunkd.
 */
import { compileExpose, exposedBy } from '../../src/build/lint/expose';
import { ACCOUNTS_CONF, accountStanza } from '../../src/core/account';
import { isWebExposed } from '../../src/facts';
import { DESCRIPTIONS } from '../../src/ui/configuration';
import { exposeRules } from './harness';

const all = compileExpose(exposeRules());
const shippedOnly = compileExpose(exposeRules().filter((r) => !r.name.startsWith('expose:ta_zerotrust_events_')));
const NS = 'servicesNS/nobody/TA-zerotrust-events';

test("Splunk's own web.conf does not expose a modular input's data/inputs/<scheme>: the app's web.conf must", () => {
  for (const d of DESCRIPTIONS) {
    expect(exposedBy(shippedOnly, 'GET', `servicesNS/-/-/data/inputs/${d.scheme}`)).toBeUndefined();
    expect(exposedBy(shippedOnly, 'POST', `${NS}/data/inputs/${d.scheme}/prod/disable`)).toBeUndefined();
  }
  // What Splunk does expose, for comparison: data/inputs itself (GET only) and its own input types.
  expect(exposedBy(shippedOnly, 'GET', 'services/data/inputs')?.name).toBe('expose:data_inputs');
  expect(exposedBy(shippedOnly, 'POST', 'services/data/inputs')).toBeUndefined();
  expect(exposedBy(shippedOnly, 'POST', `${NS}/data/inputs/monitor`)).toBeDefined();
});

test('with the app installed, every call the page makes is exposed with its method, and nothing more', () => {
  for (const d of DESCRIPTIONS) {
    const base = `${NS}/data/inputs/${d.scheme}`;
    expect(exposedBy(all, 'GET', `servicesNS/-/-/data/inputs/${d.scheme}`)).toBeDefined();
    expect(exposedBy(all, 'POST', base)).toBeDefined();
    for (const m of ['GET', 'POST', 'DELETE']) expect(exposedBy(all, m, `${base}/prod-1.a%40b`)).toBeDefined();
    expect(exposedBy(all, 'POST', `${base}/prod/enable`)).toBeDefined();
    expect(exposedBy(all, 'POST', `${base}/prod/disable`)).toBeDefined();
    // Methods are the ones listed, nothing else; one element per `*`.
    expect(exposedBy(all, 'DELETE', base)).toBeUndefined();
    expect(exposedBy(all, 'GET', `${base}/prod/enable`)).toBeUndefined();
    expect(exposedBy(all, 'PUT', `${base}/prod`)).toBeUndefined();
    expect(exposedBy(all, 'GET', `${base}/a/b`)).toBeUndefined();
  }
  // storage/passwords and the settings conf come from Splunk's own stanzas; an encoded
  // `realm:user:` (its `/` as %2F) stays one element.
  const cred = encodeURIComponent('illumio_pce_events://prod:api_secret:');
  for (const m of ['GET', 'POST', 'DELETE']) expect(exposedBy(all, m, `${NS}/storage/passwords/${cred}`)).toBeDefined();
  expect(exposedBy(all, 'POST', `${NS}/storage/passwords`)).toBeDefined();
  expect(exposedBy(all, 'POST', `${NS}/configs/conf-ta_zerotrust_events_settings/proxy`)).toBeDefined();
  expect(exposedBy(all, 'POST', `${NS}/configs/conf-ta_zerotrust_events_settings`)).toBeDefined();
});

test("the Accounts tab's calls are exposed by Splunk's own web.conf: the accounts conf through configs/conf-*, the secrets through storage/passwords", () => {
  // The stanza `illumio_pce://prod` is one element once encoded (`:` and `/` as %3A and %2F).
  const stanza = encodeURIComponent(accountStanza('illumio_pce', 'prod'));
  const conf = `${NS}/configs/conf-${ACCOUNTS_CONF}`;
  for (const rules of [shippedOnly, all]) {
    expect(exposedBy(rules, 'GET', conf)).toBeDefined();
    expect(exposedBy(rules, 'POST', conf)).toBeDefined();
    for (const m of ['GET', 'POST', 'DELETE']) expect(exposedBy(rules, m, `${conf}/${stanza}`)?.name).toBe('expose:configs_conf-VALUE_ELEMENT');
    expect(exposedBy(rules, 'DELETE', conf)).toBeUndefined();
    expect(exposedBy(rules, 'POST', `${NS}/storage/passwords/${encodeURIComponent(`${accountStanza('illumio_pce', 'prod')}:api_secret:`)}`)).toBeDefined();
  }
  // Unencoded, the stanza's `//` would be elements of their own: nothing matches.
  expect(exposedBy(all, 'POST', `${conf}/illumio_pce://prod`)).toBeUndefined();
  expect(isWebExposed(`/${conf}/${stanza}`, 'DELETE')).toBe(true);
});

test('pattern syntax as web.conf.spec gives it: *, prefix*, ** and case', () => {
  const rules = compileExpose([
    { name: 'a', pattern: 'a/*/c' },
    { name: 'b', pattern: 'b/elem-*/x', methods: 'get, post' },
    { name: 'c', pattern: 'c/**/z', methods: 'DELETE' },
    { name: 'd', pattern: 'd/x', methods: 'POST', disabled: 'true' },
  ]);
  expect(exposedBy(rules, 'GET', 'services/a/b/c')?.name).toBe('a');
  expect(exposedBy(rules, 'GET', 'a/1/2/c')).toBeUndefined();
  expect(exposedBy(rules, 'POST', 'a/b/c')).toBeUndefined(); // default methods: GET
  expect(exposedBy(rules, 'POST', 'servicesNS/u/app/b/elem-123/x')?.name).toBe('b');
  expect(exposedBy(rules, 'GET', 'b/other/x')).toBeUndefined();
  expect(exposedBy(rules, 'DELETE', 'c/1/2/3/z')?.name).toBe('c');
  expect(exposedBy(rules, 'GET', 'A/b/c')).toBeUndefined();
  expect(exposedBy(rules, 'POST', 'd/x')).toBeUndefined();
  expect(exposedBy(rules, 'GET', 'x/a/b/c')).toBeUndefined();
});

test("on Splunk's own stanzas this rule and the facts' matcher agree", () => {
  const cred = encodeURIComponent('illumio_pce_events\\://prod:api_secret:');
  const paths = [
    '/services/data/inputs', '/servicesNS/-/-/data/inputs/illumio_pce_events', `/${NS}/storage/passwords/${cred}`, `/${NS}/storage/passwords`,
    `/${NS}/configs/conf-ta_zerotrust_events_settings/proxy`, '/services/server/info', '/services/data/inputs/monitor/x/members', '/services/nope',
  ];
  for (const p of paths) {
    for (const m of ['GET', 'POST', 'DELETE']) expect([p, m, !!exposedBy(shippedOnly, m, p.slice(1))]).toEqual([p, m, isWebExposed(p, m)]);
  }
});
