/**
 * Enrichment from the illumio_pce_objects input's KV store collections, on the golden corpus:
 * each sourcetype with automatic KV lookups evaluated with the committed KV fixture
 * (test/golden/kv, built by test/golden/build-kv.ts from the writer's own record functions) must
 * add exactly <sourcetype>.enriched.jsonl to what it gives without KV data (one line per raw line:
 * the fields the lookups added or changed). After an intended change regenerate with
 * `UPDATE_GOLDEN=1 npx jest test/knowledge/enrichment` and review the diff.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf } from '../../src/core/conf/parse';
import { KnowledgeBase, toJsonObject } from '../../src/core/knowledge';
import { KV_FIELDS } from '../../src/sources/illumio/knowledge-rest';
import { OBJECT_COLLECTIONS } from '../../src/sources/illumio/objects';
import { fixtureRecords, fixtureText, KV_FIXTURE } from '../golden/build-kv';
import { appKnowledge, GOLDEN, goldenLines, metaFor, ROOT, SOURCETYPES } from './support';

const conf = (f: string) => parseConf(fs.readFileSync(path.join(ROOT, 'default', f), 'utf8'), f);
const transforms = conf('transforms.conf');
const kvDefinitions = new Set(transforms.stanzas.filter((s) => s.entries.some((e) => e.key === 'external_type' && e.value === 'kvstore')).map((s) => s.name));
/** Sourcetypes whose props.conf stanza has an automatic lookup on a KV store definition. */
const ENRICHED = conf('props.conf').stanzas
  .filter((s) => s.entries.some((e) => /^LOOKUP/i.test(e.key) && kvDefinitions.has(e.value.trim().split(/\s+/)[0])))
  .map((s) => s.name);

let enrichedKb: KnowledgeBase | undefined;
const enriched = () => (enrichedKb ??= KnowledgeBase.loadApp(ROOT, { kvDir: KV_FIXTURE }).assertValid());

/** The fields the KV lookups added or changed, by name. */
function added(st: string, raw: string): Record<string, unknown> {
  const plain = toJsonObject(appKnowledge().evaluate(raw, metaFor(st)));
  const rich = toJsonObject(enriched().evaluate(raw, metaFor(st)));
  for (const k of Object.keys(plain)) expect({ field: k, kept: k in rich }).toEqual({ field: k, kept: true });
  return Object.fromEntries(Object.entries(rich).filter(([k, v]) => JSON.stringify(plain[k]) !== JSON.stringify(v)));
}

test('the KV lookups cover the flows and every Illumio event format', () => {
  expect(ENRICHED.sort()).toEqual(['illumio:pce:cef', 'illumio:pce:event', 'illumio:pce:flow', 'illumio:pce:leef', 'illumio:pce:syslog']);
  expect(ENRICHED.every((st) => SOURCETYPES.includes(st))).toBe(true);
});

test('the fixture is what the objects input writes, and every lookup field is a field the writer fills and collections.conf declares', () => {
  const built = fixtureRecords();
  expect([...built.keys()].sort()).toEqual([...OBJECT_COLLECTIONS].sort());
  for (const [c, records] of built) expect({ c, text: fs.readFileSync(path.join(KV_FIXTURE, `${c}.json`), 'utf8') }).toEqual({ c, text: fixtureText(records) });
  const collections = conf('collections.conf');
  for (const [c, fields] of Object.entries(KV_FIELDS)) {
    const declared = collections.stanzas.find((s) => s.name === c)?.entries.filter((e) => e.key.startsWith('field.')).map((e) => e.key.slice(6)) ?? [];
    const written = new Set((built.get(c) ?? []).flatMap((r) => Object.keys(r)));
    expect({ c, fields: [...fields].sort() }).toEqual({ c, fields: [...declared].sort() });
    expect({ c, notWritten: fields.filter((f) => !written.has(f)) }).toEqual({ c, notWritten: [] });
  }
});

describe.each(ENRICHED)('enriched golden %s', (st) => {
  it('adds exactly the expected fields to each raw line, and removes none', () => {
    const actual = goldenLines(st).map((raw) => JSON.stringify(added(st, raw)));
    const file = path.join(GOLDEN, `${st.replace(/:/g, '_')}.enriched.jsonl`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, `${actual.join('\n')}\n`);
    const expected = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expect({ line: i + 1, ...JSON.parse(a) }).toEqual({ line: i + 1, ...JSON.parse(expected[i]) }));
  });
});

describe('what an analyst sees', () => {
  const workloads = JSON.parse(fs.readFileSync(path.join(KV_FIXTURE, 'illumio_workloads.json'), 'utf8')) as Record<string, unknown>[];
  const byHref = new Map(workloads.map((w) => [w.href, w]));

  test('REST flows: each managed end gets its workload\'s VEN state and enforcement mode; labels and hostname stay the flow\'s own; unmanaged ends nothing', () => {
    let managed = 0;
    for (const raw of goldenLines('illumio:pce:flow')) {
      const f = JSON.parse(raw) as { src: { workload?: { href: string; hostname: string } } };
      const a = added('illumio:pce:flow', raw);
      const w = f.src.workload ? byHref.get(f.src.workload.href) : undefined;
      if (w) {
        managed++;
        expect({ state: a.src_ven_state, mode: a.src_enforcement_mode }).toEqual({ state: w.ven_state, mode: w.enforcement_mode });
        expect(a.src_host).toBeUndefined();
      } else expect(Object.keys(a).filter((k) => k.startsWith('src_'))).toEqual([]);
    }
    expect(managed).toBeGreaterThan(3);
    // Offline and suspended VENs of the estate are among those the flows name.
    expect(workloads.some((w) => w.ven_state === 'offline') && workloads.some((w) => w.ven_state === 'suspended')).toBe(true);
  });

  test('syslog and CEF flow summaries: an address on a workload\'s second interface names that workload and its labels', () => {
    const web = workloads.find((w) => w.hostname === 'web-prod-01')!;
    for (const st of ['illumio:pce:syslog', 'illumio:pce:cef']) {
      const raw = goldenLines(st).find((l) => /10\.0\.1\.15/.test(l))!;
      const a = added(st, raw);
      expect(a).toMatchObject({ src_label_role: web.label_role, src_label_app: web.label_app, src_ven_state: 'online' });
      // The CEF record names its own (other) workload href: the event's value wins.
      if (st === 'illumio:pce:cef') expect(a.src_workload).toBeUndefined();
      else expect(a.src_workload).toBe(web.href);
    }
  });

  test('VEN reports: the VEN\'s hostname gives its workload, labels and state; a host the PCE does not know gets nothing', () => {
    for (const st of ['illumio:pce:event', 'illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef']) {
      const lines = goldenLines(st);
      const kb = appKnowledge();
      const host = (raw: string) => kb.evaluate(raw, metaFor(st)).fields.get('src_host')?.[0];
      const known = lines.find((l) => host(l) === 'db-prod-01')!;
      const db = workloads.find((w) => w.name === 'db-prod-01')!;
      expect({ st, ...added(st, known) }).toMatchObject({ st, src_workload: db.href, src_ven_state: db.ven_state, src_label_env: db.label_env });
      const unknown = lines.find((l) => host(l) === 'web-prod-0412')!;
      expect({ st, added: added(st, unknown) }).toEqual({ st, added: {} });
    }
  });
});
