/**
 * Illumio authentication content on crafted scenarios: PCE events rendered by the simulator's
 * generator (the shapes the PCE sends), with the client address and time set by hand.
 */
import { makeEvent } from '../../src/sources/illumio/simulator';
import { rowsToObjects } from '../../src/core/spl/engine';
import { engine, RawEvent, ROLES, toRow } from './data';
import { savedSearchRunnables } from './saved';
import { allPanels } from './views';

/** The burst alert runs at NOW (every 15 minutes) over [-20m@m, -5m@m). */
const NOW = 1_800_000_000;
const BURST = savedSearchRunnables().find((s) => s.where === 'savedsearches.conf [Illumio - Authentication failure burst by source]')!;
const panel = (title: string) => allPanels().find((p) => p.view === 'ta_zerotrust_illumio_audit' && p.title === title)!;

/** `n` events of one type with the given outcome, from the generator, client IP and time set. */
function events(type: string, outcome: 'success' | 'failure', n: number, clientIp: string | undefined, atSec: (k: number) => number, indexedSec?: (k: number) => number): RawEvent[] {
  const out: RawEvent[] = [];
  for (let i = 0; out.length < n && i < 5000; i++) {
    const e = makeEvent({ seed: 77, org: 1, pceFqdn: 'pce.example.com', eventTypes: [type] }, i, atSec(out.length) * 1000);
    if (e.status !== outcome) continue;
    if (clientIp !== undefined && e.action && typeof e.action === 'object') (e.action as Record<string, unknown>).src_ip = clientIp;
    const k = out.length;
    out.push({ raw: JSON.stringify(e), sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: atSec(k), indextime: indexedSec ? indexedSec(k) : atSec(k) + 5 });
  }
  if (out.length < n) throw new Error(`the generator gave fewer than ${n} ${outcome} ${type} events`);
  return out;
}

const inWindow = (k: number) => NOW - 12 * 60 + k;

test('a burst of failed logins from one client fires, once, naming that client; logouts and successes do not count', () => {
  const rows = [
    ...events('user.sign_in', 'failure', 12, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'success', 15, '203.0.113.66', inWindow),
    ...events('user.sign_out', 'success', 40, '198.51.100.9', inWindow),
    ...events('user.sign_in', 'failure', 3, '198.51.100.9', inWindow),
  ].map(toRow);
  const fired = rowsToObjects(engine(rows, NOW, ROLES.user).run(BURST.search, BURST).rows);
  expect(fired.map((r) => [r.src, r.failures, r.pce_fqdn])).toEqual([['203.0.113.66', '12', 'pce.example.com']]);
});

test('benign: sign-outs, successful logins and a few failures per client never fire', () => {
  const rows = [
    ...events('user.sign_out', 'success', 60, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'success', 30, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'failure', 9, '203.0.113.66', inWindow),
  ].map(toRow);
  expect(engine(rows, NOW, ROLES.user).run(BURST.search, BURST).rows).toEqual([]);
});

test('"Logins by user" counts sign-ins, not sign-outs; with a FILTERED client IP no row names the PCE as the source', () => {
  const rows = [
    ...events('user.sign_in', 'success', 7, '203.0.113.66', inWindow),
    ...events('user.sign_out', 'success', 25, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'failure', 12, 'FILTERED', inWindow),
    ...events('request.authentication_failed', 'failure', 4, 'FILTERED', inWindow),
  ].map(toRow);
  const en = engine(rows, NOW, ROLES.user);
  const logins = panel('Logins by user');
  const byUser = rowsToObjects(en.run(logins.search, logins).rows);
  expect(byUser.reduce((n, r) => n + Number(r.succeeded), 0)).toBe(7);
  expect(byUser.map((r) => r.user)).not.toContain('system');
  const failed = panel('Failed authentications by source address');
  const bySrc = rowsToObjects(en.run(failed.search, failed).rows);
  expect(bySrc.map((r) => r.src)).toEqual(['(no client address)']);
  expect(bySrc[0].failures).toBe('16');
  // The burst of FILTERED failures fires as one unattributed row, not as the PCE.
  const fired = rowsToObjects(en.run(BURST.search, BURST).rows);
  expect(fired.map((r) => r.src)).toEqual(['(no client address)']);
});

// The dispatch window is on event time (-20m@m to -5m@m): an event indexed 30 minutes late is in
// no window. Saved-search timing moves to index-time windows in the knowledge issue (13); when it
// lands this test passes, and `.failing` must go.
test.failing('a late event is seen: failures that happened 40 minutes ago but were indexed 3 minutes ago fire the burst alert', () => {
  const late = events('user.sign_in', 'failure', 12, '203.0.113.66', (k) => NOW - 40 * 60 + k, () => NOW - 8 * 60);
  const en = engine(late.map(toRow), NOW, ROLES.user);
  const fired = rowsToObjects(en.run(BURST.search, BURST).rows);
  expect(fired.map((r) => r.src)).toEqual(['203.0.113.66']);
});
