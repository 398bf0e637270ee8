/** The splunkd stand-in's parts the configuration page relies on: validation, enable/disable, 403. */
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

let splunkd: SplunkdStandIn;
afterEach(() => splunkd?.close());

async function call(method: string, path: string, body?: Record<string, string>, key = splunkd.sessionKey) {
  const res = await fetch(`${splunkd.url}${path}?output_mode=json`, {
    method,
    headers: { Authorization: `Splunk ${key}`, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: new URLSearchParams(body).toString() } : {}),
  });
  return { status: res.status, json: await res.json() as { messages?: { text: string }[] } };
}

test('create and edit of data/inputs/<scheme> go through the validator with the stanza as it would be saved', async () => {
  const seen: [string, string, Record<string, string>][] = [];
  splunkd = await startSplunkd({
    validate: async (scheme, name, params) => {
      seen.push([scheme, name, params]);
      return params.org_id === '0' ? `${scheme}://${name}: "org_id" must be at least 1, got 0.` : undefined;
    },
  });
  const base = '/servicesNS/nobody/TA-zerotrust-events/data/inputs/illumio_pce_events';
  const refused = await call('POST', base, { name: 'prod', org_id: '0', api_secret: '********' });
  expect(refused.status).toBe(400);
  expect(refused.json.messages![0].text).toBe('Argument validation for scheme=illumio_pce_events: illumio_pce_events://prod: "org_id" must be at least 1, got 0.');
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')).toBeUndefined();

  expect((await call('POST', base, { name: 'prod', org_id: '7', pce_url: 'https://pce' })).status).toBe(200);
  expect((await call('POST', `${base}/prod`, { org_id: '0' })).status).toBe(400);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.org_id).toBe('7');
  expect(seen.map(([, n, p]) => [n, p])).toEqual([
    ['prod', { org_id: '0', api_secret: '********' }],
    ['prod', { org_id: '7', pce_url: 'https://pce' }],
    ['prod', { org_id: '0', pce_url: 'https://pce' }],
  ]);

  // enable/disable flip `disabled` without a validation run.
  expect((await call('POST', `${base}/prod/disable`, {})).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.disabled).toBe('1');
  expect((await call('POST', `${base}/prod/enable`, {})).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.disabled).toBe('0');
  expect(seen).toHaveLength(3);
});

test('a session without admin rights reads inputs but may not write or read secrets', async () => {
  splunkd = await startSplunkd();
  splunkd.setConf('inputs', 'illumio_pce_events://prod', { org_id: '1' });
  const analyst = splunkd.addSession('analyst', ['list_inputs']);
  expect((await call('GET', '/servicesNS/-/-/data/inputs/illumio_pce_events', undefined, analyst)).status).toBe(200);
  const write = await call('POST', '/servicesNS/nobody/TA-zerotrust-events/data/inputs/illumio_pce_events/prod', { org_id: '2' }, analyst);
  expect(write.status).toBe(403);
  expect(write.json.messages![0].text).toBe('You (user=analyst) do not have permission to perform this operation (requires capability: admin_all_objects).');
  const secrets = await call('GET', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords', undefined, analyst);
  expect(secrets.json.messages![0].text).toContain('requires capability: list_storage_passwords');
  const reader = splunkd.addSession('auditor', ['list_storage_passwords']);
  expect((await call('GET', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords', undefined, reader)).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.org_id).toBe('1');
});
