/**
 * Search-time cost as Splunk pays it, per sourcetype: JSON parses and regex executions per event
 * (counted by the evaluator), the longest calculated field and the spath() calls written per
 * props.conf stanza. `npm run bench` and `npm run preview -- --cost` report it; the README
 * publishes it; test/knowledge/cost.test.ts holds it to the targets.
 */
import type { ConfFile } from '../conf/parse';
import type { EventMeta, KnowledgeBase } from './index';
import type { SourceKnowledge } from './spec';

/** Issue 13's targets on every stanza; JSON parses per event are a vendor's (jsonParseTargets). */
export const COST_TARGETS = { maxEvalChars: 600, maxSpathPerStanza: 15 } as const;

/** Sourcetype → the most JSON parses per event its module allows (SourceKnowledge.maxJsonParsesPerEvent). */
export function jsonParseTargets(knowledge: readonly SourceKnowledge[]): Map<string, number> {
  return new Map(knowledge.flatMap((k) => (k.maxJsonParsesPerEvent === undefined ? [] : k.props.map((p) => [p.name, k.maxJsonParsesPerEvent!] as const))));
}

export interface SourcetypeCost {
  sourcetype: string;
  events: number;
  jsonParsesMean: number;
  jsonParsesMax: number;
  regexEvaluationsMean: number;
  regexEvaluationsMax: number;
}

export function measureCost(kb: KnowledgeBase, meta: EventMeta, lines: readonly string[]): SourcetypeCost {
  let jp = 0;
  let jpMax = 0;
  let re = 0;
  let reMax = 0;
  for (const l of lines) {
    const c = kb.evaluate(l, meta).cost;
    jp += c.jsonParses;
    re += c.regexEvaluations;
    jpMax = Math.max(jpMax, c.jsonParses);
    reMax = Math.max(reMax, c.regexEvaluations);
  }
  const n = Math.max(lines.length, 1);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { sourcetype: meta.sourcetype, events: lines.length, jsonParsesMean: r1(jp / n), jsonParsesMax: jpMax, regexEvaluationsMean: r1(re / n), regexEvaluationsMax: reMax };
}

export interface StanzaShape {
  stanza: string;
  /** Longest EVAL- value, in characters, and its key. */
  maxEvalChars: number;
  maxEvalKey: string;
  /** spath( written in the stanza's EVAL- values. */
  spathCalls: number;
}

export function stanzaShapes(props: ConfFile): StanzaShape[] {
  return props.stanzas.map((s) => {
    let maxEvalChars = 0;
    let maxEvalKey = '';
    let spathCalls = 0;
    for (const e of s.entries) {
      if (!/^EVAL-/i.test(e.key)) continue;
      if (e.value.length > maxEvalChars) {
        maxEvalChars = e.value.length;
        maxEvalKey = e.key;
      }
      spathCalls += (e.value.match(/\bspath\s*\(/g) ?? []).length;
    }
    return { stanza: s.name, maxEvalChars, maxEvalKey, spathCalls };
  });
}

/** A Markdown table of the costs (README). */
export function costTable(costs: readonly SourcetypeCost[], shapes: readonly StanzaShape[]): string {
  const shape = new Map(shapes.map((s) => [s.stanza, s]));
  const rows = costs.map((c) => {
    const s = shape.get(c.sourcetype);
    return `| \`${c.sourcetype}\` | ${c.jsonParsesMean} (max ${c.jsonParsesMax}) | ${c.regexEvaluationsMean} (max ${c.regexEvaluationsMax}) | ${s?.spathCalls ?? 0} | ${s?.maxEvalChars ?? 0} |`;
  });
  return ['| sourcetype | JSON parses / event | regex executions / event | spath() in stanza | longest EVAL (chars) |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
