/**
 * Search-time knowledge of the REST inputs added by issue 20: `illumio:pce:flow` (Explorer
 * traffic flows, CIM Network_Traffic with the same normalized names as the syslog and CEF flow
 * summaries, so one search covers both), `illumio:pce:health` (cluster, node and service status)
 * and `illumio:pce:objects` (one summary per KV snapshot), plus the KV store lookups the objects
 * input fills (default/collections.conf declares the collections).
 *
 * Each flow event is the flow as the PCE sent it: KV_MODE=json parses it once and the EVALs read
 * the JSON paths (`'src.ip'`, `'service.port'`); no spath(), no regex over the raw text.
 */
import type { EventTypeDefinition } from '../../core/eventtype';
import { line, type ConfLine, type StanzaSpec } from '../../core/knowledge/spec';
import { FLOW_SOURCETYPE } from './traffic-query';

export const HEALTH_ST = 'illumio:pce:health';
export const OBJECTS_ST = 'illumio:pce:objects';

/** The label dimensions every PCE has (custom ones stay in src_labels/dest_labels). */
const LABEL_DIMS = ['role', 'app', 'env', 'loc'];

const jsonHead = (timeKey: string): ConfLine[] => [
  line('SHOULD_LINEMERGE', 'false'),
  line('LINE_BREAKER', '([\\r\\n]+)'),
  line('TRUNCATE', '1000000'),
  line('TIME_PREFIX', `"${timeKey}"\\s*:\\s*"`, 'The input stamps _time itself; this reads the same key when the JSON arrives another way.'),
  line('TIME_FORMAT', '%Y-%m-%dT%H:%M:%S.%3N%Z'),
  line('MAX_TIMESTAMP_LOOKAHEAD', '32'),
  line('TZ', 'UTC'),
  line('KV_MODE', 'json'),
  line('AUTO_KV_JSON', 'true'),
];

const P = "'service.proto'";
const TRANSPORT = `case(${P}==6, "tcp", ${P}==17, "udp", in(${P}, 1, 58), "icmp")`;
const DECISION = 'policy_decision';

function endpoint(side: 'src' | 'dst', as: 'src' | 'dest'): ConfLine[] {
  const labels = `'${side}.workload.labels{}'`;
  return [
    line(`EVAL-${as}_ip`, `'${side}.ip'`),
    line(`EVAL-${as}_host`, `'${side}.workload.hostname'`),
    line(`EVAL-${as}_workload`, `'${side}.workload.href'`),
    line(`EVAL-${as}_labels`, `${labels.replace('{}', '{}.value')}`, `Every label value of the ${side === 'src' ? 'source' : 'destination'} workload (multivalue); the four standard dimensions also as ${as}_label_<key>.`),
    ...LABEL_DIMS.map((k) => line(`EVAL-${as}_label_${k}`, `mvindex(${labels.replace('{}', '{}.value')}, mvfind(${labels.replace('{}', '{}.key')}, "^${k}$"))`)),
  ];
}

