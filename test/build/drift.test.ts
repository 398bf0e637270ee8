import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftedFiles, runGenerators, writeGenerated } from '../../src/build/generate';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

describe('generated files', () => {
  it('are committed as the generators produce them', () => {
    const drift = driftedFiles().map((f) => `${f.path} (${f.generator})`);
    if (drift.length) {
      throw new Error(`These files differ from what the generators produce; run \`npm run generate\` and commit:\n  ${drift.join('\n  ')}`);
    }
    expect(runGenerators().length).toBeGreaterThan(0);
  });

  it('are detected as drifted when edited or missing, and rewritten by generate', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
    try {
      const all = runGenerators().map((f) => f.path).sort();
      expect(driftedFiles(root).map((f) => f.path).sort()).toEqual(all);
      writeGenerated(root);
      expect(driftedFiles(root)).toEqual([]);
      fs.appendFileSync(path.join(root, 'README/inputs.conf.spec'), '\nhand_edit = 1\n');
      expect(driftedFiles(root).map((f) => f.path)).toEqual(['README/inputs.conf.spec']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('declare every argument of every input in README/inputs.conf.spec', () => {
    const descriptions = descriptionsOf(SOURCE_MODULES);
    const spec = runGenerators().find((f) => f.path === 'README/inputs.conf.spec')!.content as string;
    for (const d of descriptions) {
      const stanza = spec.split(`[${d.scheme}://<name>]`)[1]?.split(/\n\[/)[0] ?? '';
      expect(stanza).toContain('interval = ');
      for (const a of d.args) expect({ scheme: d.scheme, arg: a.name, declared: new RegExp(`^${a.name} = `, 'm').test(stanza) }).toEqual({ scheme: d.scheme, arg: a.name, declared: true });
    }
  });
});
