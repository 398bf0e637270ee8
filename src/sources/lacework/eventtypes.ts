/**
 * Lacework Edge eventtypes and their CIM tags (generated into eventtypes.conf/tags.conf by
 * src/build/generators from ./knowledge.ts). Alerts are CIM Alerts. The audit trail records every API
 * call: calls that change something (any method but GET/HEAD/OPTIONS) are CIM Change, and calls
 * refused for their credentials (HTTP 401) are failed authentications.
 */
import type { EventTypeDefinition } from '../../core/eventtype';

export const LACEWORK_ALERT_SOURCETYPE = 'lacework:edge:alert';
export const LACEWORK_AUDIT_SOURCETYPE = 'lacework:edge:audit';

const alert = `sourcetype="${LACEWORK_ALERT_SOURCETYPE}"`;
const audit = `sourcetype="${LACEWORK_AUDIT_SOURCETYPE}"`;

export const LACEWORK_EVENT_TYPES: readonly EventTypeDefinition[] = [
  { name: 'lacework_edge_alert', description: 'Lacework Edge alerts, as created and on every later state change.', search: alert, tags: ['alert'] },
  { name: 'lacework_edge_audit', description: 'Every Lacework Edge audit event (one per API call).', search: audit, tags: [] },
  {
    name: 'lacework_edge_audit_change', description: 'Lacework Edge API calls that change configuration.',
    search: `${audit} (method="POST" OR method="PUT" OR method="PATCH" OR method="DELETE")`, tags: ['change'],
  },
  {
    name: 'lacework_edge_audit_authentication_failure', description: 'Lacework Edge API calls refused for their credentials.',
    search: `${audit} response_status=401`, tags: ['authentication'],
  },
];
