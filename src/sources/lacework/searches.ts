/** Lacework Edge macros and saved searches (generated into default/ by src/build/generators). */
import { indexMacro, QUARTER, TIMES } from '../../core/knowledge/searches';
import type { MacroDefinition, SavedSearchDefinition } from '../../core/knowledge/spec';

const LACEWORK = indexMacro('lacework');

export const LACEWORK_INDEX_MACRO_DESCRIPTION = 'Indexes holding Lacework Edge data (sourcetypes lacework:edge:*, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index of the Lacework Edge inputs, e.g. index=zerotrust.';

export const LACEWORK_MACROS: readonly MacroDefinition[] = [
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

export const LACEWORK_SEARCHES: readonly SavedSearchDefinition[] = [
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
];
