import * as fs from 'node:fs';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { alertsSource, auditSource } from '../../src/sources/lacework';
import { ALERTS_CHECKPOINT } from '../../src/sources/lacework/checkpoint';
import { SIM_ALERT_STATUS, SIM_USERS, startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';
import { writeRawCheckpoint } from '../support/checkpoint';
import { duplicatesOf, logText, runOnce, simParams, tempDir, validateOnce } from './harness';

const STANZA = 'lacework_edge_alerts://test';
const H = 3_600_000;
let sim: LaceworkSimulator;

afterEach(async () => {
  await sim?.stop();
});

const ids = (records: Array<Record<string, unknown>>) => records.map((r) => String(r.uuid));
const checkpoint = (dir: string) => fileCheckpointStore(dir, STANZA).load(ALERTS_CHECKPOINT);

describe.each([
  ['the query returns only open alerts', { queryReturnsClosed: false }],
  ['the query returns closed alerts too', { queryReturnsClosed: true }],
  ['the query selects by update time', { queryReturnsClosed: true, alertQueryTime: 'update_time' as const }],
])('when %s', (_name, variant) => {
  test('new alerts once, then one event per closure or reassignment with the previous values', async () => {
    sim = await startLaceworkSimulator({ seed: 21, ...variant });
    const created = sim.addAlerts(40, Date.now() - 5 * H, Date.now() - 60_000);
    const dir = tempDir();
    const p = simParams(sim, { window: '3600' });

    const first = await runOnce(alertsSource, STANZA, dir, p);
    expect(first.summary.status).toBe('ok');
    expect(first.records.map((r) => r.change_kind)).toEqual(created.map(() => 'new'));
    expect(new Set(ids(first.records))).toEqual(new Set(created.map((a) => a.uuid)));
    expect(duplicatesOf(ids(first.records))).toEqual([]);
    expect(first.events[0].sourcetype).toBe('lacework:edge:alert');
    expect(first.events.map((e) => e.time)).toEqual(created.map((a) => a.create_time / 1000));

    expect((await runOnce(alertsSource, STANZA, dir, p)).records).toEqual([]);

    // One old alert (first window) closed, one reassigned, one created.
    const [closeMe, assignMe] = [created[0], created[25]];
    const closedNow = sim.changeAlert(closeMe.uuid, { close: { incident_status: 2, note: 'benign' } });
    const carol = SIM_USERS[2];
    const assigned = sim.changeAlert(assignMe.uuid, { owner: { uuid: carol.uuid, display_name: carol.name }, status: SIM_ALERT_STATUS.IN_PROGRESS });
    const [fresh] = sim.addAlerts(1, Date.now() - 1000, Date.now() - 1000);

    const third = await runOnce(alertsSource, STANZA, dir, p);
    expect(third.summary.status).toBe('ok');
    const byId = new Map(third.records.map((r) => [String(r.uuid), r]));
    expect(third.records).toHaveLength(3);
    expect(byId.get(fresh.uuid)?.change_kind).toBe('new');
    expect(byId.get(closeMe.uuid)).toEqual({
      ...closedNow,
      change_kind: 'updated',
      changed_fields: ['status', 'incident_status', 'update_time'],
      previous_status: SIM_ALERT_STATUS.OPEN,
      previous_incident_status: 0,
      previous_owner_uuid: '',
      previous_owner_display_name: '',
      previous_update_time: closeMe.update_time,
    });
    expect(byId.get(assignMe.uuid)).toMatchObject({
      ...assigned,
      change_kind: 'updated',
      changed_fields: ['status', 'owner_uuid', 'update_time'],
      previous_status: SIM_ALERT_STATUS.OPEN,
      previous_owner_uuid: '',
    });
    const closedEvent = third.events.find((e) => e.data.includes(closeMe.uuid))!;
    expect(closedEvent.time).toBe(closedNow.closed_time / 1000);

    // The closed alert is no longer followed; nothing changed since.
    const cp = await checkpoint(dir);
    expect(cp?.open[closeMe.uuid]).toBeUndefined();
    expect(cp?.open[assignMe.uuid]).toMatchObject({ o: carol.uuid, s: SIM_ALERT_STATUS.IN_PROGRESS });
    expect((await runOnce(alertsSource, STANZA, dir, p)).records).toEqual([]);

    // A second change of the same alert is a second event, compared with the new state.
    const reassigned = sim.changeAlert(assignMe.uuid, { owner: { uuid: SIM_USERS[0].uuid, display_name: SIM_USERS[0].name } });
    const fifth = await runOnce(alertsSource, STANZA, dir, p);
    expect(fifth.records).toHaveLength(1);
    expect(fifth.records[0]).toMatchObject({
      uuid: assignMe.uuid, owner_uuid: SIM_USERS[0].uuid, change_kind: 'updated', changed_fields: ['owner_uuid', 'update_time'],
      previous_owner_uuid: carol.uuid, previous_owner_display_name: carol.name, previous_update_time: assigned.update_time,
      update_time: reassigned.update_time,
    });
  });
});

test('an alert changed while not followed is reported as updated without previous values', async () => {
  sim = await startLaceworkSimulator({ seed: 28, alertQueryTime: 'update_time' });
  const [old] = sim.addAlerts(1, Date.now() - 30 * H, Date.now() - 30 * H);
  const dir = tempDir();
  expect((await runOnce(alertsSource, STANZA, dir, simParams(sim))).records).toEqual([]);
  const changed = sim.changeAlert(old.uuid, { owner: { uuid: 'u-0002', display_name: 'Bob Analyst' } });
  const r = await runOnce(alertsSource, STANZA, dir, simParams(sim));
  expect(r.records).toEqual([{ ...changed, change_kind: 'updated' }]);
  expect(r.events[0].time).toBe(changed.update_time / 1000);
  expect((await runOnce(alertsSource, STANZA, dir, simParams(sim))).records).toEqual([]);
});

test('only alerts that left the query are read one by one', async () => {
  sim = await startLaceworkSimulator({ seed: 22 });
  const created = sim.addAlerts(30, Date.now() - 4 * H, Date.now() - 60_000);
  const dir = tempDir();
  await runOnce(alertsSource, STANZA, dir, simParams(sim));
  sim.changeAlert(created[3].uuid, { close: { incident_status: 1 } });
  sim.changeAlert(created[4].uuid, { owner: { uuid: 'u-0003', display_name: 'Carol Ops' } });
  const before = sim.requests.length;
  const r = await runOnce(alertsSource, STANZA, dir, simParams(sim));
  expect(r.records).toHaveLength(2);
  const gets = sim.requests.slice(before).filter((q) => q.op === 'alert').map((q) => q.path);
  expect(gets).toEqual([`/api/v1/alerts/${created[3].uuid}`]);
});

test('status_filter is sent as given, and alerts leaving it are still followed', async () => {
  sim = await startLaceworkSimulator({ seed: 23 });
  const created = sim.addAlerts(10, Date.now() - 2 * H, Date.now() - 60_000);
  const dir = tempDir();
  const p = simParams(sim, { status_filter: '1' });
  expect((await runOnce(alertsSource, STANZA, dir, p)).records).toHaveLength(10);
  expect(sim.requests.filter((q) => q.op === 'alerts').every((q) => q.query.status_filter === '1')).toBe(true);
  sim.changeAlert(created[0].uuid, { status: SIM_ALERT_STATUS.IN_PROGRESS });
  const r = await runOnce(alertsSource, STANZA, dir, p);
  expect(r.records).toHaveLength(1);
  expect(r.records[0]).toMatchObject({ uuid: created[0].uuid, status: 2, previous_status: 1 });
  expect(await validateOnce(alertsSource, STANZA, simParams(sim, { status_filter: 'open' }))).toMatch(/status_filter.*AlertStatus integers/);
});

test('a service that requires status_filter: the message says to set it', async () => {
  sim = await startLaceworkSimulator({ seed: 29, statusFilterRequired: true });
  sim.addAlerts(3, Date.now() - H, Date.now() - 60_000);
  const r = await runOnce(alertsSource, STANZA, tempDir(), simParams(sim));
  expect(r.summary.errorKind).toBe('config');
  expect(logText(r.logs, 'error')).toMatch(/400 Bad Request \("\{\\"code\\":3,\\"message\\":\\"status_filter is required\\"\}"\).*set status_filter to the AlertStatus integers/);
  expect((await runOnce(alertsSource, STANZA, tempDir(), simParams(sim, { status_filter: '1,2' }))).records).toHaveLength(3);
});

test('include_history adds the investigation history of changed alerts, masked', async () => {
  sim = await startLaceworkSimulator({ seed: 24 });
  const created = sim.addAlerts(5, Date.now() - H, Date.now() - 60_000);
  const dir = tempDir();
  const p = simParams(sim, { include_history: 'true' });
  const first = await runOnce(alertsSource, STANZA, dir, p);
  expect(first.records.every((r) => !('investigation_actions' in r))).toBe(true);
  sim.changeAlert(created[1].uuid, { close: { incident_status: 3, note: 'user reset password: Temp#4711' } });
  const r = await runOnce(alertsSource, STANZA, dir, p);
  expect(r.records).toHaveLength(1);
  const actions = r.records[0].investigation_actions as Array<{ action: { close_with_reason?: { note_text: string } } }>;
  expect(actions).toHaveLength(1);
  expect(actions[0].action.close_with_reason?.note_text).toBe('user reset password: ********');
  expect(r.events[0].data).not.toContain('Temp#4711');

  // A key without the right to read the history still delivers the change.
  sim.addFault({ op: 'history', kind: 'status', status: 403 });
  sim.changeAlert(created[2].uuid, { owner: { uuid: 'u-0001', display_name: 'Alice Admin' } });
  const refused = await runOnce(alertsSource, STANZA, dir, p);
  expect(refused.summary.status).toBe('ok');
  expect(refused.records).toHaveLength(1);
  expect(refused.records[0]).not.toHaveProperty('investigation_actions');
  expect(logText(refused.logs, 'warn')).toMatch(/answered 403, so events were written without investigation_actions\. Give the API key a role/);
});

test('a wrong history_path or alert_path is named in the log and the run goes on', async () => {
  sim = await startLaceworkSimulator({ seed: 25, paths: { alert: '/api/v1/alert/{uuid}', history: '/api/v1/alerts/{uuid}/history' } });
  const created = sim.addAlerts(6, Date.now() - H, Date.now() - 60_000);
  const dir = tempDir();
  const p = simParams(sim, { include_history: '1' });
  await runOnce(alertsSource, STANZA, dir, p);
  sim.changeAlert(created[0].uuid, { close: { incident_status: 1 } });
  sim.changeAlert(created[1].uuid, { owner: { uuid: 'u-0002', display_name: 'Bob Analyst' } });
  const r = await runOnce(alertsSource, STANZA, dir, p);
  expect(r.summary.status).toBe('ok');
  // The reassignment is still seen by the query; the closure needs alert_path.
  expect(ids(r.records)).toEqual([created[1].uuid]);
  expect(logText(r.logs, 'error')).toMatch(/answered 404 for all 1 open alert\(s\).*set alert_path/);
  expect(logText(r.logs, 'warn')).toMatch(/answered 404.*Set history_path/);

  const fixed = simParams(sim, { include_history: '1', alert_path: '/api/v1/alert/{uuid}', history_path: '/api/v1/alerts/{uuid}/history' });
  const again = await runOnce(alertsSource, STANZA, dir, fixed);
  expect(ids(again.records)).toEqual([created[0].uuid]);
  expect(again.records[0].investigation_actions).toHaveLength(1);
  expect(logText(again.logs, 'error')).toBe('');
});

test('a deleted alert is dropped after a few runs of 404', async () => {
  sim = await startLaceworkSimulator({ seed: 26 });
  const [gone] = sim.addAlerts(2, Date.now() - H, Date.now() - 60_000);
  const dir = tempDir();
  await runOnce(alertsSource, STANZA, dir, simParams(sim));
  sim.deleteAlert(gone.uuid);
  for (let i = 0; i < 3; i++) {
    expect((await checkpoint(dir))?.open[gone.uuid]).toBeDefined();
    await runOnce(alertsSource, STANZA, dir, simParams(sim));
  }
  expect((await checkpoint(dir))?.open[gone.uuid]).toBeUndefined();
});

test('the open-alert state in the checkpoint stays bounded', async () => {
  sim = await startLaceworkSimulator({ seed: 27 });
  const created = sim.addAlerts(150, Date.now() - 3 * H, Date.now() - 60_000);
  const dir = tempDir();
  const r = await runOnce(alertsSource, STANZA, dir, simParams(sim, { max_tracked_alerts: '100' }));
  expect(r.records).toHaveLength(150);
  const cp = (await checkpoint(dir))!;
  expect(Object.keys(cp.open)).toHaveLength(100);
  // The newest are kept.
  expect(Object.keys(cp.open).sort()).toEqual(created.slice(50).map((a) => a.uuid).sort());
  expect(logText(r.logs, 'warn')).toMatch(/the 50 oldest are no longer followed.*Raise max_tracked_alerts/);
});

test('validation proves path and token', async () => {
  sim = await startLaceworkSimulator({ paths: { alerts: '/v1/alerts' } });
  expect(await validateOnce(alertsSource, STANZA, simParams(sim))).toMatch(/404 Not Found: the service has no such path\. Set path/);
  expect(await validateOnce(alertsSource, STANZA, simParams(sim, { path: '/v1/alerts' }))).toBeUndefined();
  expect(await validateOnce(alertsSource, STANZA, simParams(sim, { path: '/v1/alerts', api_token: 'wrong' }))).toMatch(/401 Unauthorized/);
});

test('validation proves alert_path and history_path when an alert is at hand', async () => {
  sim = await startLaceworkSimulator({ paths: { alert: '/v1/alert/{uuid}', history: '/v1/alert/{uuid}/actions' } });
  // No alert in the last hour: nothing to prove the get-one path with.
  expect(await validateOnce(alertsSource, STANZA, simParams(sim))).toBeUndefined();
  sim.addAlerts(1, Date.now() - 60_000, Date.now() - 60_000);
  expect(await validateOnce(alertsSource, STANZA, simParams(sim))).toMatch(/answered 404 for an alert the query just returned\. Set alert_path/);
  const fixed = { alert_path: '/v1/alert/{uuid}', include_history: '1' };
  expect(await validateOnce(alertsSource, STANZA, simParams(sim, fixed))).toMatch(/Set history_path/);
  expect(await validateOnce(alertsSource, STANZA, simParams(sim, { ...fixed, history_path: '/v1/alert/{uuid}/actions' }))).toBeUndefined();
});

describe('a saved checkpoint the input cannot use stops it: no change is lost or reported twice', () => {
  // Each was once taken in part: an `open` that is not a map of alerts was read as "no alert
  // followed" (their closures never reported), a dedup entry without its time silently dropped.
  test.each([
    ['alerts: the followed alerts as a list of uuids', alertsSource, 'lacework_edge_alerts://test', (cp: Record<string, unknown>) => ({ ...cp, open: Object.keys(cp.open as object) }),
      /is not a valid Lacework Edge alerts checkpoint \(version 1\): \/open must be object/],
    ['alerts: a followed alert whose status is text', alertsSource, 'lacework_edge_alerts://test', (cp: Record<string, unknown>) => ({ ...cp, open: Object.fromEntries(Object.entries(cp.open as object).map(([k, t]) => [k, { ...t, s: String(t.s) }])) }),
      /\/open\/[^/]+\/s must be number/],
    ['audit: dedup keys without their times', auditSource, 'lacework_edge_audit://test', (cp: Record<string, unknown>) => ({ ...cp, seen: (cp.seen as Array<[string, number]>).map(([k]) => [k]) }),
      /is not a valid Lacework Edge audit checkpoint \(version 1\): \/seen\/0 must NOT have fewer than 2 items/],
    ['audit: a newer release\'s version 2', auditSource, 'lacework_edge_audit://test', (cp: Record<string, unknown>) => ({ ...cp, v: 2 }),
      /version 2, written by a newer release of the add-on/],
  ])('%s', async (_what, source, stanza, spoil, why) => {
    sim = await startLaceworkSimulator({ seed: 9 });
    sim.addAlerts(6, Date.now() - 2 * H, Date.now() - 60_000);
    // Inside the overlap, so that the audit state keeps their dedup keys.
    sim.addAuditEvents(6, Date.now() - 4 * 60_000, Date.now() - 60_000);
    const dir = tempDir();
    const p = simParams(sim);
    expect((await runOnce(source, stanza, dir, p)).records).toHaveLength(6);
    const store = fileCheckpointStore(dir, stanza);
    const saved = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { state: Record<string, unknown> };
    const file = writeRawCheckpoint(dir, stanza, spoil(saved.state));
    const spoiled = fs.readFileSync(file, 'utf8');
    const asked = sim.requests.length;

    const r = await runOnce(source, stanza, dir, p);
    expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'config', events: 0 });
    const err = logText(r.logs, 'error');
    expect(err).toContain(`${stanza}: the checkpoint ${file} `);
    expect(err).toMatch(why);
    expect(err).toContain('To start over as on its first run, move');
    expect(sim.requests.length).toBe(asked);
    expect(fs.readFileSync(file, 'utf8')).toBe(spoiled);
  });
});
