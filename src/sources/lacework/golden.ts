/**
 * The raw golden inputs of Lacework Edge's sourcetypes (SourceModule.goldenInputs): simulator
 * audit events (one with a request body past extraction_cutoff) and alerts.
 * test/golden/build-inputs.ts writes them to test/golden.
 */
import { changedFields, changeEvent, track } from './alerts';
import { SimData } from './simulator/data';

/** Raw lines per sourcetype. */
export function laceworkGoldenInputs(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const lw = new SimData(9);
  const t0 = Date.UTC(2026, 10, 21, 9, 0, 0, 123);
  const audits = Array.from({ length: 12 }, (_, i) => JSON.stringify(lw.auditEvent(t0 + i * 1000)));
  // A successful POST with a request body of ~12 KB: the keys after it lie past extraction_cutoff.
  const bigBody = { ...JSON.parse(audits[2]), method: 'POST', op: 'CreateApp', path: '/api/v1/apps', matched_path: '/api/v1/apps', response_status: 201, response_status_text: 'Created', request_body: JSON.stringify({ name: 'app-big', rules: Array.from({ length: 300 }, (_, i) => ({ id: i, match: `"user_login":"x${i}"`, note: 'padding padding' })) }) };
  out['lacework:edge:audit'] = [...audits, JSON.stringify(bigBody)];
  out['lacework:edge:alert'] = Array.from({ length: 6 }, (_, i) => JSON.stringify(lw.alert(t0 + i * 60000)));
  // One alert's life as the alerts input reports it: new, then closed and assigned (an update
  // with what changed and the previous values), through the collector's own change functions.
  const created = Date.UTC(2026, 10, 18, 10, 0, 0);
  const closedAt = Date.UTC(2026, 10, 20, 10, 0, 0);
  const opened = {
    account_name: 'acme', assignment_time: 0, closed_time: 0, create_time: created, description: 'Suspicious activity 8', event_type: 'data_exfiltration',
    incident_status: 0, owner_display_name: '', owner_uuid: '', policy_action_taken: 0, related_entities: { devices_count: 3, users_count: 3 },
    severity: 4, status: 1, update_time: created, uuid: '5d8e2c1a-6b3f-4c2d-9e1f-0a1b2c3d4e5f',
  };
  const closed = { ...opened, closed_time: closedAt, incident_status: 1, owner_display_name: 'Carol Ops', owner_uuid: 'u-0003', status: 3, update_time: closedAt };
  const before = track(opened, created);
  out['lacework:edge:alert'].push(
    JSON.stringify(changeEvent(opened, 'new', undefined, [], undefined)),
    JSON.stringify(changeEvent(closed, 'updated', before, changedFields(before, track(closed, created)), undefined)),
  );
  return out;
}
