/**
 * Raw Lacework Edge events as its audit and alert APIs return them, with the eventtypes and tags an analyst must see:
 * the module's `analystSamples` hook, run through `npm run preview` by test/catalog/golden.test.ts.
 */
import type { AnalystSample } from '../../core/source-hooks';

export const laceworkAnalystSamples: readonly AnalystSample[] = [
  {
    title: 'Lacework Edge: alert',
    sourcetype: 'lacework:edge:alert',
    raw: JSON.stringify({ account_name: 'acme', assignment_time: 0, closed_time: 0, create_time: 1763720100000, description: 'Impossible travel', event_type: 'impossible_travel', incident_status: 1, owner_display_name: 'SOC', owner_uuid: 'u-1', policy_action_taken: 0, related_entities: { devices_count: 1, users_count: 1 }, severity: 4, status: 1, update_time: 1763720100000, uuid: 'a1b2c3' }),
    eventtypes: ['lacework_edge_alert'],
    tags: ['alert'],
  },
  {
    title: 'Lacework Edge: audit of a configuration change',
    sourcetype: 'lacework:edge:audit',
    raw: JSON.stringify({ account_name: 'acme', auth_account_name: 'acme', auth_role: 'admin', auth_type: 'api_key', auth_uuid: 'k-1', client_ip: '198.51.100.8', create_time: 1763720100, method: 'POST', op: 'CreatePolicy', path: '/api/v1/policies', protocol: 'HTTP/1.1', response_status: 200, user_login: 'ops@example.com', uuid: 'e-1' }),
    eventtypes: ['lacework_edge_audit', 'lacework_edge_audit_change'],
    tags: ['change'],
  },
  {
    title: 'Lacework Edge: audit of refused credentials',
    sourcetype: 'lacework:edge:audit',
    raw: JSON.stringify({ account_name: 'acme', client_ip: '203.0.113.50', create_time: 1763720100, method: 'GET', path: '/api/v1/users', response_status: 401, response_status_text: 'Unauthorized', uuid: 'e-2' }),
    eventtypes: ['lacework_edge_audit', 'lacework_edge_audit_authentication_failure'],
    tags: ['authentication'],
  },
];
