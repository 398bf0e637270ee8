/**
 * The raw golden input of pan:prisma_saas (SourceModule.goldenInputs): the seed's five examples,
 * admin logins as tenants send them, simulator events and one body in the seed's invalid style.
 * test/golden/build-inputs.ts writes it to test/golden.
 */
import { eventGenerator, seedStyleInvalid } from './simulator/events';

/** Raw lines per sourcetype. */
export function prismaGoldenInputs(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const prisma = eventGenerator({ seed: 5, startMs: Date.UTC(2026, 10, 21, 8, 0, 0) });
  // The seed's five examples (with its missing/trailing commas repaired), then simulator output.
  const seedPrisma = [
    { log_type: 'activity_monitoring', item_type: 'File', item_name: 'My File', user: 'John Smith', source_ip: '10.10.10.10', location: 'Somewhere, USA', action: 'delete', target_name: null, target_type: null, serial: 'mySerial', cloud_app_instance: 'My Cloud App', timestamp: '2017-02-17T00:18:58.961Z' },
    { log_type: 'incident', item_type: 'File', item_name: 'My File', asset_id: 'ce7c9ed11e6f4891ae73c1601af7f741', item_owner: 'John Smith', container_name: 'test-container', item_creator: 'John Smith', exposure: 'public', occurrences_by_rule: 5, serial: 'mySerial', cloud_app_instance: 'My Cloud App', timestamp: '2017-02-17T00:18:58.347Z', incident_id: '9610efdcd8a74a259bf031843eac0309', policy_rule_name: 'PCI Policy', incident_category: 'Testing', incident_owner: 'John Smith', item_owner_email: 'owner@email-domain.com', item_creator_email: 'owner@email-domain.com' },
    { log_type: 'remediation', item_type: 'File', item_name: 'My File', asset_id: 'ce7c9ed11e6f4891ae73c1601af7f741', item_owner: 'John Smith', item_creator: 'John Smith', container_name: 'test-container', action_taken: 'quarantine', action_taken_by: 'John Smith', serial: 'mySerial', cloud_app_instance: 'My Cloud App', timestamp: '2017-02-17T00:18:55.581Z', incident_id: '9610efdcd8a74a259bf031843eac0309', policy_rule_name: 'PCI Policy', item_owner_email: 'owner@email-domain.com', item_creator_email: 'owner@email-domain.com' },
    { log_type: 'policy_violation', severity: 3.0, item_type: 'File', item_name: 'My File', item_owner: 'John Smith', item_creator: 'John Smith', action_taken: 'download', action_taken_by: 'John Smith', asset_id: 'ce7c9ed11e6f4891ae73c1601af7f741', serial: 'serial', cloud_app_instance: 'My Cloud App', timestamp: '2017-01-06T19:04:06Z', policy_rule_name: 'Policy Rule', incident_id: '9610efdcd8a74a259bf031843eac0309', item_owner_email: 'owner@email-domain.com', item_creator_email: 'owner@email-domain.com' },
    { log_type: 'admin_audit', admin_id: 'admin id', admin_role: 'admin role', ip: 'ip address', event_type: 'event type', item_type: 'File', item_name: 'My File', field: 'field', action: 'action', resource_value_old: 'old val', resource_value_new: 'new val', timestamp: '2017-04-06T21:35:10.025Z', serial: 'mySerial' },
  ];
  // Last: a body in the seed's own invalid style, which the collector indexes as it came; it must
  // yield no CIM tags (its fields cannot be extracted) rather than half-filled CIM events.
  // Admin logins as real tenants send them (event_type=login, action sign_in/sign_out), a failed one,
  // and the documented form.
  const logins = [
    { log_type: 'admin_audit', admin_id: 'maria.garcia@example.com', admin_role: 'super_admin', ip: '192.0.2.31', event_type: 'login', item_type: 'user', item_name: 'session 31', field: '', action: 'sign_in', resource_value_old: '', resource_value_new: '', timestamp: '2026-11-21T08:10:00.100Z', serial: '007051000123456' },
    { log_type: 'admin_audit', admin_id: 'maria.garcia@example.com', admin_role: 'super_admin', ip: '192.0.2.31', event_type: 'login', item_type: 'user', item_name: 'session 31', field: '', action: 'sign_out', resource_value_old: '', resource_value_new: '', timestamp: '2026-11-21T08:40:00Z', serial: '007051000123456' },
    { log_type: 'admin_audit', admin_id: 'eve@example.com', admin_role: 'admin', ip: '203.0.113.9', event_type: 'login', item_type: 'user', item_name: 'session 32', field: '', action: 'sign_in_failed', resource_value_old: '', resource_value_new: '', timestamp: '2026-11-21T08:41:00.000Z', serial: '007051000123456' },
    { log_type: 'admin_audit', admin_id: 'aisha.khan@example.com', admin_role: 'admin', ip: '192.0.2.12', event_type: 'settings', item_type: 'user', item_name: 'session 33', field: '', action: 'logout', resource_value_old: '', resource_value_new: '', timestamp: '2026-11-21T08:42:00.000Z', serial: '007051000123456' },
  ];
  out['pan:prisma_saas'] = [...logins.map((e) => JSON.stringify(e)), ...seedPrisma.map((e) => JSON.stringify(e).replace('"severity":3', '"severity":3.0')), ...Array.from({ length: 20 }, () => JSON.stringify(prisma())), seedStyleInvalid(prisma())];
  return out;
}
