/**
 * One traffic flow, two ways in: the Explorer API (illumio_pce_traffic, illumio:pce:flow) and the
 * PCE's syslog flow summary (illumio:pce:syslog, version 4) or CEF. The normalized fields a
 * search or the CIM Network_Traffic model reads must come out the same, so one search covers both.
 */
import { toJsonObject } from '../../src/core/knowledge';
import { flowToCef, toSyslogJson } from '../../src/sources/illumio/formats';
import { appKnowledge } from './support';

const SAME = ['src', 'dest', 'src_ip', 'dest_ip', 'transport', 'dest_port', 'protocol', 'protocol_version', 'app', 'action', 'policy_decision', 'count', 'severity', 'vendor_product', 'tag'];
const PDS: Record<string, number> = { allowed: 0, potentially_blocked: 1, blocked: 2, unknown: 3 };

const cases = [
  { src: '10.0.1.15', dst: '10.0.2.20', port: 5432, proto: 6, pd: 'blocked' },
  { src: '10.0.9.9', dst: '10.0.2.20', port: 53, proto: 17, pd: 'potentially_blocked' },
  { src: '203.0.113.7', dst: '10.0.2.21', port: 22, proto: 6, pd: 'allowed' },
  { src: '10.0.9.9', dst: '10.0.2.21', port: 0, proto: 47, pd: 'unknown' },
];

function fields(raw: string, sourcetype: string): Record<string, unknown> {
  const o = toJsonObject(appKnowledge().evaluate(raw, { sourcetype })) as Record<string, unknown>;
  return Object.fromEntries(SAME.map((k) => [k, o[k]]));
}

test.each(cases)('$pd $proto/$port: REST, syslog and CEF agree on the normalized fields', (c) => {
  const last = '2026-11-21T12:10:00.000Z';
  const rest = {
    src: { ip: c.src, workload: { href: '/orgs/3/workloads/aa', hostname: 'web-prod-01', labels: [] } },
    dst: { ip: c.dst, workload: { href: '/orgs/3/workloads/bb', hostname: 'db-prod-01', labels: [] } },
    service: c.proto === 47 ? { proto: 47 } : { port: c.port, proto: c.proto },
    num_connections: 3, policy_decision: c.pd, timestamp_range: { first_detected: '2026-11-21T12:01:00.000Z', last_detected: last }, client_type: 'ven',
  };
  const summary = {
    interval_sec: 600, count: 3, tbi: 10, tbo: 20, src_ip: c.src, dst_ip: c.dst, dir: 'I', time: last, proto: c.proto, dst_port: c.port,
    state: 'C', src_hostname: 'web-prod-01', dst_hostname: 'db-prod-01', pd: PDS[c.pd], version: 4,
  };
  const viaRest = fields(JSON.stringify(rest), 'illumio:pce:flow');
  expect(viaRest.src).toBe(c.src);
  expect(viaRest.tag).toEqual(['communicate', 'network']);
  expect(fields(toSyslogJson(summary, { host: 'pce.example.net', program: 'illumio_pce/collector' }), 'illumio:pce:syslog')).toEqual(viaRest);
  expect(fields(flowToCef(summary, { pceFqdn: 'pce.example.net' }), 'illumio:pce:cef')).toEqual(viaRest);
});
