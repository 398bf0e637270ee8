import { accountArgument, ACCOUNTS_CONF_FILE, type AccountDescription } from '../../core/account';
import { clip, commonConnectionArgs, commonTransportArgs, defineArgs, defineInput, httpsUrlCheck, type ArgumentDescription, type ArgValue } from '../../core/description';
import { startDateCheck } from '../../core/time';
import { actorsCheck, FLOW_SOURCETYPE, POLICY_DECISIONS, servicesCheck, TRAFFIC_MAX_RESULTS } from './traffic-query';

export const ILLUMIO_SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** The PCE address only: the collector appends /api/v2/orgs/<org>/events itself. */
export function pceUrlCheck(value: ArgValue): string | undefined {
  const base = httpsUrlCheck(value);
  if (base) return base;
  const u = new URL(String(value));
  if (u.search || u.hash || !/^\/?(api\/v2\/?)?$/.test(u.pathname)) {
    return `must be the PCE address only, like https://pce.example.com:8443, got "${clip(String(value))}".`;
  }
  return undefined;
}

/** The PCE and its API key: the same four settings for every Illumio input. */
export const pceConnectionArgs = () => defineArgs([
  {
    name: 'pce_url', title: 'PCE URL', type: 'string', required: true,
    description: 'Base URL of the PCE, e.g. https://pce.example.com:8443 (SaaS: https://<name>.illum.io:443).',
    check: pceUrlCheck,
  },
  {
    name: 'org_id', title: 'Organization ID', type: 'number', required: true, min: 1,
    description: 'Numeric organization ID shown with the API key in the PCE (Org ID).',
  },
  {
    name: 'api_key_id', title: 'API key ID', type: 'string', required: true,
    description: 'API key ID (Authentication Username), e.g. api_1a2b3c4d5e6f7.',
  },
  {
    name: 'api_secret', title: 'API key secret', type: 'string', required: true, secret: true,
    description: 'API key secret. Stored in Splunk storage/passwords; inputs.conf keeps only ********.',
  },
]);

/**
 * One PCE connection named by every Illumio input (src/core/account.ts): the PCE, its API key and
 * how to reach it. The bounds (max_response_mb, request_deadline, max_depth) stay per input: they
 * fit what one input reads, not the PCE.
 */
export const illumioPceAccount = {
  kind: 'illumio_pce',
  title: 'Illumio PCE connection',
  description: 'A PCE and the API key the Illumio inputs (events, traffic flows, health, policy objects) use to read it, with the TLS and proxy settings to reach it.',
  param: 'pce_connection',
  args: [
    ...pceConnectionArgs().map((a): ArgumentDescription => (a.name === 'api_secret'
      ? { ...a, description: `API key secret. Stored in Splunk storage/passwords (realm illumio_pce://<name>); ${ACCOUNTS_CONF_FILE} keeps only ********.` }
      : a)),
    ...commonTransportArgs(),
  ],
} as const satisfies AccountDescription;

/** The argument naming the connection, first in every Illumio input. */
const pceConnectionArg = () => defineArgs([accountArgument(illumioPceAccount)]);

export const illumioDescription = defineInput({
  scheme: 'illumio_pce_events',
  title: 'Illumio PCE events',
  description: 'Collects audit and system events from the Illumio PCE events API (REST, version 2).',
  sourcetype: 'illumio:pce:event',
  defaultInterval: 300,
  account: illumioPceAccount,
  args: [
    ...pceConnectionArg(),
    ...pceConnectionArgs(),
    {
      name: 'start_date', title: 'Start date', type: 'string', default: '-24h',
      description: 'Where the first run starts: ISO 8601 (2026-01-31T00:00:00Z) or relative (-7d). Default -24h.',
      check: startDateCheck,
    },
    {
      name: 'max_results', title: 'Page size', type: 'number', default: 10000, min: 1, max: 10000, advanced: true,
      description: 'max_results per request (1-10000). A full page switches to an asynchronous collection.',
    },
    {
      name: 'overlap', title: 'Overlap (seconds)', type: 'number', default: 300, min: 0, max: 86400, advanced: true,
      description: 'Each run re-reads this many seconds before its checkpoint, for events the PCE records late or a PCE clock behind this host; repeats are removed by href. Default 300.',
    },
    {
      name: 'event_types', title: 'Event types', type: 'string', list: true, advanced: true,
      description: 'Optional comma-separated event types to collect (e.g. user.sign_in,agent.tampering). Empty: all.',
    },
    {
      name: 'severity', title: 'Severity', type: 'string', choices: ILLUMIO_SEVERITIES, advanced: true,
      description: `Optional severity filter: one of ${ILLUMIO_SEVERITIES.join(', ')}. Empty: all.`,
    },
    ...commonConnectionArgs(),
  ],
});

const TRAFFIC_SCOPE = 'Label, label group, workload or IP list hrefs (/orgs/1/labels/7) or IPv4 addresses/CIDRs';

