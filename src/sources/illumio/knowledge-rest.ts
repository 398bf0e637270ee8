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
  return { name: OBJECTS_ST, comment: 'One event per KV snapshot the illumio_pce_objects input completed (object_type, collection, records).', lines: [
    line('SHOULD_LINEMERGE', 'false'), line('DATETIME_CONFIG', 'CURRENT', 'The input stamps each summary with the time the snapshot completed.'), line('KV_MODE', 'json'),
    line('EVAL-vendor_product', '"Illumio PCE"'),
  ] };
}

export const REST_PROPS: StanzaSpec[] = [flowStanza(), healthStanza(), objectsStanza()];

/** Fields of each KV collection (objects.ts records; default/collections.conf declares the same). */
export const KV_FIELDS: Record<string, string[]> = {
  illumio_labels: ['href', 'name', 'key', 'value', 'snapshot'],
  illumio_workloads: ['href', 'name', 'hostname', 'ips', 'interfaces', 'public_ip', 'labels', 'label_hrefs', ...LABEL_DIMS.map((k) => `label_${k}`), 'online', 'enforcement_mode', 'ven_href', 'ven_status', 'ven_version', 'last_heartbeat_on', 'managed', 'snapshot'],
  illumio_ip_lists: ['href', 'name', 'description', 'ranges', 'fqdns', 'snapshot'],
  illumio_services: ['href', 'name', 'description', 'ports', 'windows_services', 'snapshot'],
  illumio_rule_sets: ['href', 'name', 'description', 'enabled', 'scopes', 'rule_count', 'snapshot'],
};

/** One lookup definition per collection: | lookup illumio_workloads hostname OUTPUT online. */
export const REST_TRANSFORMS: StanzaSpec[] = Object.entries(KV_FIELDS).map(([c, fields], i) => ({
  name: c,
  ...(i === 0 ? { comment: 'KV store lookups filled by the illumio_pce_objects input (one snapshot per run; _key is the href with / as .).\n| inputlookup illumio_workloads | where online="false" lists offline VENs; | lookup illumio_workloads ips AS dest_ip OUTPUT hostname labels enriches flows.' } : {}),
  lines: [line('external_type', 'kvstore'), line('collection', c), line('fields_list', ['_key', ...fields].join(', '))],
}));

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
