/**
 * Golden files: test/golden/<sourcetype>.raw (raw lines from the seeds' examples, the vendor
 * simulators and the Illumio syslog renderers; see build-inputs.ts) must give exactly
 * <sourcetype>.expected.jsonl. After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 npx jest test/knowledge/golden` and review the diff.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toJsonObject } from '../../src/core/knowledge';
import { goldenInputFiles } from '../golden/build-inputs';
import { appKnowledge, GOLDEN, goldenFile, goldenLines, metaFor, SOURCETYPES } from './support';

describe.each(SOURCETYPES)('golden %s', (st) => {
  it('evaluates every raw line to the expected fields', () => {
    const kb = appKnowledge();
    const actual = goldenLines(st).map((l) => JSON.stringify(toJsonObject(kb.evaluate(l, metaFor(st)))));
    const file = goldenFile(st, '.expected.jsonl');
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, `${actual.join('\n')}\n`);
    const expected = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expect({ line: i + 1, ...JSON.parse(a) }).toEqual({ line: i + 1, ...JSON.parse(expected[i]) }));
  });
});

test('the raw golden inputs are what build-inputs.ts derives from the modules (no hand-edited line drifts from the code)', async () => {
  const files = await goldenInputFiles();
  // Raw files not derived by the script, each with where its lines come from.
  const captured: Record<string, string> = {
    'ta_zerotrust_health.raw': 'health events as real runs wrote them: the runtime\'s and the launcher shell\'s (bin/ta_zerotrust_node.sh)',
  };
  const raw = fs.readdirSync(GOLDEN).filter((f) => f.endsWith('.raw')).map((f) => path.join(GOLDEN, f));
  expect(raw.filter((f) => !files.has(f) && !captured[path.basename(f)])).toEqual([]);
  expect(files.size).toBe(raw.length - Object.keys(captured).length);
  const drifted = [...files].filter(([f, content]) => !fs.existsSync(f) || fs.readFileSync(f, 'utf8') !== content).map(([f]) => f);
  // Fix: change the module's goldenInputs, run `npx tsx test/golden/build-inputs.ts`, review, then UPDATE_GOLDEN=1.
  expect(drifted).toEqual([]);
});
