/**
 * `npm run generate`: writes every generator's files. `--check` writes nothing and exits 1
 * listing the files that differ (what the drift test asserts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { generators } from './generators';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface GeneratedFile {
  generator: string;
  path: string;
  content: string | Uint8Array;
}

export function runGenerators(): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  const seen = new Map<string, string>();
  for (const g of generators) {
    for (const [p, content] of Object.entries(g.generate())) {
      const other = seen.get(p);
      if (other) throw new Error(`Generators "${other}" and "${g.name}" both write ${p}.`);
      seen.set(p, g.name);
      out.push({ generator: g.name, path: p, content });
    }
  }
  return out;
}

function toBuffer(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/** Files whose committed content differs from what the generators produce now. */
export function driftedFiles(root = REPO_ROOT): GeneratedFile[] {
  return runGenerators().filter((f) => {
    const file = path.join(root, f.path);
    return !fs.existsSync(file) || !fs.readFileSync(file).equals(toBuffer(f.content));
  });
}

export function writeGenerated(root = REPO_ROOT): GeneratedFile[] {
  const changed = driftedFiles(root);
  for (const f of changed) {
    const file = path.join(root, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, toBuffer(f.content));
  }
  return changed;
}

if (require.main === module) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log('usage: npm run generate [-- --check]\nWrites the conf, lookups and icons derived from the catalog; --check only reports files that drifted (exit 1).');
  } else if (process.argv.includes('--check')) {
    const drift = driftedFiles();
    if (drift.length) {
      console.error(`Generated files are out of date (run \`npm run generate\`):\n${drift.map((f) => `  ${f.path} (${f.generator})`).join('\n')}`);
      process.exit(1);
    }
    console.log('Generated files are up to date.');
  } else {
    const changed = writeGenerated();
    console.log(changed.length ? `Wrote ${changed.map((f) => f.path).join(', ')}` : 'Generated files are up to date.');
  }
}
