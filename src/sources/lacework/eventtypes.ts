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
    // A login is a POST but changes nothing, and a refused call (4xx/5xx) changed nothing either.
    name: 'lacework_edge_audit_change', description: 'Lacework Edge API calls that changed configuration (accepted, not logins).',
    search: `${audit} (method="POST" OR method="PUT" OR method="PATCH" OR method="DELETE") response_status<400 NOT op="Login"`, tags: ['change'],
  },
  {
    name: 'lacework_edge_audit_login', description: 'Lacework Edge console and API logins, accepted or refused.',
    search: `${audit} op="Login"`, tags: ['authentication'],
  },
  {
    name: 'lacework_edge_audit_authentication_failure', description: 'Lacework Edge API calls refused for their credentials.',
    search: `${audit} response_status=401`, tags: ['authentication'],
  },
];
