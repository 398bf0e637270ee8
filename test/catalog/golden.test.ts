import { execFileSync } from 'child_process';
import * as path from 'path';
import { KnowledgeBase } from '../../src/core/knowledge';
import { matchSearch, parseSearch } from '../../src/core/knowledge/search';
import { toCef, toLeef, toSyslogJson } from '../../src/sources/illumio/formats';
import { ILLUMIO_RENAMES } from '../../src/sources/illumio/catalog';
import { illumioAnalystSamples, pceEvent } from '../../src/sources/illumio/analyst-samples';
import { SOURCE_MODULES } from '../../src/sources';
import { analystSamples, type GoldenSample } from './samples';
import { REPO } from './shared';

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** What `npm run preview -- --sourcetype <st>` prints for these raw events, one object per event. */
function preview(sourcetype: string, samples: readonly GoldenSample[]): Record<string, unknown>[] {
  const out = execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO, 'src', 'cli', 'preview.ts'), '--sourcetype', sourcetype], {
    input: samples.map((s) => s.raw).join('\n') + '\n',
    cwd: REPO,
    encoding: 'utf8',
  });
  return out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('analyst samples in npm run preview', () => {
  let all: Map<string, readonly GoldenSample[]>;
  beforeAll(async () => {
    all = await analystSamples();
  });

  it('every module offers samples, each of a sourcetype of its own knowledge', async () => {
    for (const m of SOURCE_MODULES) {
      const own = new Set((await m.knowledge()).props.map((p) => p.name));
      const samples = all.get(m.name)!;
      expect({ module: m.name, some: samples.length > 0, foreign: samples.map((g) => g.sourcetype).filter((st) => !own.has(st)) }).toEqual({ module: m.name, some: true, foreign: [] });
    }
  });

  it.each([...SOURCE_MODULES.map((m) => m.name), 'app'])('%s: eventtypes, tags and the fields they rely on', (name) => {
    const bySourcetype = new Map<string, GoldenSample[]>();
    for (const g of all.get(name)!) bySourcetype.set(g.sourcetype, [...(bySourcetype.get(g.sourcetype) ?? []), g]);
    expect(bySourcetype.size).toBeGreaterThan(0);
    for (const [sourcetype, samples] of bySourcetype) {
      const shown = preview(sourcetype, samples);
      expect(shown).toHaveLength(samples.length);
      samples.forEach((g, i) => {
        const ev = shown[i];
        expect({ sample: g.title, eventtype: sorted(asList(ev.eventtype)), tag: sorted(asList(ev.tag)) }).toEqual({ sample: g.title, eventtype: sorted(g.eventtypes), tag: sorted(g.tags) });
        for (const [field, value] of Object.entries(g.fields ?? {})) expect({ sample: g.title, field, value: ev[field] }).toEqual({ sample: g.title, field, value });
      });
    }
  });
});

describe('searches by current name find events indexed under the old one', () => {
  const kb = KnowledgeBase.loadApp(REPO);
  const legacy = illumioAnalystSamples.filter((g) => g.fields?.event_type_original && g.fields.event_type_original !== g.fields.event_type);

  const matches = (search: string, g: GoldenSample) => {
    const ev = kb.evaluate(g.raw, { sourcetype: g.sourcetype });
    const fields = new Map([...ev.fields, ['eventtype', ev.eventtype], ['tag', ev.tag]]);
    return matchSearch(parseSearch(search), { get: (f) => fields.get(f), raw: g.raw });
  };

  it('covers all three renamed types through all four Illumio formats', () => {
    expect(sorted(legacy.map((g) => g.fields!.event_type))).toEqual(['agent.activate', 'agent.deactivate', 'agent.firewall_config']);
    expect(sorted(legacy.map((g) => g.sourcetype))).toEqual(['illumio:pce:cef', 'illumio:pce:event', 'illumio:pce:leef', 'illumio:pce:syslog']);
  });

  it.each(legacy.map((g) => [g.title, g] as const))('%s', (_t, g) => {
    const current = g.fields!.event_type;
    const original = g.fields!.event_type_original;
    expect(matches(`event_type="${current}"`, g)).toBe(true);
    expect(matches(`eventtype="illumio_${current}"`, g)).toBe(true);
    expect(matches(`event_type_original="${original}"`, g)).toBe(true);
    expect(matches('eventtype="illumio_legacy_event_name"', g)).toBe(true);
    // The old name is no longer the event type: alerts written for it are to move to the new one.
    expect(matches(`event_type="${original}"`, g)).toBe(false);
    if (original.endsWith('_failure')) expect(matches(`event_type="${current}" status="failure"`, g)).toBe(true);
    if (original.endsWith('_success')) expect(matches(`event_type="${current}" status="success"`, g)).toBe(true);
  });

  it('and an event under the current name is no legacy event', () => {
    const g = illumioAnalystSamples.find((s) => s.fields?.event_type === 'agent.activate' && !s.eventtypes.includes('illumio_legacy_event_name'))!;
    expect(matches('eventtype="illumio_agent.activate"', g)).toBe(true);
    expect(matches('eventtype="illumio_legacy_event_name"', g)).toBe(false);
  });

  // The renames live in the catalog and in props.conf's EVALs: every catalog rename must come out
  // of every Illumio format as the current name with the implied status.
  const formats: [string, (e: ReturnType<typeof pceEvent>) => string][] = [
    ['illumio:pce:event', (e) => JSON.stringify(e)],
    ['illumio:pce:syslog', (e) => toSyslogJson(e)],
    ['illumio:pce:cef', (e) => toCef(e)],
    ['illumio:pce:leef', (e) => toLeef(e, { version: '2.0', delimiter: '^' })],
  ];
  it.each(formats.map(([st]) => st))('%s: every catalog rename, with its implied status', (st) => {
    const render = formats.find(([s]) => s === st)![1];
    for (const r of ILLUMIO_RENAMES) {
      const ev = kb.evaluate(render(pceEvent({ event_type: r.legacy, status: null })), { sourcetype: st });
      expect({ legacy: r.legacy, event_type: ev.fields.get('event_type'), original: ev.fields.get('event_type_original'), status: ev.fields.get('status'), current: ev.eventtype.includes(`illumio_${r.current}`) })
        .toEqual({ legacy: r.legacy, event_type: [r.current], original: [r.legacy], status: r.status ? [r.status] : undefined, current: true });
    }
  });

  it('the app\'s knowledge loads without problems', () => {
    expect(kb.problems).toEqual([]);
  });
});
