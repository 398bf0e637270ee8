/**
 * Issue 13's cost and shape targets on the generated knowledge: no EVAL over 600 characters, at
 * most 15 spath() per props.conf stanza, at most 5 JSON parses per Illumio event (counted by the
 * evaluator as Splunk pays them: KV_MODE=json once, every spath() call again), CIM tags on roll-up
 * eventtypes only (no tag on more than 30 eventtypes), `account` only for object_category=user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf } from '../../src/core/conf/parse';
import { COST_TARGETS, jsonParseTargets, measureCost, stanzaShapes } from '../../src/core/knowledge/cost';
import { evaluate, newCost, parseEval } from '../../src/core/knowledge/eval';
import { ILLUMIO_EVENT_TYPES } from '../../src/sources/illumio/catalog';
import { illumioKnowledge } from '../../src/sources/illumio/knowledge';
import { SOURCE_MODULES } from '../../src/sources';
import { appKnowledge, goldenLines, metaFor, ROOT, SOURCETYPES } from './support';

const conf = (f: string) => parseConf(fs.readFileSync(path.join(ROOT, 'default', f), 'utf8'), f);

describe('search-time cost', () => {
  it('keeps every EVAL short and spath() rare', () => {
    for (const s of stanzaShapes(conf('props.conf'))) {
      expect({ stanza: s.stanza, evalOk: s.maxEvalChars <= COST_TARGETS.maxEvalChars, spathOk: s.spathCalls <= COST_TARGETS.maxSpathPerStanza })
        .toEqual({ stanza: s.stanza, evalOk: true, spathOk: true });
    }
  });

  it('declares issue 13\'s target for every Illumio sourcetype: at most 5 JSON parses per event', async () => {
    expect(illumioKnowledge.maxJsonParsesPerEvent).toBeLessThanOrEqual(5);
    const targets = jsonParseTargets(await Promise.all(SOURCE_MODULES.map((m) => m.knowledge())));
    const illumio = SOURCETYPES.filter((s) => s.startsWith('illumio:'));
    expect(illumio.length).toBeGreaterThanOrEqual(4);
    for (const st of illumio) expect({ st, target: targets.get(st) }).toEqual({ st, target: 5 });
  });

  it.each(SOURCETYPES.filter((s) => s.startsWith('illumio:')))('%s parses JSON at most 5 times per event', (st) => {
    const lines = goldenLines(st);
    const c = measureCost(appKnowledge(), metaFor(st), lines);
    // Every golden event of the sourcetype is measured (a snapshot sourcetype has only a few).
    expect(c.events).toBe(lines.length);
    expect(c.events).toBeGreaterThan(0);
    expect(c.jsonParsesMax).toBeLessThanOrEqual(5);
    // Something was counted: a regex, or (a JSON-only sourcetype) the one parse of the event.
    expect(c.regexEvaluationsMax + c.jsonParsesMax).toBeGreaterThan(0);
  });

  it('every sourcetype meets its module\'s JSON-parse target, where it declares one', async () => {
    const targets = jsonParseTargets(await Promise.all(SOURCE_MODULES.map((m) => m.knowledge())));
    for (const [st, max] of targets) {
      const c = measureCost(appKnowledge(), metaFor(st), goldenLines(st));
      expect({ st, ok: c.jsonParsesMax <= max }).toEqual({ st, ok: true });
    }
  });

  it('counts every spath() call as a parse, as Splunk does (no cache)', () => {
    const cost = newCost();
    const doc = '{"a":{"b":1},"c":2}';
    const expr = parseEval('coalesce(spath(x, "a.b") . spath(x, "c"), spath(x, "a.b"))');
    expect(evaluate(expr, { get: (n) => (n === 'x' ? [doc] : undefined), cost })).toBe('12');
    expect(cost.jsonParses).toBe(2);
    const again = newCost();
    evaluate(parseEval('spath(x, "a.b") + spath(x, "a.b")'), { get: () => [doc], cost: again });
    expect(again.jsonParses).toBe(2);
  });

  it('+ concatenates strings and adds numbers', () => {
    const get = (n: string) => ({ a: ['5120'], b: ['880'], s: ['web'] })[n as 'a'];
    expect(evaluate(parseEval('"1" + "2"'), { get })).toBe('12');
    expect(evaluate(parseEval('tonumber(a) + tonumber(b)'), { get })).toBe(6000);
    expect(evaluate(parseEval('s + b'), { get })).toBe('web880');
  });
});

describe('tags', () => {
  const eventtypes = conf('eventtypes.conf');
  const tags = conf('tags.conf');
  const tagged = new Map<string, string[]>();
  for (const s of tags.stanzas) for (const e of s.entries) if (e.value === 'enabled') tagged.set(e.key, [...(tagged.get(e.key) ?? []), s.name.replace(/^eventtype=/, '')]);

  it('sit on at most 30 eventtypes each', () => {
    for (const [tag, ets] of tagged) expect({ tag, count: ets.length <= 30 }).toEqual({ tag, count: true });
    expect(tagged.get('change')?.length).toBeGreaterThan(0);
  });

  it('never on a per-type or per-family Illumio eventtype', () => {
    const perType = new Set([...ILLUMIO_EVENT_TYPES.map((t) => `illumio_${t.name}`), ...eventtypes.stanzas.map((s) => s.name).filter((n) => n.startsWith('illumio_family_'))]);
    const bad = [...tagged.values()].flat().filter((e) => perType.has(e));
    expect(bad).toEqual([]);
  });

  it('account only where the eventtype requires object_category=user', () => {
    for (const et of tagged.get('account') ?? []) {
      const search = eventtypes.stanzas.find((s) => s.name === et)!.entries.find((e) => e.key === 'search')!.value;
      if (et.startsWith('illumio_')) expect(search).toContain('object_category="user"');
    }
    const kb = appKnowledge();
    for (const st of SOURCETYPES.filter((s) => s.startsWith('illumio:'))) {
      for (const l of goldenLines(st)) {
        const e = kb.evaluate(l, metaFor(st));
        if (e.tag.includes('account')) expect(e.fields.get('object_category')).toEqual(['user']);
        if (e.tag.includes('change') && !e.tag.includes('account')) expect(e.fields.get('object_category')).not.toEqual(['user']);
      }
    }
  });
});
