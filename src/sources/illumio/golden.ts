/**
 * The raw golden inputs of the PCE's sourcetypes (SourceModule.goldenInputs): the seeds'
 * documented examples (samples/), simulator events, and our syslog/CEF/LEEF renderers, with the
 * cases the knowledge must get right. test/golden/build-inputs.ts writes them to test/golden.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flowToCef, toCef, toLeef, toSyslogJson } from './formats';
import { healthEvents } from './health';
import { makeEvent } from './simulator/generate';
import { healthBody, makeEstate, makeFlow } from './simulator/traffic';

/** Raw lines per sourcetype. */
export function illumioGoldenInputs(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const samples = JSON.parse(fs.readFileSync(path.join(__dirname, 'samples', 'events.json'), 'utf8')) as Record<string, unknown>[];
  const types = ['user.sign_in', 'user.sign_out', 'user.login', 'request.authentication_failed', 'rule_set.create', 'sec_rule.delete', 'api_key.create', 'agent.tampering', 'agent.activate', 'agent.deactivate', 'agent.firewall_config', 'ip_list.update', 'workload.update'];
  const sim = Array.from({ length: 16 }, (_, i) => makeEvent({ seed: 11, org: 3, pceFqdn: 'pce.example.net', eventTypes: types, legacyNames: i % 4 === 0 }, i, Date.UTC(2026, 10, 21, 12, 0, i)));
  // One event with resource_changes big enough to overflow CEF cs2 into cs3 (resource_changes_2).
  const big = { ...samples[2], href: '/orgs/1/events/0b1c2d3e-0000-4000-8000-00000000b16e', resource_changes: Array.from({ length: 30 }, (_, i) => ({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource: { ip_list: { href: `/orgs/1/sec_policy/draft/ip_lists/${i}`, name: `corp-range-${i}` } }, changes: { ip_ranges: { before: null, after: [{ from_ip: `10.${i}.0.0/16`, description: 'office = HQ, floor 2' }] } }, change_type: 'create' })) };
  // A refused API call: no action, the client address only in the notification (shape of the
  // seed's system-created examples; request.* events carry their request details in info).
  const refused = {
    href: '/orgs/3/events/7d2c41aa-93f1-4b0e-a1c2-3e4f5a6b7c8d', timestamp: '2026-11-21T12:30:00.125Z', pce_fqdn: 'pce.example.net', created_by: { system: {} },
    event_type: 'request.authentication_failed', status: 'failure', severity: 'err', action: null, resource_changes: [],
    notifications: [{ uuid: '5a6b7c8d-0000-4000-8000-000000000001', notification_type: 'request.authentication_failed', info: { src_ip: '198.51.100.77', api_endpoint: '/api/v2/orgs/3/workloads', api_method: 'GET', supplied_username: 'api_1a2b3c4d' } }],
    version: 2,
  };
  // An API call whose endpoint carries a query string: CEF must escape its `=` (\\=).
  const query = { ...samples[2], href: '/orgs/1/events/3c4d5e6f-0000-4000-8000-00000000a11e', action: { ...(samples[2].action as object), api_endpoint: '/api/v2/orgs/1/sec_policy/draft/rule_sets?max_results=500&name=a=b', api_method: 'GET' } };
  // Every pre-18.2 name at least once (simulator, legacyNames), success and failure.
  const legacy = [0, 1, 2, 3, 4, 5].map((i) => makeEvent({ seed: 23, org: 3, pceFqdn: 'pce.example.net', eventTypes: [['agent.activate', 'agent.deactivate', 'agent.firewall_config'][i % 3]], legacyNames: true }, 100 + i, Date.UTC(2026, 10, 21, 13, 0, i)));
  legacy[3].status = 'failure';
  legacy[3].event_type = 'activation_failure';
  legacy[4].status = 'failure';
  legacy[4].event_type = 'deactivation_failure';
  const illumio = [...samples, ...sim, big, refused, query, ...legacy];

  const flows = [
    { interval_sec: 600, count: 3, tbi: 5120, tbo: 880, un: 'root', src_ip: '10.0.1.15', dst_ip: '10.0.2.20', class: 'U', dir: 'O', time: '2026-11-21T12:10:00.000Z', dbi: 1024, dbo: 176, proto: 6, dst_port: 5432, state: 'C', src_hostname: 'web-prod-01', src_href: '/orgs/3/workloads/aa', src_labels: { app: 'web', env: 'prod' }, dst_hostname: 'db-prod-01', dst_href: '/orgs/3/workloads/bb', dst_labels: { app: 'db', env: 'prod' }, pd: 0, pd_qualifier: 0, version: 4 },
    { interval_sec: 600, count: 12, tbi: 0, tbo: 744, un: 'nobody', src_ip: '10.0.9.9', dst_ip: '10.0.2.20', class: 'U', dir: 'I', time: '2026-11-21T12:20:00.000Z', proto: 17, dst_port: 53, state: 'S', src_hostname: 'app-stg-03', src_href: '/orgs/3/workloads/cc', src_labels: { app: 'app', env: 'stg' }, dst_hostname: 'db-prod-01', dst_href: '/orgs/3/workloads/bb', dst_labels: { app: 'db', env: 'prod' }, pd: 2, pd_qualifier: 0, version: 4 },
  ];

  // Issue 13 cases, one line each per format where they apply.
  // A timestamp without fractional seconds; a rule-set name holding `;`, `=` and `,` (LEEF `^` lines
  // must keep it whole); a notification value holding ` dst=` (CEF must keep cs4 whole); a JSON
  // value with backslashes (CEF writes raw JSON unescaped).
  const noFraction = { ...samples[2], href: '/orgs/1/events/13000000-0000-4000-8000-000000000001', timestamp: '2026-09-11T09:05:05Z' };
  const tricky = {
    ...samples[2], href: '/orgs/1/events/13000000-0000-4000-8000-000000000002', event_type: 'rule_set.update',
    resource_changes: [{ uuid: '13000000-0000-4000-8000-0000000000aa', resource: { rule_set: { href: '/orgs/1/sec_policy/draft/rule_sets/7', name: 'web; tier=prod, mode=sso' } }, changes: { description: { before: 'C:\\share\\old', after: 'x dst=10.9.9.9 y' } }, change_type: 'update' }],
    notifications: [{ uuid: '13000000-0000-4000-8000-0000000000bb', notification_type: 'ruleset.note', info: { text: 'moved dst=10.1.1.1 cs2Label=fake' } }],
  };
  // A bulk change over ~20 KB: CEF splits it over cs2 and cs3 and event_href comes after both.
  const bulk = { ...big, href: '/orgs/1/events/13000000-0000-4000-8000-000000000003', resource_changes: Array.from({ length: 120 }, (_, i) => ({ uuid: `13000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource: { label: { href: `/orgs/1/labels/${i}`, key: 'env', value: `v=${i} x` } }, changes: { value: { before: null, after: `v=${i} x dst=1.2.3.4` } }, change_type: 'create' })) };
  const cases = [noFraction, tricky, bulk];
  illumio.push(...cases);
  // A flow of an IP protocol with no ports (GRE, 47): no transport, dest_port or app.
  flows.push({ ...flows[0], proto: 47, dst_port: 0, time: '2026-11-21T12:30:00.000Z', pd: 1 } as (typeof flows)[0]);

  out['illumio:pce:event'] = illumio.map((e) => JSON.stringify(e));
  // RFC 3164 (BSD) header instead of RFC 5424, as a relay may rewrite it.
  const bsd = (line: string) => line.replace(/^<14>1 \S+ (\S+) (\S+) 12120 - \[meta sequenceId="1"\] /, '<14>Sep 11 09:05:05 $1 $2[12120]: ');
  out['illumio:pce:syslog'] = [
    ...illumio.map((e) => toSyslogJson(e)),
    ...flows.map((f) => toSyslogJson(f, { host: 'pce.example.net', program: 'illumio_pce/collector' })),
    bsd(toSyslogJson(cases[0])),
  ];
  out['illumio:pce:cef'] = [
    ...illumio.map((e) => toCef(e)), toCef(samples[3], { bare: true }), ...flows.map((f) => flowToCef(f, { pceFqdn: 'pce.example.net' })),
    // rt with milliseconds and a zone other than UTC (the 2 h offset), and CEF escapes in act/msg.
    toCef(cases[0]).replace(/rt=\S+ \S+ \S+ \S+ \S+/, 'rt=Sep 11 2026 11:05:05.941 +0200').replace(' cat=audit_events', ' act=a\\=b msg=path C:\\\\tmp cat=audit_events'),
    bsd(toCef(cases[1])),
  ];
  out['illumio:pce:leef'] = [
    ...illumio.map((e, i) => toLeef(e, i % 3 === 0 ? { version: '1.0' } : i % 3 === 1 ? { version: '2.0', delimiter: '^' } : { version: '2.0', delimiter: 'x7C' })),
    toLeef(samples[4], { version: '2.0', delimiter: '0x09', bare: true }),
    // Delimiters a LEEF 2.0 header may declare, by character and by hex (not ; or ,: Illumio's raw JSON
    // values hold those, and LEEF cannot carry a value holding its delimiter).
    ...['^', 'x5E', '|', '~', 'x7E', '#', '!', '@', '$', '%', '*', '+', 'x2B', '0x09', '\t'].map((d, i) => toLeef(cases[i % 2], { version: '2.0', delimiter: d === '|' ? 'x7C' : d })),
    toLeef(cases[0], { version: '2.0', delimiter: ';' }),
    // devTime without milliseconds, with its devTimeFormat saying so.
    toLeef(cases[0], { version: '2.0', delimiter: '^' }).replace(/devTime=(\w+ \d+ \d+ [\d:]+)\.\d+ (\S+)/, 'devTime=$1 $2').replace('devTimeFormat=MMM dd yyyy HH:mm:ss.SSS Z', 'devTimeFormat=MMM dd yyyy HH:mm:ss Z'),
    bsd(toLeef(cases[1], { version: '1.0' })),
  ];
  Object.assign(out, restGoldenInputs());
  return out;
}

/**
 * Explorer flows (illumio_pce_traffic): simulator flows (managed and unmanaged ends, tcp/udp), then
 * the cases the props must handle: a Windows service and no process, ICMP, an IP protocol with no
 * ports (GRE), an unknown decision, an IPv6 pair, and a flow_direction. PCE health with a degraded
 * service (illumio_pce_health).
 */
function restGoldenInputs(): Record<string, string[]> {
  const estate = makeEstate(3);
  const restFlows = Array.from({ length: 8 }, (_, i) => makeFlow(estate, 31, i, Date.UTC(2026, 10, 21, 12, 0, i)));
  const f0 = restFlows[0] as Record<string, unknown> & { dst: Record<string, unknown> };
  restFlows.push(
    { ...f0, service: { port: 135, proto: 6, windows_service_name: 'RpcSs' }, policy_decision: 'blocked' },
    { ...f0, service: { proto: 1, icmp_type: 8, icmp_code: 0 }, policy_decision: 'blocked' },
    { ...f0, service: { proto: 47 }, policy_decision: 'potentially_blocked' },
    { ...f0, policy_decision: 'unknown', flow_direction: 'inbound' },
    { ...f0, src: { ip: '2001:db8::10' }, dst: { ...f0.dst, ip: '2001:db8::20' }, policy_decision: 'blocked', flow_direction: 'outbound' },
  );
  const health = healthEvents(healthBody('pce.example.net', { degraded: { node: 'core1', service: 'traffic_worker' } }), Date.UTC(2026, 10, 21, 12, 0, 0));
  return {
    'illumio:pce:flow': restFlows.map((f) => JSON.stringify(f)),
    // One summary per KV snapshot the objects input completed (inputs.ts).
    'illumio:pce:objects': ['labels', 'workloads'].map((k, i) => JSON.stringify({ object_type: k, collection: `illumio_${k}`, records: 12 + i, skipped: 0, unreadable: 0, snapshot: '2026-11-21T12:00:00.000Z_0a1b2c3d', policy_version: 'active' })),
    'illumio:pce:health': health.map((e) => e.data.replace(/"generated_at":"[^"]*"/, '"generated_at":"2026-11-21T12:00:00.000Z"')),
  };
}