function flowStanza(): StanzaSpec {
  return {
    name: FLOW_SOURCETYPE,
    comment: 'Explorer traffic flows (the illumio_pce_traffic input): one JSON flow per event, _time = last_detected.\nCIM Network_Traffic, with the field names of the syslog/CEF flow summaries.',
    lines: [
      ...jsonHead('last_detected'),
      line('EVAL-src', "'src.ip'"),
      line('EVAL-dest', "'dst.ip'"),
      ...endpoint('src', 'src'),
      ...endpoint('dst', 'dest'),
      line('EVAL-transport', TRANSPORT, 'tcp, udp or icmp from the IANA protocol number; other IP protocols have no transport, port or app.'),
      line('EVAL-dest_port', `if(in(${TRANSPORT}, "tcp", "udp"), 'service.port', null())`),
      line('EVAL-protocol', `if(${TRANSPORT}=="icmp", "icmp", "ip")`),
      line('EVAL-protocol_version', `if(match('src.ip', ":"), "ipv6", "ipv4")`),
      line(
        'EVAL-app',
        `coalesce('service.process_name', 'service.windows_service_name', case(in(${TRANSPORT}, "tcp", "udp"), ${TRANSPORT} . "/" . 'service.port', ${TRANSPORT}=="icmp", "icmp", true(), "ip/" . ${P}))`,
        'The process or Windows service the VEN saw; else the IP service as the syslog summaries give it (tcp/443).',
      ),
      line('EVAL-icmp_type', `if(${TRANSPORT}=="icmp", 'service.icmp_type', null())`, 'ICMP flows: type and code as the service carries them (icmp_type, icmp_code as in Illumio service definitions).'),
      line('EVAL-icmp_code', `if(${TRANSPORT}=="icmp", 'service.icmp_code', null())`),
      line('EVAL-count', 'num_connections'),
      line('EVAL-policy_decision', DECISION),
      line('EVAL-action', `case(${DECISION}=="blocked", "blocked", ${DECISION}=="unknown", "flow", isnotnull(${DECISION}), "allowed")`, 'potentially_blocked was allowed (the workload is not enforced): CIM allowed, as for syslog flow summaries.'),
      line('EVAL-direction', 'case(flow_direction=="inbound", "inbound", flow_direction=="outbound", "outbound")', 'Present when the PCE reports flow_direction.'),
      line('EVAL-first_detected', "'timestamp_range.first_detected'"),
      line('EVAL-last_detected', "'timestamp_range.last_detected'"),
      line('EVAL-dvc', "coalesce('dst.workload.hostname', 'src.workload.hostname', host)", 'The VEN that reported the flow: the destination\'s, else the source\'s (an unmanaged destination).'),
      line('EVAL-severity', '"informational"'),
      line('EVAL-vendor', '"Illumio"'),
      line('EVAL-product', '"PCE"'),
      line('EVAL-vendor_product', '"Illumio PCE"'),
      ...workloadLookups({ href: true, ip: true, host: false }),
    ],
  };
}

function healthStanza(): StanzaSpec {
  return {
    name: HEALTH_ST,
    comment: 'PCE health (the illumio_pce_health input): kind = cluster, node or service, each with status.',
    lines: [
      ...jsonHead('generated_at'),
      line('EVAL-dest', 'coalesce(hostname, fqdn)', 'The node (or, for the cluster, its FQDN) the status is about.'),
      line('EVAL-health', 'case(in(status, "normal", "running", "optional"), "ok", status=="warning", "warning", in(status, "error", "degraded", "failed", "not_running"), "problem")', 'One scale for the three kinds: ok, warning or problem.'),
      line('EVAL-vendor', '"Illumio"'),
      line('EVAL-product', '"PCE"'),
      line('EVAL-vendor_product', '"Illumio PCE"'),
    ],
  };
}

function objectsStanza(): StanzaSpec {
  return { name: OBJECTS_ST, comment: 'One event per KV snapshot the illumio_pce_objects input completed (object_type, collection, records, skipped, unreadable).', lines: [
    line('SHOULD_LINEMERGE', 'false'), line('DATETIME_CONFIG', 'CURRENT', 'The input stamps each summary with the time the snapshot completed.'), line('KV_MODE', 'json'),
    line('EVAL-vendor_product', '"Illumio PCE"'),
  ] };
}

export const REST_PROPS: StanzaSpec[] = [flowStanza(), healthStanza(), objectsStanza()];

/** Fields of each KV collection (objects.ts records; default/collections.conf declares the same). */
export const KV_FIELDS: Record<string, string[]> = {
  illumio_labels: ['href', 'name', 'key', 'value', 'snapshot'],
  illumio_workloads: ['href', 'name', 'hostname', 'host_short', 'ips', 'interfaces', 'public_ip', 'labels', 'label_values', 'label_hrefs', ...LABEL_DIMS.map((k) => `label_${k}`), 'online', 'enforcement_mode', 'ven_href', 'ven_status', 'ven_state', 'ven_version', 'last_heartbeat_on', 'managed', 'snapshot'],
  illumio_workload_interfaces: ['ip', 'interface', 'workload_href', 'hostname', 'name', 'labels', 'label_values', ...LABEL_DIMS.map((k) => `label_${k}`), 'online', 'enforcement_mode', 'ven_status', 'ven_state', 'managed', 'snapshot'],
  illumio_ip_lists: ['href', 'name', 'description', 'ranges', 'fqdns', 'snapshot'],
  illumio_services: ['href', 'name', 'description', 'ports', 'windows_services', 'snapshot'],
  illumio_rule_sets: ['href', 'name', 'description', 'enabled', 'scopes', 'rule_count', 'snapshot'],
};

