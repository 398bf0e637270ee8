import { auditSource } from '../../src/sources/lacework';
import { startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';
import { duplicatesOf, logText, runOnce, simParams, tempDir, validateOnce } from './harness';

const STANZA = 'lacework_edge_audit://test';
const H = 3_600_000;
let sim: LaceworkSimulator;

afterEach(async () => {
  await sim?.stop();
});

const uuids = (records: Array<Record<string, unknown>>) => records.map((r) => String(r.uuid));

test('collects every audit event once across windows and runs, with late records caught by the overlap', async () => {
  sim = await startLaceworkSimulator({ seed: 7 });
  const t0 = Date.now();
  sim.addAuditEvents(300, t0 - 5 * H, t0 - 60_000);
  const dir = tempDir();
  const p = simParams(sim, { window: '1800' });

  const first = await runOnce(auditSource, STANZA, dir, p);
  expect(first.summary.status).toBe('ok');
  expect(duplicatesOf(uuids(first.records))).toEqual([]);
  expect(new Set(uuids(first.records))).toEqual(new Set(sim.auditEvents().map((e) => e.uuid)));
  // Every window was asked for, in order, in milliseconds.
  const asked = sim.requests.filter((r) => r.op === 'audit').map((r) => Number(r.query.start_time));
  expect(asked.length).toBeGreaterThanOrEqual(12);
  expect([...asked].sort((a, b) => a - b)).toEqual(asked);

  // A record that reached the API late, with a create_time before the checkpoint, and a new one.
  const late = sim.addAuditEvents(1, Date.now() - 120_000, Date.now() - 120_000);
  const fresh = sim.addAuditEvents(2, Date.now() - 1000, Date.now());
  const second = await runOnce(auditSource, STANZA, dir, p);
  expect(uuids(second.records).sort()).toEqual([...late, ...fresh].map((e) => e.uuid).sort());

  const third = await runOnce(auditSource, STANZA, dir, p);
  expect(third.records).toEqual([]);
});

test('event time comes from create_time and the event is the record as sent', async () => {
  sim = await startLaceworkSimulator({ seed: 8 });
  const [ev] = sim.addAuditEvents(1, Date.now() - H, Date.now() - H);
  const r = await runOnce(auditSource, STANZA, tempDir(), simParams(sim, { redact_request_body: 'false' }));
  expect(r.events).toHaveLength(1);
  expect(r.events[0].time).toBe(ev.create_time / 1000);
  expect(r.events[0].sourcetype).toBe('lacework:edge:audit');
  expect(r.records[0]).toEqual(ev);
});

test('request_body secrets are masked by default and only then', async () => {
  sim = await startLaceworkSimulator({ seed: 9 });
  sim.addAuditEvents(120, Date.now() - 2 * H, Date.now() - 1000);
  const secrets = sim.plantedSecrets();
  expect(secrets.length).toBeGreaterThan(20);

  const masked = await runOnce(auditSource, STANZA, tempDir(), simParams(sim));
  const all = masked.events.map((e) => e.data).join('\n');
  for (const s of secrets) expect(all).not.toContain(s);
  expect(all).toContain('********');
  // Ordinary fields of the bodies survive.
  const bodies = masked.records.map((r) => String(r.request_body));
  expect(bodies.some((b) => b.includes('"client_id":"cid-42"'))).toBe(true);
  expect(bodies.some((b) => b.includes('username=bob&password=********&remember=1'))).toBe(true);
  expect(bodies.some((b) => /"host":"intranet.example.com","port":443/.test(b))).toBe(true);

  const clear = await runOnce(auditSource, STANZA, tempDir(), simParams(sim, { redact_request_body: '0' }));
  const clearText = clear.events.map((e) => e.data).join('\n');
  expect(secrets.filter((s) => clearText.includes(s))).toEqual(secrets);
});

test('proto3 JSON (64-bit times as strings, zero values left out) is read', async () => {
  sim = await startLaceworkSimulator({ seed: 10, protoJson: { int64AsString: true, omitEmpty: true } });
  const evs = sim.addAuditEvents(20, Date.now() - H, Date.now() - 1000);
  const dir = tempDir();
  const r = await runOnce(auditSource, STANZA, dir, simParams(sim));
  expect(new Set(uuids(r.records))).toEqual(new Set(evs.map((e) => e.uuid)));
  expect(typeof r.records[0].create_time).toBe('string');
  expect(r.events.map((e) => e.time)).toEqual(evs.map((e) => e.create_time / 1000));
  expect((await runOnce(auditSource, STANZA, dir, simParams(sim))).records).toEqual([]);
});

test('a failed run keeps the checkpoint at the last delivered batch and the next run completes without repeats', async () => {
  sim = await startLaceworkSimulator({ seed: 11 });
  sim.addAuditEvents(200, Date.now() - 5 * H, Date.now() - 1000);
  // The fourth window keeps failing past the retries.
  sim.addFault({ op: 'audit', after: 3, times: 3, kind: 'status', status: 503 });
  const dir = tempDir();
  const p = simParams(sim, { window: '3600' });
  const first = await runOnce(auditSource, STANZA, dir, p);
  expect(first.summary.status).toBe('failed');
  expect(first.summary.errorKind).toBe('transient');
  expect(first.records.length).toBeGreaterThan(0);
  expect(first.records.length).toBeLessThan(200);
  const second = await runOnce(auditSource, STANZA, dir, p);
  expect(second.summary.status).toBe('ok');
  const all = [...uuids(first.records), ...uuids(second.records)];
  expect(duplicatesOf(all)).toEqual([]);
  expect(new Set(all)).toEqual(new Set(sim.auditEvents().map((e) => e.uuid)));
});

test('a response that is not JSON stops the run with a message naming the path', async () => {
  sim = await startLaceworkSimulator({ seed: 12, faults: [{ op: 'audit', kind: 'malformed' }] });
  sim.addAuditEvents(5, Date.now() - H / 2, Date.now() - 1000);
  const dir = tempDir();
  const r = await runOnce(auditSource, STANZA, dir, simParams(sim));
  expect(r.summary.status).toBe('failed');
  expect(logText(r.logs, 'error')).toMatch(/not valid JSON/);
  const again = await runOnce(auditSource, STANZA, dir, simParams(sim));
  expect(again.records).toHaveLength(5);
});

describe('settings the API document does not state', () => {
  test('a wrong path: 404 names the path setting', async () => {
    sim = await startLaceworkSimulator({ paths: { audit: '/edge/v1/audit' } });
    const r = await runOnce(auditSource, STANZA, tempDir(), simParams(sim));
    expect(r.summary.errorKind).toBe('config');
    const msg = logText(r.logs, 'error');
    expect(msg).toMatch(/404 Not Found/);
    expect(msg).toMatch(/Set path to the path of the query operation/);
    expect(msg).toContain('now /api/v1/audit_events');
    const ok = await runOnce(auditSource, STANZA, tempDir(), simParams(sim, { path: '/edge/v1/audit' }));
    expect(ok.summary.status).toBe('ok');
  });

  test('another header and no scheme: 401 tells which settings to change, and they work', async () => {
    sim = await startLaceworkSimulator({ authHeader: 'X-Api-Key', authScheme: '' });
    sim.addAuditEvents(3, Date.now() - H / 2, Date.now() - 1000);
    const p = simParams(sim, { auth_header: 'Authorization', auth_scheme: 'Bearer' });
    const r = await runOnce(auditSource, STANZA, tempDir(), p);
    expect(r.summary.errorKind).toBe('auth');
    const msg = logText(r.logs, 'error');
    expect(msg).toMatch(/401 Unauthorized/);
    expect(msg).toMatch(/auth_header = Authorization, auth_scheme = Bearer/);
    expect(msg).toMatch(/Set auth_header and auth_scheme/);
    expect(msg).not.toContain(sim.token);
    expect(await validateOnce(auditSource, STANZA, p)).toMatch(/401/);

    const fixed = simParams(sim, { auth_header: 'X-Api-Key', auth_scheme: 'none' });
    expect(await validateOnce(auditSource, STANZA, fixed)).toBeUndefined();
    expect((await runOnce(auditSource, STANZA, tempDir(), fixed)).records).toHaveLength(3);
  });

  test('validation retries a failing service once, not as a run would: the admin waits on the form', async () => {
    sim = await startLaceworkSimulator({ faults: [{ op: 'audit', kind: 'status', status: 503, times: 100 }] });
    expect(await validateOnce(auditSource, STANZA, simParams(sim))).toMatch(/503/);
    expect(sim.requests.filter((r) => r.op === 'audit')).toHaveLength(2);
  });

  test('times in seconds while time_unit = ms: the run says to set time_unit = s', async () => {
    sim = await startLaceworkSimulator({ timeUnit: 's' });
    sim.addAuditEvents(4, Date.now() - 2 * H, Date.now() - H);
    const dir = tempDir();
    const r = await runOnce(auditSource, STANZA, dir, simParams(sim, { time_unit: 'ms' }));
    expect(r.records).toEqual([]);
    expect(logText(r.logs, 'warn')).toMatch(/Set time_unit = s for this input/);
    const fixed = await runOnce(auditSource, STANZA, tempDir(), simParams(sim, { time_unit: 's' }));
    expect(fixed.records).toHaveLength(4);
    expect(fixed.events.map((e) => e.time)).toEqual(sim.auditEvents().map((e) => Math.floor(e.create_time / 1000)));
  });

  test('millisecond API while time_unit = s: the warning names ms', async () => {
    sim = await startLaceworkSimulator({ timeUnit: 'ms' });
    sim.addAuditEvents(3, Date.now() - H, Date.now() - 1000);
    const r = await runOnce(auditSource, STANZA, tempDir(), simParams(sim, { time_unit: 's' }));
    // Seconds sent as milliseconds reach back to 1970: nothing, then the probe finds them.
    expect(r.records).toEqual([]);
    expect(logText(r.logs, 'warn')).toMatch(/Set time_unit = ms for this input/);
  });
});

test('repeats inside one answer and records without uuid or create_time are indexed once', async () => {
  sim = await startLaceworkSimulator({ seed: 13 });
  const [ev] = sim.addAuditEvents(1, Date.now() - H, Date.now() - H);
  const noUuid = { op: 'NoUuid', create_time: Date.now() - 60_000, request_body: 'token=abc123def' };
  const noTime = { op: 'NoTime', uuid: 'u-no-time' };
  sim.pushAuditRecords([ev, noUuid, noTime]);
  const dir = tempDir();
  const p = simParams(sim, { window: '86400' });
  const first = await runOnce(auditSource, STANZA, dir, p);
  expect(first.records.map((r) => r.op ?? r.uuid).sort()).toEqual([ev.op, 'NoTime', 'NoUuid'].sort());
  expect(first.records.find((r) => r.op === 'NoUuid')).toEqual({ ...noUuid, request_body: 'token=********' });
  expect(first.events.find((e) => e.data.includes('NoTime'))?.time).toBeUndefined();
  expect(logText(first.logs, 'warn')).toMatch(/2 audit record\(s\) lacked uuid or create_time/);
  // Both come back in the next run's overlap; the uuid or the content keeps them from repeating.
  const second = await runOnce(auditSource, STANZA, dir, p);
  expect(sim.requests.filter((r) => r.op === 'audit').at(-1)?.count).toBe(2);
  expect(second.records).toEqual([]);
});
