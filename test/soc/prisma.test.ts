/**
 * Prisma SaaS alerts on index time: a high-severity incident or policy violation that Prisma
 * reports days after it happened (the log API hands over events late) is alerted on by the run
 * whose index-time slice holds it, and by no other. Events are golden records with severity,
 * id and timestamp set by hand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rowsToObjects } from '../../src/core/spl/engine';
import { engine, RawEvent, ROLES, ROOT, toRow } from './data';
import { savedSearchRunnables } from './saved';

/** A scheduled run time on the quarter hour: the alerts read what was indexed in [-20m@m, -5m@m). */
const NOW = 1_800_000_000;
const DAY = 86_400;
/** The golden file also holds malformed lines (on purpose); the first well-formed record of each log type is the base. */
const golden = fs.readFileSync(path.join(ROOT, 'test', 'golden', 'pan_prisma_saas.raw'), 'utf8').split('\n').flatMap((l) => {
  try {
    return [JSON.parse(l) as Record<string, unknown>];
  } catch {
    return [];
  }
});
const saved = (name: string) => savedSearchRunnables().find((s) => s.where === `savedsearches.conf [${name}]`)!;

function record(logType: string, id: string, atSec: number, indexedSec: number): RawEvent {
  const base = golden.find((g) => g.log_type === logType)!;
  const raw = JSON.stringify({ ...base, severity: 5, incident_id: id, timestamp: new Date(atSec * 1000).toISOString() });
  return { raw, sourcetype: 'pan:prisma_saas', source: 'prisma_saas_log_events://tenant', index: 'main', time: atSec, indextime: indexedSec };
}

describe.each([
  ['Prisma SaaS - High-severity incidents', 'incident'],
  ['Prisma SaaS - High-severity policy violations', 'policy_violation'],
])('%s', (name, logType) => {
  const s = saved(name);
  test('a record from three days ago indexed 10 minutes ago fires; one indexed 25 minutes ago was the previous run\'s and does not', () => {
    const rows = [record(logType, 'late-in-slice', NOW - 3 * DAY, NOW - 10 * 60), record(logType, 'late-before-slice', NOW - 3 * DAY, NOW - 25 * 60)].map(toRow);
    const fired = rowsToObjects(engine(rows, NOW, ROLES.user).run(s.search, s).rows);
    expect(fired.map((r) => [r.incident_id, r.vendor_severity])).toEqual([['late-in-slice', '5']]);
  });
});
