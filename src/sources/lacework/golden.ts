/**
 * The raw golden inputs of Lacework Edge's sourcetypes (SourceModule.goldenInputs): simulator
 * audit events (one with a request body past extraction_cutoff) and alerts.
 * test/golden/build-inputs.ts writes them to test/golden.
 */
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
  return out;
}
