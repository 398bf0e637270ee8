/**
 * Lacework Edge alert state: an alert is indexed again on every change, so its state is its
 * latest event, however old. Alerts built from a golden alert record with the fields that change
 * set by hand, as the alerts input indexes them (change_kind, previous_*).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rowsToObjects } from '../../src/core/spl/engine';
import { engine, RawEvent, ROLES, ROOT, toRow } from './data';
import { savedSearchRunnables } from './saved';
import { allPanels } from './views';

const NOW = 1_800_000_000;
const golden = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'golden', 'lacework_edge_alert.raw'), 'utf8').split('\n')[0]) as Record<string, unknown>;
const DAY = 86_400;

function alert(uuid: string, atSec: number, o: Record<string, unknown>): RawEvent {
  return { raw: JSON.stringify({ ...golden, uuid, ...o }), sourcetype: 'lacework:edge:alert', source: 'lacework_edge_alerts://tenant', index: 'main', time: atSec };
}

const events = [
  // Critical, opened 20 days ago, never touched since: still open.
  alert('a-old-open', NOW - 20 * DAY, { severity: 4, status: 1, create_time: (NOW - 20 * DAY) * 1000, update_time: (NOW - 20 * DAY) * 1000, closed_time: 0, change_kind: 'new' }),
  // Critical, opened 3 days ago, closed a day ago by Carol: not open; 48 hours to close.
  alert('a-closed', NOW - 3 * DAY, { severity: 4, status: 1, create_time: (NOW - 3 * DAY) * 1000, closed_time: 0, change_kind: 'new' }),
  alert('a-closed', NOW - DAY, {
    severity: 4, status: 3, create_time: (NOW - 3 * DAY) * 1000, closed_time: (NOW - DAY) * 1000, owner_display_name: 'Carol Ops', owner_uuid: 'u-3',
    change_kind: 'updated', previous_status: 1, previous_owner_uuid: '', previous_update_time: (NOW - 3 * DAY) * 1000,
  }),
].map(toRow);
const en = engine(events, NOW, ROLES.user);
const panel = (view: string, title: string) => allPanels().find((p) => p.view === view && p.title === title)!;

test('an open critical alert unchanged for 20 days counts as open on the Overview, the dashboard and the alert; a closed one does not', () => {
  for (const p of [panel('ta_zerotrust_overview', 'Lacework Edge open critical alerts'), panel('ta_zerotrust_lacework_edge', 'Open critical alerts')]) {
    expect(rowsToObjects(en.run(p.search, p).rows)).toEqual([{ count: '1' }]);
  }
  const s = savedSearchRunnables().find((x) => x.where === 'savedsearches.conf [Lacework Edge - Open critical alerts]')!;
  const rows = rowsToObjects(en.run(s.search, s).rows);
  expect(rows.map((r) => [r.uuid, r.severity, r.alert_status, r.age_hours])).toEqual([['a-old-open', 'critical', 'open', '480']]);
});

test('time to close, open alerts by age and owner, and the state-change table with before and after, in words not integers', () => {
  const close = panel('ta_zerotrust_lacework_edge', 'Time to close by severity (hours)');
  expect(rowsToObjects(en.run(close.search, close).rows)).toEqual([{ severity: 'critical', closed: '1', avg_hours: '48', median_hours: '48', max_hours: '48' }]);
  const age = panel('ta_zerotrust_lacework_edge', 'Open alerts by age and owner');
  expect(rowsToObjects(en.run(age.search, age).rows)).toEqual([{ owner: 'unassigned', severity: 'critical', open_alerts: '1', oldest_hours: '480', avg_age_hours: '480', status: 'open' }]);
  const changes = panel('ta_zerotrust_lacework_edge', 'State changes (before and after)');
  const rows = rowsToObjects(en.run(changes.search, changes).rows);
  expect(rows.map((r) => [r.uuid, r.change_kind, r.previous_alert_status, r.alert_status, r.owner_after])).toEqual([['a-closed', 'updated', 'open', 'closed', 'Carol Ops']]);
});

test('"Configuration changes" holds only accepted changes: no logins, no refused calls; a refused POST is a failure, not "created"', () => {
  const lines = fs.readFileSync(path.join(ROOT, 'test', 'golden', 'lacework_edge_audit.raw'), 'utf8').split('\n').filter(Boolean);
  const rows = lines.map((raw, i) => toRow({ raw, sourcetype: 'lacework:edge:audit', source: 'lacework_edge_audit://tenant', index: 'main', time: NOW - 600 + i }));
  const audit = engine(rows, NOW, ROLES.user);
  const p = panel('ta_zerotrust_lacework_edge', 'Configuration changes through the API (accepted, logins excluded)');
  const changes = rowsToObjects(audit.run(p.search, p).rows);
  expect(changes.length).toBeGreaterThan(0);
  for (const c of changes) {
    expect(c.path).not.toMatch(/login/);
    expect(c.action).toMatch(/^(created|deleted|modified)$/);
  }
  const refused = rowsToObjects(audit.run('index=main sourcetype="lacework:edge:audit" response_status>=400 | table method response_status action eventtype', { earliest: '0' }).rows);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) {
    expect(r.action).toBe('failure');
    expect([r.eventtype].flat()).not.toContain('lacework_edge_audit_change');
  }
  const logins = rowsToObjects(audit.run('index=main tag=authentication op=Login | table action', { earliest: '0' }).rows);
  expect(logins.length).toBeGreaterThan(0);
});

test('"Configuration changed through the API" alerts on a change from two days ago indexed 10 minutes ago, not on one indexed before its slice', () => {
  const s = savedSearchRunnables().find((x) => x.where === 'savedsearches.conf [Lacework Edge - Configuration changed through the API]')!;
  const lines = fs.readFileSync(path.join(ROOT, 'test', 'golden', 'lacework_edge_audit.raw'), 'utf8').split('\n').filter(Boolean);
  const create = JSON.parse(lines.find((l) => l.includes('"op":"CreateApp"'))!) as Record<string, unknown>;
  const change = (p: string, indexedSec: number): RawEvent => ({
    raw: JSON.stringify({ ...create, path: p, create_time: (NOW - 2 * DAY) * 1000 }),
    sourcetype: 'lacework:edge:audit', source: 'lacework_edge_audit://tenant', index: 'main', time: NOW - 2 * DAY, indextime: indexedSec,
  });
  // The run at NOW reads what was indexed in [-20m@m, -5m@m).
  const rows = [change('/api/v1/apps/in-slice', NOW - 10 * 60), change('/api/v1/apps/before-slice', NOW - 25 * 60)].map(toRow);
  const fired = rowsToObjects(engine(rows, NOW, ROLES.user).run(s.search, s).rows);
  expect(fired.map((r) => [r.path, r.calls])).toEqual([['/api/v1/apps/in-slice', '1']]);
});
