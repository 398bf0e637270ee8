/**
 * Macros and saved searches of the add-on. Index names and thresholds live in macros so an admin
 * sets each once (Settings > Advanced search > Search macros) and every search, alert and
 * dashboard follows. Saved searches ship disabled: an admin enables the ones that fit.
 */
import { HEALTH_SOURCETYPE } from '../../core/app';
import { ILLUMIO_FAMILIES } from '../../sources/illumio/catalog';

export interface MacroDefinition {
  /** Stanza name: the macro name, plus `(<n>)` when it takes arguments. */
  name: string;
  args?: readonly string[];
  definition: string;
  description: string;
}

export const MACROS: readonly MacroDefinition[] = [
  {
    name: 'ta_zerotrust_illumio_index', definition: 'index=main',
    description: 'Indexes holding Illumio PCE data (sourcetypes illumio:pce:*, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index you chose, e.g. (index=zerotrust OR index=syslog). index=* would scan every index the role may search.',
  },
  {
    name: 'ta_zerotrust_prisma_index', definition: 'index=main',
    description: 'Indexes holding Prisma SaaS data (sourcetype pan:prisma_saas, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index of the Prisma SaaS input, e.g. index=zerotrust.',
  },
  {
    name: 'ta_zerotrust_lacework_index', definition: 'index=main',
    description: 'Indexes holding Lacework Edge data (sourcetypes lacework:edge:*, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index of the Lacework Edge inputs, e.g. index=zerotrust.',
  },
  {
    name: 'ta_zerotrust_health',
    definition: `(\`ta_zerotrust_illumio_index\` OR \`ta_zerotrust_prisma_index\` OR \`ta_zerotrust_lacework_index\`) sourcetype="${HEALTH_SOURCETYPE}"`,
    description: 'The add-on health events: one per input run (status, counts, lag, errors, interval), written by each input into its own index, and one by the launcher when it cannot start. Readable by every role that reads the data, unlike _internal.',
  },
  {
    name: 'ta_zerotrust_internal_logs', definition: 'index=_internal sourcetype="ta_zerotrust_events:log"',
    description: 'The add-on\'s own logs ($SPLUNK_HOME/var/log/splunk/ta_zerotrust_events_<input>.log, indexed into _internal by Splunk\'s own monitor; props.conf gives them this sourcetype). Only roles that may search _internal (admin) see them; the health events (ta_zerotrust_health) carry the same run summaries for everyone.',
  },
  {
    name: 'ta_zerotrust_missed_runs', definition: '3',
    description: 'Runs an input may miss before "Add-on - No data from an input" reports it: the threshold is this many times the input\'s own interval (at least 15 minutes), so a daily input is not reported after an hour.',
  },
  {
    name: 'ta_zerotrust_syslog_quiet_minutes', definition: '60',
    description: 'Minutes without an Illumio syslog, CEF or LEEF event from a PCE (host) after which "Add-on - Illumio syslog feed silent" reports it. The PCE logs system events continuously, so an hour of silence means the feed broke.',
  },
  {
    name: 'ta_zerotrust_illumio_client',
    definition: 'eval src = if(src == dest OR src == "FILTERED", null(), src), user = if(user == "system" AND match(event_type, "^request\\.authentication_failed"), null(), user)',
    description: 'For Illumio authentication searches: the client address only when the PCE recorded one (with a FILTERED or missing client IP, src falls back to the PCE itself, which no analyst should read as an attacker), and no user "system" for refused API calls that supplied no username.',
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
  {
    name: 'ta_zerotrust_prisma_high_severity', definition: '(vendor_severity>=4)',
    description: 'Which Prisma SaaS incidents and policy violations count as high severity. Prisma SaaS rates them 0 to 5 (vendor_severity); the default takes 4 and 5.',
  },
  {
    name: 'ta_zerotrust_lacework_critical', definition: '(vendor_severity=4)',
    description: 'Which Lacework Edge alerts count as critical. The API gives severity as an integer enum without naming its values; 4 assumes the protobuf order unspecified, low, medium, high, critical. Check one alert your console shows as critical and set the value it carries.',
  },
  {
    name: 'ta_zerotrust_lacework_labels',
    definition: 'eval alert_status = case(status=1, "open", status=2, "in progress", status=3, "closed", true(), status), previous_alert_status = case(previous_status=1, "open", previous_status=2, "in progress", previous_status=3, "closed", true(), previous_status), incident_status_label = case(incident_status=0, "none", incident_status=1, "true positive", incident_status=2, "false positive", incident_status=3, "benign", true(), incident_status)',
    description: 'Names for the integers Lacework Edge gives as alert status (1 open, 2 in progress, 3 closed), previous status and incident status (0 none, 1 true positive, 2 false positive, 3 benign), as the Lacework Edge API enumerates them. severity already has names (props.conf); vendor_severity keeps the integer.',
  },
  {
    name: 'ta_zerotrust_lacework_open', definition: '(closed_time=0 OR NOT closed_time=*)',
    description: 'Lacework Edge alerts that are still open: not closed yet (closed_time is 0 until an alert is closed).',
  },
];

export interface SavedSearchDefinition {
  name: string;
  description: string;
  search: string;
  cron: string;
  /** Event-time bounds (dispatch.earliest_time/latest_time). */
  earliest: string;
  latest: string;
  /** Index-time window (dispatch.index_earliest/index_latest): set for "what arrived since the last run", so late events count. */
  indexEarliest?: string;
  indexLatest?: string;
  /** Set instead of the index-time window for a state over a period: why event time answers it and an index-time slice would not. */
  eventTimeBecause?: string;
  /** Set for alerts: raise when the search returns any result. */
  alert?: { severity: 1 | 2 | 3 | 4 | 5 | 6; suppressFields?: string; suppressPeriod?: string };
}

const ILLUMIO = '`ta_zerotrust_illumio_index`';
const PRISMA = '`ta_zerotrust_prisma_index`';
const LACEWORK = '`ta_zerotrust_lacework_index`';

function anyOf(eventtypes: readonly string[]): string {
  const terms = eventtypes.map((e) => `eventtype="${e}"`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

function illumioTypes(...types: string[]): string {
  return `${ILLUMIO} ${anyOf(types.map((t) => `illumio_${t}`))}`;
}

/**
 * Searches whose question is "what arrived since the last run" take an index-time window that tiles
 * with their cron schedule: consecutive runs' windows [index_earliest, index_latest) meet end to
 * start, so every event is searched exactly once however late its _time is (a PCE or vendor that
 * reports late, a collector that catches up after an outage). Splunk resolves a scheduled search's
 * relative times against its scheduled time, not its start, so a run delayed by schedule_window
 * still gets its own slice. Each window ends five minutes before the run: more than the inputs'
 * poll lag (30 s) and indexing delay, so nothing is still on its way into a slice once it is read.
 * The input interval (300 s) needs no allowance here: an event's _indextime is when it arrived,
 * whenever the input polled. The event-time bounds only keep the search off old buckets: a week
 * back (far wider than any collector backlog; older events are a backfill, not news), a day ahead
 * (vendor clocks run fast).
 *
 * Searches whose question is a state over a period (latest state per alert, last run per input,
 * last event per feed) keep event-time windows: what matters there is when things happened, and
 * every event in the period, however late it arrived, is in it on each run. Each says why in its
 * eventTimeBecause.
 */
const LATE_EVENTS = { earliest: '-7d@m', latest: '+1d@m' } as const;

/** Every 15 minutes (three input intervals of 300 s) over what was indexed in [-20m@m, -5m@m). */
const QUARTER = { cron: '*/15 * * * *', ...LATE_EVENTS, indexEarliest: '-20m@m', indexLatest: '-5m@m' } as const;

/** Hourly at :05 over what was indexed in the previous clock hour [-65m@m, -5m@m). */
const HOURLY = { cron: '5 * * * *', ...LATE_EVENTS, indexEarliest: '-65m@m', indexLatest: '-5m@m' } as const;

/** Daily at 06:07 over what was indexed in the 24 clock hours up to 06:00 [-24h@h, @h). */
const DAILY = { cron: '7 6 * * *', ...LATE_EVENTS, indexEarliest: '-24h@h', indexLatest: '@h' } as const;

const ACTOR_STATS = 'stats count AS events values(event_type) AS event_type values(status) AS status values(src) AS src min(_time) AS first_seen max(_time) AS last_seen';
const TIMES = 'convert ctime(first_seen) ctime(last_seen)';

export const DETECTIONS: readonly SavedSearchDefinition[] = [
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
    name: 'Prisma SaaS - High-severity incidents',
    description: 'Prisma SaaS opened incidents at or above the severity set in ta_zerotrust_prisma_high_severity.',
    search: `${PRISMA} eventtype="prisma_saas_incident" \`ta_zerotrust_prisma_high_severity\` | table _time incident_id severity vendor_severity signature app object user`,
    ...QUARTER, alert: { severity: 4 },
  },
  {
    name: 'Prisma SaaS - High-severity policy violations',
    description: 'Prisma SaaS reported policy violations at or above the severity set in ta_zerotrust_prisma_high_severity.',
    search: `${PRISMA} eventtype="prisma_saas_policy_violation" \`ta_zerotrust_prisma_high_severity\` | table _time incident_id severity vendor_severity signature app object user`,
    ...QUARTER, alert: { severity: 4 },
  },
  {
    name: 'Lacework Edge - Configuration changed through the API',
    description: 'Accepted configuration changes (POST, PUT, PATCH, DELETE answered below 400, logins excluded) made through the Lacework Edge API: who changed what.',
    search: `${LACEWORK} eventtype="lacework_edge_audit_change" | stats count AS calls values(method) AS method values(action) AS action min(_time) AS first_seen max(_time) AS last_seen BY user path | ${TIMES} | sort - calls`,
    ...QUARTER, alert: { severity: 2 },
  },
  {
    name: 'Lacework Edge - Open critical alerts',
    description: 'Lacework Edge alerts that are critical and still open. An alert is indexed again on every state change, so only its latest state counts.',
    search: `${LACEWORK} eventtype="lacework_edge_alert" | dedup uuid | search \`ta_zerotrust_lacework_open\` \`ta_zerotrust_lacework_critical\` | \`ta_zerotrust_lacework_labels\` | eval age_hours = round((now() - create_time / 1000) / 3600, 1) | table _time uuid signature description severity vendor_severity alert_status user age_hours`,
    eventTimeBecause: 'an alert\'s state is its latest event, which may be weeks old for an alert nobody touched; an index-time slice would see only alerts changed in it',
    cron: '*/15 * * * *', earliest: '-30d@d', latest: 'now', alert: { severity: 5, suppressFields: 'uuid', suppressPeriod: '24h' },
  },
  {
    name: 'Add-on - No data from an input',
    description: 'An input that ran in the last 7 days has not reported a run for longer than ta_zerotrust_missed_runs times its own interval (at least 15 minutes): splunkd stopped running it, or it hangs. Read from the health events, so quiet vendors (no new events) do not count as failures, and Prisma\'s unparsed-body source is not mistaken for an input.',
    search: '`ta_zerotrust_health` | stats latest(_time) AS last_run latest(interval_seconds) AS interval_seconds latest(status) AS last_status latest(newest_event_time) AS newest_event BY stanza | eval threshold_minutes = round(max(coalesce(interval_seconds, 300) * `ta_zerotrust_missed_runs`, 900) / 60), minutes_quiet = round((now() - last_run) / 60) | where minutes_quiet > threshold_minutes | convert ctime(last_run) ctime(newest_event) | rename stanza AS input',
    eventTimeBecause: 'the question is when each input last ran (its latest health event in the week), which an index-time slice holding no run could not answer',
    cron: '*/30 * * * *', earliest: '-7d@m', latest: 'now', alert: { severity: 4, suppressFields: 'input', suppressPeriod: '6h' },
  },
  {
    name: 'Add-on - Input runs failing',
    description: 'Runs of an input ended in failure (configuration, authentication, vendor, transient errors, or the launcher could not start Node.js), reported (indexed) in the previous clock hour; error_kind and last_error say why.',
    search: '`ta_zerotrust_health` status=failed | stats count AS failed_runs latest(error_kind) AS error_kind latest(last_error) AS last_error latest(_time) AS last_failure BY stanza | convert ctime(last_failure)',
    // New failures since the last run: a health event that reached the index late (a launcher
    // failure forwarded after an outage) is counted in the hour it arrived.
    ...HOURLY, alert: { severity: 4, suppressFields: 'stanza', suppressPeriod: '6h' },
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
export const FAMILY_REPORTS: readonly SavedSearchDefinition[] = ILLUMIO_FAMILIES.map((f) => ({
  name: `Illumio - ${f.title} - daily activity`,
  description: `Illumio PCE events of the ${f.name} family indexed in the 24 hours up to 06:00, by event type (index time, so an event that arrives after its day's report is in the next one).`,
  search: `${ILLUMIO} eventtype="illumio_family_${f.name}" | stats count AS events values(status) AS status dc(user) AS actors latest(_time) AS last_seen BY event_type | lookup illumio_event_types event_type OUTPUT label AS event_label alert_worthy | convert ctime(last_seen) | sort - events`,
  ...DAILY,
}));
