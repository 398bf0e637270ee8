/**
 * Illumio's macros and saved searches (generated into default/macros.conf and
 * default/savedsearches.conf by src/build/generators). Saved searches ship disabled: an admin
 * enables the ones that fit.
 */
import { anyEventtype, DAILY, indexMacro, QUARTER, TIMES } from '../../core/knowledge/searches';
import type { MacroDefinition, SavedSearchDefinition } from '../../core/knowledge/spec';
import { ILLUMIO_FAMILIES } from './catalog';

const ILLUMIO = indexMacro('illumio');

export const ILLUMIO_INDEX_MACRO_DESCRIPTION = 'Indexes holding Illumio PCE data (sourcetypes illumio:pce:*, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index you chose, e.g. (index=zerotrust OR index=syslog). index=* would scan every index the role may search.';

export const ILLUMIO_MACROS: readonly MacroDefinition[] = [
  {
    name: 'ta_zerotrust_syslog_quiet_minutes', definition: '60',
    description: 'Minutes without an Illumio syslog, CEF or LEEF event from a PCE (host) after which "Add-on - Illumio syslog feed silent" reports it. The PCE logs system events continuously, so an hour of silence means the feed broke.',
  },
  {
    name: 'ta_zerotrust_illumio_client',
    definition: 'eval src = if(src == dest OR src == "FILTERED", null(), src), user = if(user == "system" AND match(event_type, "^request\\.authentication_failed"), null(), user)',
    description: 'For Illumio authentication searches: the client address only when the PCE recorded one (src is already only a client IP at search time; this also clears a FILTERED value or one equal to the PCE itself that older knowledge or local overrides may give), and no user "system" for refused API calls that supplied no username.',
  },
  {
    name: 'ta_zerotrust_port_scan_ports', definition: '20',
    description: 'Distinct destination ports one source must reach within the Illumio traffic dashboard\'s time range to be listed as a port scan candidate.',
  },
  {
    name: 'ta_zerotrust_auth_failure_threshold', definition: '10',
    description: 'Failed authentications from one source address within the 15-minute window of "Illumio - Authentication failure burst by source" that raise the alert.',
  },
  {
    name: 'ta_zerotrust_request_error_threshold', definition: '5',
    description: 'PCE request errors (internal server error, service unavailable, unknown server error) per PCE within 15 minutes that raise "Illumio - PCE request errors".',
  },
];

function illumioTypes(...types: string[]): string {
  return `${ILLUMIO} ${anyEventtype(types.map((t) => `illumio_${t}`))}`;
}

const ACTOR_STATS = 'stats count AS events values(event_type) AS event_type values(status) AS status values(src) AS src values(src_host) AS src_host min(_time) AS first_seen max(_time) AS last_seen';

