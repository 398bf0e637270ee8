/**
 * `npm run generate`: writes every generator's files from the module list (src/sources/index.ts).
 * `--check` writes nothing and exits 1 listing the files that differ (what the drift test asserts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { addonLogKnowledge } from '../core/log/knowledge';
import type { SourceModule } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import { generators, type GeneratorContext } from './generators';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface GeneratedFile {
  generator: string;
  path: string;
  content: string | Uint8Array;
  /** Written with mode 755 (launchers). */
  executable?: boolean;
}

/** Loads each module's knowledge (a dynamic import per module) once for all generators. */
export async function generatorContext(modules: readonly SourceModule[] = SOURCE_MODULES): Promise<GeneratorContext> {
  const vendors = await Promise.all(modules.map(async (module) => ({ module, knowledge: await module.knowledge() })));
  return { modules, vendors, knowledge: [...vendors.map((v) => v.knowledge), addonLogKnowledge] };
}

export async function runGenerators(modules: readonly SourceModule[] = SOURCE_MODULES): Promise<GeneratedFile[]> {
  const ctx = await generatorContext(modules);
  const out: GeneratedFile[] = [];
  const seen = new Map<string, string>();
  for (const g of generators) {
    for (const [p, content] of Object.entries(g.generate(ctx))) {
      const other = seen.get(p);
      if (other) throw new Error(`Generators "${other}" and "${g.name}" both write ${p}.`);
      seen.set(p, g.name);
      out.push({ generator: g.name, path: p, content, ...(g.executable ? { executable: true } : {}) });
    }
  }
  return out;
}

function toBuffer(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/** Files whose committed content (or execute bit) differs from what the generators produce now. */
export async function driftedFiles(root = REPO_ROOT, modules: readonly SourceModule[] = SOURCE_MODULES): Promise<GeneratedFile[]> {
  return (await runGenerators(modules)).filter((f) => {
    const file = path.join(root, f.path);
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(toBuffer(f.content))) return true;
    return f.executable === true && (fs.statSync(file).mode & 0o111) !== 0o111;
  });
}

export async function writeGenerated(root = REPO_ROOT, modules: readonly SourceModule[] = SOURCE_MODULES): Promise<GeneratedFile[]> {
  const changed = await driftedFiles(root, modules);
  for (const f of changed) {
    const file = path.join(root, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, toBuffer(f.content));
    if (f.executable) fs.chmodSync(file, 0o755);
  }
  return changed;
}

async function cli(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run generate [-- --check]\nWrites the conf, lookups, launchers and icons derived from the modules (src/sources/index.ts); --check only reports files that drifted (exit 1).');
  } else if (argv.includes('--check')) {
    const drift = await driftedFiles();
    if (drift.length) {
      console.error(`Generated files are out of date (run \`npm run generate\`):\n${drift.map((f) => `  ${f.path} (${f.generator})`).join('\n')}`);
      return 1;
    }
    console.log('Generated files are up to date.');
  } else {
    const changed = await writeGenerated();
    console.log(changed.length ? `Wrote ${changed.map((f) => f.path).join(', ')}` : 'Generated files are up to date.');
  }
  return 0;
}

if (require.main === module) {
  cli(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
