/**
 * Checkpoints written by a release stay readable by the next ones. Each input that keeps a
 * checkpoint has one committed file here, as a run of the release that introduced its current
 * format left it (test/core/fixtures/checkpoints/<scheme>.json, envelope included); it must load
 * through the input's own format unchanged. A format change that cannot read it needs a migration
 * (src/core/checkpoint/format.ts), not a new fixture.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpointKey, fileCheckpointStore } from '../../src/core/checkpoint';
import type { Source } from '../../src/core/types';
import { SOURCE_MODULES } from '../../src/sources';

const FIXTURES = path.join(__dirname, 'fixtures', 'checkpoints');

test.each(SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => [i.description.scheme, i] as const)))('%s: the committed checkpoint (if it keeps one) loads as it was saved, and saves back the same', async (scheme, input) => {
  const source = (await input.load()) as Source;
  const fixture = path.join(FIXTURES, `${scheme}.json`);
  // An input that keeps no checkpoint (a snapshot poll) has no format and no fixture.
  expect(fs.existsSync(fixture)).toBe(source.checkpoint !== undefined);
  if (!source.checkpoint) return;
  const text = fs.readFileSync(fixture, 'utf8');
  const doc = JSON.parse(text) as { stanza: string; state: unknown };
  expect(doc.stanza.startsWith(`${scheme}://`)).toBe(true);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-cp-fixture-'));
  try {
    fs.writeFileSync(path.join(dir, `${checkpointKey(doc.stanza)}.json`), text);
    const store = fileCheckpointStore(dir, doc.stanza);
    const state = await store.load(source.checkpoint!);
    expect(state).toEqual(doc.state);
    await store.save(source.checkpoint!, state);
    expect(await store.load(source.checkpoint!)).toEqual(doc.state);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
