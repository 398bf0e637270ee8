/**
 * `npm run bench` entry for the knowledge evaluator: events per second through the full
 * search-time pipeline (what `preview` does per line), per sourcetype, on the golden corpus,
 * and the search-time cost per event (JSON parses, regex executions) that Splunk would pay.
 * The JSON-parse targets per sourcetype are the modules' (cost.ts jsonParseTargets); src/cli/bench.ts
 * hands them in, since core reads no module list.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchResult } from '../bench';
import { parseConf } from '../conf/parse';
import { COST_TARGETS, measureCost, stanzaShapes } from './cost';
import { KnowledgeBase, toJsonObject } from './index';

export type { BenchResult };

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Splunk's own search-time extraction runs at a few thousand events/s per core; we aim for 1000. */
const TARGET = 1000;

export async function bench(jsonParseTargets: ReadonlyMap<string, number> = new Map()): Promise<BenchResult[]> {
  const kb = KnowledgeBase.loadApp(ROOT).assertValid();
  const dir = path.join(ROOT, 'test', 'golden');
  const out: BenchResult[] = [];
  for (const st of kb.sourcetypes()) {
    const file = path.join(dir, `${st.replace(/:/g, '_')}.raw`);
    if (!fs.existsSync(file)) continue;
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const meta = st === 'ta_zerotrust_events:log' ? { sourcetype: 'splunkd', source: '/opt/splunk/var/log/splunk/ta_zerotrust_events_x.log' } : { sourcetype: st };
    // What Splunk pays per event (counted, not timed): JSON parses and regex executions.
    const cost = measureCost(kb, meta, lines);
    const max = jsonParseTargets.get(st);
    out.push({
      name: `search-time JSON parses per event ${st} (max)`, value: cost.jsonParsesMax, unit: 'parses',
      ...(max !== undefined ? { target: `<= ${max}`, ok: cost.jsonParsesMax <= max } : {}),
    });
    out.push({ name: `search-time regex executions per event ${st} (mean)`, value: cost.regexEvaluationsMean, unit: 'executions' });
    // Warm up (JIT, caches) for a while before measuring.
    const warm = Date.now() + 300;
    while (Date.now() < warm) for (const l of lines) JSON.stringify(toJsonObject(kb.evaluate(l, meta)));
    let n = 0;
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    let elapsed = 0;
    while (elapsed < 1e9) {
      for (const l of lines) {
        JSON.stringify(toJsonObject(kb.evaluate(l, meta)));
        n++;
      }
      elapsed = Number(process.hrtime.bigint() - start);
    }
    const cpu = process.cpuUsage(cpu0);
    // Wall-clock rate depends on what else the machine runs; the CPU-time rate is what we hold to a target.
    out.push({ name: `preview ${st}`, value: Math.round(n / (elapsed / 1e9)), unit: 'events/s' });
    const perCpu = Math.round(n / ((cpu.user + cpu.system) / 1e6));
    out.push({ name: `preview ${st} per CPU second`, value: perCpu, unit: 'events/cpu-s', target: `>= ${TARGET}`, ok: perCpu >= TARGET });
  }
  for (const s of stanzaShapes(parseConf(fs.readFileSync(path.join(ROOT, 'default', 'props.conf'), 'utf8')))) {
    if (!s.maxEvalChars) continue;
    out.push({ name: `longest EVAL in [${s.stanza}]`, value: s.maxEvalChars, unit: 'chars', target: `<= ${COST_TARGETS.maxEvalChars}`, ok: s.maxEvalChars <= COST_TARGETS.maxEvalChars });
    out.push({ name: `spath() in [${s.stanza}]`, value: s.spathCalls, unit: 'calls', target: `<= ${COST_TARGETS.maxSpathPerStanza}`, ok: s.spathCalls <= COST_TARGETS.maxSpathPerStanza });
  }
  return out;
}