const DETECTIONS: readonly SavedSearchDefinition[] = [
  {
    name: 'Illumio - VEN tampering detected',
    description: 'A VEN reported that its host firewall was changed outside of Illumio (agent.tampering). The VEN restores its rules, but someone or something on that host has administrative rights.',
    search: `${illumioTypes('agent.tampering')} | ${ACTOR_STATS} BY pce_fqdn user | rename user AS ven | ${TIMES}`,
    ...QUARTER, alert: { severity: 5, suppressFields: 'ven', suppressPeriod: '1h' },
  },
  {
    name: 'Illumio - VEN clone detected',
    description: 'The PCE detected a cloned VEN (two hosts presenting the same agent identity) or activated a clone.',
    search: `${illumioTypes('agent.clone_detected', 'agent.activate_clone')} | ${ACTOR_STATS} BY pce_fqdn user | rename user AS ven | ${TIMES}`,
    ...QUARTER, alert: { severity: 4, suppressFields: 'ven', suppressPeriod: '1h' },
  },
  {
    name: 'Illumio - VEN suspended or deactivated',
    description: 'VENs were suspended, unpaired or deactivated (including events indexed under the pre-18.2 names deactivation_success and deactivation_failure). A workload without its VEN is no longer enforced.',
    search: `${illumioTypes('agent.suspend', 'agent.deactivate', 'agents.unpair', 'workloads.unpair')} | ${ACTOR_STATS} BY pce_fqdn user | rename user AS actor | ${TIMES}`,
    ...QUARTER, alert: { severity: 4 },
  },
  {
    name: 'Illumio - Authentication failure burst by source',
    description: 'Many failed logins or API authentications (CIM Authentication, action=failure) from one source address: password guessing or a stale API key.',
    search: `${ILLUMIO} eventtype="illumio_pce_event" tag=authentication action="failure" | \`ta_zerotrust_illumio_client\` | fillnull value="(no client address)" src | stats count AS failures dc(user) AS user_count values(user) AS user values(event_type) AS event_type min(_time) AS first_seen max(_time) AS last_seen BY pce_fqdn src | where failures >= \`ta_zerotrust_auth_failure_threshold\` | ${TIMES} | sort - failures`,
    ...QUARTER, alert: { severity: 4, suppressFields: 'pce_fqdn,src', suppressPeriod: '1h' },
  },
  {
    name: 'Illumio - API keys created or deleted',
    description: 'API keys were created or deleted. API keys act with their owner\'s rights without interactive login.',
    search: `${illumioTypes('api_key.create', 'api_key.delete')} | ${ACTOR_STATS} BY pce_fqdn user | ${TIMES}`,
    ...QUARTER, alert: { severity: 3 },
  },
  {
    name: 'Illumio - Policy provisioned',
    description: 'Security policy was provisioned or restored: from now on every VEN enforces the new rules.',
    search: `${illumioTypes('sec_policy.create', 'sec_policy.restore')} | ${ACTOR_STATS} BY pce_fqdn user | ${TIMES}`,
    ...QUARTER, alert: { severity: 2 },
  },
  {
    name: 'Illumio - PCE request errors',
    description: 'The PCE answered API or UI requests with server errors (internal server error, service unavailable, unknown server error) more often than the threshold.',
    search: `${illumioTypes('request.internal_server_error', 'request.service_unavailable', 'request.unknown_server_error')} | stats count AS errors values(event_type) AS event_type min(_time) AS first_seen max(_time) AS last_seen BY pce_fqdn | where errors >= \`ta_zerotrust_request_error_threshold\` | ${TIMES}`,
    ...QUARTER, alert: { severity: 4, suppressFields: 'pce_fqdn', suppressPeriod: '1h' },
  },
  {
    name: 'Illumio - PCE service degraded or failed',
    description: 'The latest PCE health report (illumio_pce_health input) shows a service degraded or failed, a node not running, or the cluster in error. One result per cluster, node or service.',
    search: `${ILLUMIO} eventtype="illumio_pce_health" | fillnull value="-" hostname service | stats latest(status) AS status latest(health) AS health latest(_time) AS last_seen BY fqdn kind hostname service | where health="problem" | convert ctime(last_seen)`,
    eventTimeBecause: 'the question is the current state of each node and service (its latest health report), which a slice of what was indexed recently may not hold',
    cron: '*/15 * * * *', earliest: '-30m@m', latest: 'now', alert: { severity: 4, suppressFields: 'fqdn,hostname,service', suppressPeriod: '1h' },
  },
  {
    name: 'Add-on - Illumio syslog feed silent',
    description: 'A PCE that sent syslog (JSON, CEF or LEEF) in the last 7 days has sent nothing for ta_zerotrust_syslog_quiet_minutes.',
    search: `| tstats latest(_time) AS last_event WHERE ${ILLUMIO} sourcetype IN ("illumio:pce:syslog", "illumio:pce:cef", "illumio:pce:leef") BY sourcetype host | eval minutes_quiet = round((now() - last_event) / 60) | where minutes_quiet > \`ta_zerotrust_syslog_quiet_minutes\` | convert ctime(last_event)`,
    eventTimeBecause: 'the question is the latest event per PCE in the week; a silent PCE has nothing in any index-time slice',
    cron: '*/30 * * * *', earliest: '-7d@m', latest: 'now', alert: { severity: 3, suppressFields: 'host', suppressPeriod: '6h' },
  },
];

/**
 * One daily report per Illumio family: what reached Splunk, by event type, since the previous
 * report. Index time, so an event that arrives after its day's report is in the next one.
 */
const FAMILY_REPORTS: readonly SavedSearchDefinition[] = ILLUMIO_FAMILIES.map((f) => ({
  name: `Illumio - ${f.title} - daily activity`,
  description: `Illumio PCE events of the ${f.name} family indexed in the 24 hours up to 06:00, by event type (index time, so an event that arrives after its day's report is in the next one).`,
  search: `${ILLUMIO} eventtype="illumio_family_${f.name}" | stats count AS events values(status) AS status dc(user) AS actors latest(_time) AS last_seen BY event_type | lookup illumio_event_types event_type OUTPUT label AS event_label alert_worthy | convert ctime(last_seen) | sort - events`,
  ...DAILY,
}));

export const ILLUMIO_SEARCHES: readonly SavedSearchDefinition[] = [...DETECTIONS, ...FAMILY_REPORTS];