/**
 * Match settings of the lookups keyed on an identity (href, or hostname for VEN reports): one
 * workload per key. KV store lookups match case-sensitively only (transforms.conf.spec
 * case_sensitive_match); hrefs and the hostnames the PCE stores are compared as written.
 */
const KV_SETTINGS: Record<string, ConfLine[]> = {
  illumio_labels: [line('case_sensitive_match', 'true'), line('max_matches', '1')],
  illumio_workloads: [line('case_sensitive_match', 'true'), line('max_matches', '1')],
  // An address two workloads share (overlapping private networks) outputs both: the default max_matches.
  illumio_workload_interfaces: [line('case_sensitive_match', 'true')],
};

const KV_COMMENTS: Record<string, string> = {
  illumio_labels: 'KV store lookups filled by the illumio_pce_objects input (one snapshot per run; _key is the href with / as .).\n| inputlookup illumio_workloads | search ven_state="offline" lists offline VENs by hostname.',
  illumio_workload_interfaces: 'One record per workload interface address: | lookup illumio_workload_interfaces ip AS dest_ip OUTPUT hostname label_values.',
};

/**
 * The lookup VEN reports use when their hostname is not the PCE's: by host_short (hostkey.ts), the
 * same collection as illumio_workloads without max_matches = 1, so a short name two workloads share
 * (web01.corp.example, web01.lab.example) gives both (max_matches: at most that many per value).
 */
export const HOST_SHORT_LOOKUP = 'illumio_workloads_by_host_short';

/** One lookup definition per collection: | lookup illumio_workloads hostname OUTPUT ven_state. */
export const REST_TRANSFORMS: StanzaSpec[] = [
  ...Object.entries(KV_FIELDS).map(([c, fields]) => ({
    name: c,
    ...(KV_COMMENTS[c] ? { comment: KV_COMMENTS[c] } : {}),
    lines: [line('external_type', 'kvstore'), line('collection', c), line('fields_list', ['_key', ...fields].join(', ')), ...(KV_SETTINGS[c] ?? [])],
  })),
  {
    name: HOST_SHORT_LOOKUP,
    comment: 'illumio_workloads by the lower-cased short hostname (host_short): VEN reports that name their host\nwithout its domain or in another case. Every workload with that short name matches (README: Enrichment).',
    lines: [line('external_type', 'kvstore'), line('collection', 'illumio_workloads'), line('fields_list', ['_key', ...KV_FIELDS.illumio_workloads].join(', ')), line('case_sensitive_match', 'true'), line('max_matches', '10')],
  },
];

/**
 * What an event gains for a workload it names, per side (src, dest): the same names the REST flows
 * carry (`<side>_host`, `<side>_labels`, `<side>_label_<dim>`, `<side>_workload`) plus the state
 * only the objects input knows (`<side>_ven_state`, `<side>_enforcement_mode`). OUTPUTNEW: what
 * the event itself says wins; the lookups only fill gaps.
 */
export function enrichmentOutputs(side: 'src' | 'dest'): [string, string][] {
  return [
    ['hostname', `${side}_host`],
    ['label_values', `${side}_labels`],
    ...LABEL_DIMS.map((k): [string, string] => [`label_${k}`, `${side}_label_${k}`]),
    ['ven_state', `${side}_ven_state`],
    ['enforcement_mode', `${side}_enforcement_mode`],
  ];
}

function outputs(pairs: [string, string][]): string {
  return pairs.map(([k, f]) => `${k} AS ${f}`).join(' ');
}