export const trafficDescription = defineInput({
  scheme: 'illumio_pce_traffic',
  title: 'Illumio PCE traffic flows',
  description: 'Collects traffic flows (Explorer asynchronous traffic queries) from the Illumio PCE: one event per flow, blocked and potentially blocked by default.',
  sourcetype: FLOW_SOURCETYPE,
  defaultInterval: 600,
  account: illumioPceAccount,
  args: [
    ...pceConnectionArg(),
    ...pceConnectionArgs(),
    {
      name: 'start_date', title: 'Start date', type: 'string', default: '-1h',
      description: 'Where the first run starts: ISO 8601 (2026-01-31T00:00:00Z) or relative (-1d). Default -1h. The PCE keeps flows for a limited time; a large window is split into queries of window seconds.',
      check: startDateCheck,
    },
    {
      name: 'policy_decisions', title: 'Policy decisions', type: 'string', list: true, choices: POLICY_DECISIONS,
      description: `Comma-separated policy decisions to collect: ${POLICY_DECISIONS.join(', ')}. Empty: blocked,potentially_blocked (allowed flows are the bulk of the traffic).`,
    },
    {
      name: 'src_include', title: 'Sources to include', type: 'string', list: true, advanced: true, check: actorsCheck('src_include', true),
      description: `${TRAFFIC_SCOPE}; comma = OR, + = AND (/orgs/1/labels/7+/orgs/1/labels/9). Empty: any source.`,
    },
    {
      name: 'src_exclude', title: 'Sources to exclude', type: 'string', list: true, advanced: true, check: actorsCheck('src_exclude', false),
      description: `${TRAFFIC_SCOPE}, comma-separated; flows from any of them are not collected.`,
    },
    {
      name: 'dst_include', title: 'Destinations to include', type: 'string', list: true, advanced: true, check: actorsCheck('dst_include', true),
      description: `${TRAFFIC_SCOPE}; comma = OR, + = AND. Empty: any destination.`,
    },
    {
      name: 'dst_exclude', title: 'Destinations to exclude', type: 'string', list: true, advanced: true, check: actorsCheck('dst_exclude', false),
      description: `${TRAFFIC_SCOPE}, comma-separated; flows to any of them are not collected.`,
    },
    {
      name: 'exclude_services', title: 'Services to exclude', type: 'string', list: true, advanced: true, check: servicesCheck,
      description: 'Comma-separated ports or services not to collect: 443/tcp, 53/udp, 8000-8080/tcp, 135 (any protocol), icmp, or a service href.',
    },
    {
      name: 'max_results', title: 'Flows per query', type: 'number', default: TRAFFIC_MAX_RESULTS, min: 1, max: TRAFFIC_MAX_RESULTS, advanced: true,
      description: `max_results of each traffic query (1-${TRAFFIC_MAX_RESULTS}). A window with more matching flows is split into smaller windows until every flow is collected.`,
    },
    {
      name: 'overlap', title: 'Overlap (seconds)', type: 'number', default: 900, min: 0, max: 86400, advanced: true,
      description: 'Each run asks again for this many seconds before its checkpoint, for flow summaries VENs report late; flows already indexed are skipped. Default 900.',
    },
    {
      name: 'lag', title: 'Lag (seconds)', type: 'number', default: 600, min: 0, max: 86400, advanced: true,
      description: 'Each run stops this many seconds before now, so that VENs have reported the flows of the window. Default 600.',
    },
    {
      name: 'window', title: 'Query window (seconds)', type: 'number', default: 3600, min: 60, max: 86400, advanced: true,
      description: 'Longest time span of one traffic query. Default 3600.',
    },
    ...commonConnectionArgs(),
  ],
});

export const healthDescription = defineInput({
  scheme: 'illumio_pce_health',
  title: 'Illumio PCE health',
  description: 'Collects the health of an on-premises Illumio PCE cluster (GET /api/v2/health): one event for the cluster, each node and each service, with its status.',
  sourcetype: 'illumio:pce:health',
  defaultInterval: 300,
  account: illumioPceAccount,
  args: [...pceConnectionArg(), ...pceConnectionArgs(), ...commonConnectionArgs()],
});

export const OBJECT_TYPES = ['labels', 'workloads', 'ip_lists', 'services', 'rule_sets'] as const;

export const objectsDescription = defineInput({
  scheme: 'illumio_pce_objects',
  title: 'Illumio PCE policy objects',
  description: 'Copies labels, workloads (hostnames, IP addresses, VEN state), IP lists, services and rule sets from the Illumio PCE into the add-on\'s KV store collections (illumio_<type>), replacing each snapshot when it is complete. Lookups enrich events and flows from them.',
  sourcetype: 'illumio:pce:objects',
  defaultInterval: 3600,
  account: illumioPceAccount,
  args: [
    ...pceConnectionArg(),
    ...pceConnectionArgs(),
    {
      name: 'object_types', title: 'Object types', type: 'string', list: true, choices: OBJECT_TYPES,
      description: `Comma-separated object types to copy: ${OBJECT_TYPES.join(', ')}. Empty: all.`,
    },
    {
      name: 'policy_version', title: 'Policy version', type: 'string', choices: ['active', 'draft'], default: 'active', advanced: true,
      description: 'IP lists, services and rule sets as provisioned (active, default) or as being edited (draft).',
    },
    {
      name: 'max_results', title: 'Most objects per type', type: 'number', default: 10000, min: 1, max: 100000, advanced: true,
      description: 'max_results of each listing. A PCE with more objects of a type fails the run with an error saying so, and the previous snapshot of that type stays.',
    },
    ...commonConnectionArgs(),
  ],
});
