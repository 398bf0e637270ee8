/**
 * Writes the KV store fixture the enriched golden files are evaluated with (test/golden/kv/
 * <collection>.json): the records the illumio_pce_objects input posts (objects.ts, derived
 * collections included) for the simulated estate of org 3, the org of the golden flows. The PCE
 * here names workloads by the short hostnames its VENs report (as the golden audit events do),
 * and three workloads have a second interface with the addresses of the golden syslog/CEF flow
 * summaries. Run with `npx tsx test/golden/build-kv.ts`; the output is committed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OBJECT_KINDS, type ObjectRecord } from '../../src/sources/illumio/objects';
import { makeEstate, type Estate } from '../../src/sources/illumio/simulator/traffic';

export const KV_FIXTURE = path.join(__dirname, 'kv');
const SNAPSHOT = '2026-11-21T12:00:00.000Z_0a1b2c3d';
const SECOND_INTERFACE: Record<string, string> = { 'web-prod-01': '10.0.1.15', 'db-prod-01': '10.0.2.20', 'app-stg-03': '10.0.9.9' };

/** Collection → the records the objects input would post for the fixture's PCE. */
export function fixtureRecords(): Map<string, ObjectRecord[]> {
  const estate = makeEstate(3);
  for (const w of estate.workloads) {
    w.hostname = w.name;
    const extra = SECOND_INTERFACE[String(w.name)];
    if (extra) (w.interfaces as unknown[]).push({ name: 'eth1', address: extra, cidr_block: 24 });
  }
  return estateRecords(estate, SNAPSHOT);
}

/** Collection → the records the objects input posts for a simulated estate (derived collections included). */
export function estateRecords(estate: Estate, snapshot: string): Map<string, ObjectRecord[]> {
  const listings: Record<string, Record<string, unknown>[]> = { labels: estate.labels, workloads: estate.workloads, ip_lists: estate.ipLists, services: estate.services, rule_sets: estate.ruleSets };
  const out = new Map<string, ObjectRecord[]>();
  const stamp = (rs: ObjectRecord[]) => rs.map((r) => ({ ...r, snapshot }));
  for (const k of OBJECT_KINDS) {
    const items = listings[k.kind];
    const records = items.map((o) => k.record(o)!);
    out.set(k.collection, stamp(records));
    if (k.derived) out.set(k.derived.collection, stamp(records.flatMap((r, i) => k.derived!.records(r, items[i]))));
  }
  return out;
}

export const fixtureText = (records: ObjectRecord[]) => `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;

function main(): void {
  fs.mkdirSync(KV_FIXTURE, { recursive: true });
  for (const [c, records] of fixtureRecords()) fs.writeFileSync(path.join(KV_FIXTURE, `${c}.json`), fixtureText(records));
}

if (require.main === module) main();