/**
 * The automatic KV lookups of a sourcetype, in the order they must run (LOOKUP- classes apply in
 * ASCII order, after every EVAL-): by the workload href the event names (exact identity), then by
 * the address (a workload the event did not name), then, for the VEN reports of audit events, by
 * the hostname the VEN gave: exactly, then by its key (hostkey.ts: short name, any case), which the
 * stanza computes as EVAL-src_host_short. Classes start `illumio_k` so they sort after the catalog
 * lookups.
 */
export function workloadLookups(o: { href: boolean; ip: boolean; host: boolean }): ConfLine[] {
  const out: ConfLine[] = [];
  const sides = ['src', 'dest'] as const;
  if (o.href) {
    sides.forEach((side, i) => out.push(line(`LOOKUP-illumio_k${i + 1}_${side}_workload`, `illumio_workloads href AS ${side}_workload OUTPUTNEW ${outputs(enrichmentOutputs(side))}`,
      i === 0 ? 'Enrichment from the illumio_pce_objects input\'s KV store collections (README: Enrichment): the workload an\nevent names by href, else by address, else (VEN reports) by hostname. OUTPUTNEW: the event\'s own values win.' : undefined)));
  }
  if (o.ip) {
    sides.forEach((side, i) => out.push(line(`LOOKUP-illumio_k${i + 3}_${side}_ip`, `illumio_workload_interfaces ip AS ${side}_ip OUTPUTNEW ${outputs([['workload_href', `${side}_workload`], ...enrichmentOutputs(side)])}`,
      !o.href && i === 0 ? 'Enrichment from the illumio_pce_objects input\'s KV store collections (README: Enrichment). OUTPUTNEW: the event\'s own values win.' : undefined)));
  }
  if (o.host) {
    out.push(
      line('LOOKUP-illumio_k5_src_host', `illumio_workloads hostname AS src_host OUTPUTNEW ${outputs([['href', 'src_workload'], ...enrichmentOutputs('src').slice(1)])}`,
        !o.href && !o.ip ? 'Enrichment from the illumio_pce_objects input\'s KV store collections (README: Enrichment): the workload of the VEN\nan event names by hostname. OUTPUTNEW: the event\'s own values win.' : undefined),
      line('LOOKUP-illumio_k6_src_host_short', `${HOST_SHORT_LOOKUP} host_short AS src_host_short OUTPUTNEW href AS src_workload`,
        'No workload yet (no href, address or exact hostname matched): the one(s) with the VEN\'s short name in any\ncase (src_host_short, EVAL-src_host_short). Only the href here: k7 fills the rest from the workload\nfound, so fields a workload lacks (a label dimension) never come from a namesake in another domain.'),
      line('LOOKUP-illumio_k7_src_host_workload', `${HOST_SHORT_LOOKUP} href AS src_workload host_short AS src_host_short OUTPUTNEW ${outputs(enrichmentOutputs('src').slice(1))}`),
    );
  }
  return out;
}

export const REST_EVENTTYPES: readonly EventTypeDefinition[] = [
  {
    name: 'illumio_traffic_flow',
    description: 'Illumio traffic flows from the Explorer API (illumio_pce_traffic input), CIM Network_Traffic.',
    search: `sourcetype="${FLOW_SOURCETYPE}"`,
    tags: ['network', 'communicate'],
  },
  { name: 'illumio_pce_health', description: 'Illumio PCE cluster, node and service status (illumio_pce_health input).', search: `sourcetype="${HEALTH_ST}"`, tags: [] },
  {
    name: 'illumio_pce_health_problem',
    description: 'An Illumio PCE service degraded or failed, a node not running, or the cluster in warning or error.',
    search: `sourcetype="${HEALTH_ST}" (status="degraded" OR status="failed" OR status="not_running" OR status="warning" OR status="error")`,
    tags: [],
  },
  { name: 'illumio_pce_objects_snapshot', description: 'A KV store snapshot the illumio_pce_objects input completed: object_type, collection, records.', search: `sourcetype="${OBJECTS_ST}"`, tags: [] },
];
