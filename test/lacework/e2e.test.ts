/**
 * The launchers, spawned like splunkd spawns them, against the simulator: SIGKILL in the middle
 * of a run, then reruns, deliver every record, with repeats only inside the documented
 * at-least-once window (the batch whose checkpoint the kill prevented).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MASK } from '../../src/core/description';
import { AUDIT_BATCH } from '../../src/sources/lacework/audit';
import { ALERT_BATCH } from '../../src/sources/lacework/alerts';
import { startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { duplicatesOf, tempDir } from './harness';
import { ensureBundle, inputXml, logFileText, runLauncher, type SpawnResult } from './spawn';

const H = 3_600_000;
let sim: LaceworkSimulator;
let splunkd: SplunkdStandIn;
let home: string;
let checkpointDir: string;

beforeAll(ensureBundle, 120_000);

beforeEach(async () => {
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  home = tempDir('lacework-home-');
  fs.mkdirSync(path.join(home, 'var', 'log', 'splunk'), { recursive: true });
  checkpointDir = tempDir('lacework-cp-');
});

afterEach(async () => {
  await sim?.stop();
  await splunkd?.close();
});

function run(scheme: string, stanza: string, params: Record<string, string>, killAfter?: number): Promise<SpawnResult> {
  const xml = inputXml({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir, stanza, params });
  return runLauncher(scheme, xml, home, killAfter);
}

const field = (r: SpawnResult, name: string) => r.events.map((e) => String((JSON.parse(e.data) as Record<string, unknown>)[name]));

/** Repeats across runs must be the tail of a killed run: its last, uncheckpointed batch. */
function expectRepeatsOnlyFromKilledTails(runs: SpawnResult[], key: (r: SpawnResult) => string[], batch: number): void {
  const all = runs.flatMap(key);
  const dups = new Set(duplicatesOf(all));
  const tails = new Set(runs.filter((r) => r.killed).flatMap((r) => key(r).slice(-batch)));
  for (const d of dups) expect(tails.has(d)).toBe(true);
  expect(dups.size).toBeLessThanOrEqual(batch * runs.filter((r) => r.killed).length);
}

test('audit: kill -9 mid-run, rerun: every uuid delivered, secrets masked, token kept out of conf and output', async () => {
  sim = await startLaceworkSimulator({ seed: 101 });
  sim.addAuditEvents(800, Date.now() - 5 * H, Date.now() - 1000);
  // Pacing only: each window answers a little late so the kill lands in the middle of the run.
  sim.addFault({ op: 'audit', after: 2, times: 1000, kind: 'delay', delayMs: 40 });
  const stanza = 'lacework_edge_audit://e2e';
  // First run: the token typed in clear, as after creating the input in inputs.conf.
  splunkd.setConf('inputs', stanza, { base_url: sim.url, api_token: sim.token });
  const params = { base_url: sim.url, api_token: sim.token, start_date: '-6h', window: '600' };

  const runs: SpawnResult[] = [];
  runs.push(await run('lacework_edge_audit', stanza, params, 150));
  expect(runs[0].killed).toBe(true);
  expect(splunkd.getPassword(stanza, 'api_token')).toBe(sim.token);
  expect(splunkd.conf('inputs', stanza)?.api_token).toBe(MASK);

  const masked = { ...params, api_token: MASK };
  runs.push(await run('lacework_edge_audit', stanza, masked, 350));
  expect(runs[1].killed).toBe(true);
  runs.push(await run('lacework_edge_audit', stanza, masked));
  expect(runs[2].code).toBe(0);
  const again = await run('lacework_edge_audit', stanza, masked);
  expect(again.events).toEqual([]);

  const uuids = runs.flatMap((r) => field(r, 'uuid'));
  expect(new Set(uuids)).toEqual(new Set(sim.auditEvents().map((e) => e.uuid)));
  expectRepeatsOnlyFromKilledTails(runs, (r) => field(r, 'uuid'), AUDIT_BATCH);
  expect(runs.every((r) => r.events.every((e) => e.sourcetype === 'lacework:edge:audit'))).toBe(true);

  const everything = [...runs, again].map((r) => r.stdout + r.stderr).join('\n') + logFileText(home, 'lacework_edge_audit');
  for (const s of sim.plantedSecrets()) expect(everything).not.toContain(s);
  expect(everything).not.toContain(sim.token);
  expect(field(runs[2], 'request_body').some((b) => b.includes(`"password":"${MASK}"`))).toBe(true);
}, 180_000);

test('alerts: closures and reassignments give one change event each across kill -9 and reruns', async () => {
  sim = await startLaceworkSimulator({ seed: 102 });
  sim.addAlerts(200, Date.now() - 8 * H, Date.now() - 60_000);
  const stanza = 'lacework_edge_alerts://e2e';
  splunkd.setPassword(stanza, 'api_token', sim.token);
  const params = { base_url: sim.url, api_token: MASK, start_date: '-9h', window: '1800' };

  const first = await run('lacework_edge_alerts', stanza, params);
  expect(first.code).toBe(0);
  expect(new Set(field(first, 'uuid'))).toEqual(new Set(sim.alerts().map((a) => a.uuid)));
  expect(field(first, 'change_kind').every((k) => k === 'new')).toBe(true);

  const changed = sim.randomChanges(150);
  const finalState = new Map(sim.alerts().map((a) => [a.uuid, a]));
  const expected = new Set(changed.map((a) => `${a.uuid}@${finalState.get(a.uuid)!.update_time}`));
  expect(changed.some((a) => a.closed_time > 0)).toBe(true);
  expect(changed.some((a) => a.closed_time === 0 && a.owner_uuid)).toBe(true);
  sim.addFault({ kind: 'delay', delayMs: 10, times: 100_000 });

  const runs: SpawnResult[] = [];
  runs.push(await run('lacework_edge_alerts', stanza, params, 30));
  expect(runs[0].killed).toBe(true);
  runs.push(await run('lacework_edge_alerts', stanza, params));
  expect(runs[1].code).toBe(0);
  expect((await run('lacework_edge_alerts', stanza, params)).events).toEqual([]);

  const key = (r: SpawnResult) => r.events.map((e) => {
    const a = JSON.parse(e.data) as { uuid: string; update_time: number; change_kind: string };
    expect(a.change_kind).toBe('updated');
    return `${a.uuid}@${a.update_time}`;
  });
  expect(new Set(runs.flatMap(key))).toEqual(expected);
  expectRepeatsOnlyFromKilledTails(runs, key, ALERT_BATCH);
  // Closed alerts carry what they were before.
  const closures = runs.flatMap((r) => r.events.map((e) => JSON.parse(e.data) as Record<string, unknown>)).filter((a) => Number(a.closed_time) > 0);
  expect(closures.length).toBeGreaterThan(0);
  for (const c of closures) expect(c.previous_status).not.toBe(c.status);
}, 180_000);
