/**
 * Writes the KV store fixture the enriched golden files are evaluated with (test/golden/kv/
 * <collection>.json): the records the illumio_pce_objects input posts (objects.ts, derived
 * collections included) for the simulated estate of org 3, the org of the golden flows. The golden
 * audit events' VENs report short hostnames (db-prod-01); the PCE here stores most as the
 * simulator does, by FQDN (db-prod-01.corp.example, found by the short-name key), web-prod-01 as
 * its VEN reports it (the exact match), win-dc-01 in upper case, and has a second jump-01 in
 * another domain (a short name two workloads share). Three workloads have a second interface with
 * the addresses of the golden syslog/CEF flow summaries. Run with `npx tsx test/golden/build-kv.ts`;
 * the output is committed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OBJECT_KINDS, type ObjectRecord } from '../../src/sources/illumio/objects';
import { makeEstate, type Estate } from '../../src/sources/illumio/simulator/traffic';

export const KV_FIXTURE = path.join(__dirname, 'kv');
const SNAPSHOT = '2026-11-21T12:00:00.000Z_0a1b2c3d';
const SECOND_INTERFACE: Record<string, string> = { 'web-prod-01': '10.0.1.15', 'db-prod-01': '10.0.2.20', 'app-stg-03': '10.0.9.9' };
/** Hostnames the PCE stores other than the simulator's `<name>.corp.example`. */
const STORED_AS: Record<string, string> = { 'web-prod-01': 'web-prod-01', 'win-dc-01': 'WIN-DC-01' };
/** The namesake: a workload of another domain with the short name of one the golden VENs report. */
const NAMESAKE = { of: 'jump-01', hostname: 'jump-01.lab.example', href: '/orgs/3/workloads/000000ff-f6c6-4cce-ac57-642c66f1498f', address: '10.30.0.7' };

/** Collection → the records the objects input would post for the fixture's PCE. */
export function fixtureRecords(): Map<string, ObjectRecord[]> {
  const estate = makeEstate(3);
  for (const w of estate.workloads) {
    const stored = STORED_AS[String(w.name)];
    if (stored) w.hostname = stored;
    const extra = SECOND_INTERFACE[String(w.name)];
    if (extra) (w.interfaces as unknown[]).push({ name: 'eth1', address: extra, cidr_block: 24 });
  }
  const twin = estate.workloads.find((w) => w.name === NAMESAKE.of)!;
  const labels = estate.labels.filter((l) => (l.key === 'env' && l.value === 'staging') || (l.key === 'app' && l.value === 'hr'));
  estate.workloads.push({
    ...twin, href: NAMESAKE.href, hostname: NAMESAKE.hostname, online: true, enforcement_mode: 'idle',
    interfaces: [{ name: 'eth0', address: NAMESAKE.address, cidr_block: 24 }],
    labels: labels.map((l) => ({ href: l.href, key: l.key, value: l.value })),
    ven: { href: '/orgs/3/vens/000000ff-7e1f-4b61-9c3e-0d5c2f4a8e11', hostname: NAMESAKE.hostname, status: 'active', version: '23.2.10-345' },
  });
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
