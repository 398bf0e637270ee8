import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftedFiles, runGenerators, writeGenerated } from '../../src/build/generate';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

describe('generated files', () => {
  it('are committed as the generators produce them', async () => {
    const drift = (await driftedFiles()).map((f) => `${f.path} (${f.generator})`);
    if (drift.length) {
      throw new Error(`These files differ from what the generators produce; run \`npm run generate\` and commit:\n  ${drift.join('\n  ')}`);
    }
    expect((await runGenerators()).length).toBeGreaterThan(0);
  });

  it('are detected as drifted when edited, missing or (launchers) not executable, and rewritten by generate', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
    try {
      const all = (await runGenerators()).map((f) => f.path).sort();
      expect((await driftedFiles(root)).map((f) => f.path).sort()).toEqual(all);
      await writeGenerated(root);
      expect(await driftedFiles(root)).toEqual([]);
      fs.appendFileSync(path.join(root, 'README/inputs.conf.spec'), '\nhand_edit = 1\n');
      const launcher = `bin/${SOURCE_MODULES[0].inputs[0].description.scheme}.sh`;
      expect(fs.statSync(path.join(root, launcher)).mode & 0o777).toBe(0o755);
      fs.chmodSync(path.join(root, launcher), 0o644);
      expect((await driftedFiles(root)).map((f) => f.path).sort()).toEqual(['README/inputs.conf.spec', launcher].sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('declare every argument of every input in README/inputs.conf.spec', async () => {
    const descriptions = descriptionsOf(SOURCE_MODULES);
    const spec = (await runGenerators()).find((f) => f.path === 'README/inputs.conf.spec')!.content as string;
    for (const d of descriptions) {
      const stanza = spec.split(`[${d.scheme}://<name>]`)[1]?.split(/\n\[/)[0] ?? '';
      expect(stanza).toContain('interval = ');
      for (const a of d.args) expect({ scheme: d.scheme, arg: a.name, declared: new RegExp(`^${a.name} = `, 'm').test(stanza) }).toEqual({ scheme: d.scheme, arg: a.name, declared: true });
    }
  });
});
