/**
 * Golden files: test/golden/<sourcetype>.raw (raw lines from the seeds' examples, the vendor
 * simulators and the Illumio syslog renderers; see build-inputs.ts) must give exactly
 * <sourcetype>.expected.jsonl. After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 npx jest test/knowledge/golden` and review the diff.
 */
import * as fs from 'node:fs';
import { toJsonObject } from '../../src/core/knowledge';
import { appKnowledge, goldenFile, goldenLines, metaFor, SOURCETYPES } from './support';

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
