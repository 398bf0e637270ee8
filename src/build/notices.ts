/**
 * THIRD-PARTY-NOTICES.txt: the licence of every npm package whose code esbuild put into a
 * bundle, found from the bundles' metafiles (each input under node_modules → its package), so
 * the list follows what is actually bundled, not package.json. A package with neither a
 * licence file nor a `license` field stops the build: we could not say under what terms we ship it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Metafile } from 'esbuild';

export interface BundledPackage {
  name: string;
  version: string;
  /** SPDX expression of package.json. */
  license: string;
  /** The package's own licence and notice files, in name order. */
  texts: { file: string; text: string }[];
  /** Bundles (output files) that contain code of it. */
  bundles: string[];
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** `node_modules/a/node_modules/@s/b/lib/x.js` → `node_modules/a/node_modules/@s/b`. */
export function packageDirOf(input: string): string | undefined {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  return parts.slice(0, i + (parts[i + 1].startsWith('@') ? 3 : 2)).join('/');
}

export function bundledPackages(metafiles: readonly Metafile[], root: string): BundledPackage[] {
  const found = new Map<string, BundledPackage>();
  for (const mf of metafiles) {
    for (const [out, o] of Object.entries(mf.outputs)) {
      for (const input of Object.keys(o.inputs)) {
        const dir = packageDirOf(input);
        if (!dir) continue;
        const abs = path.join(root, dir);
        const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8')) as { name: string; version: string; license?: string | { type?: string }; licenses?: { type?: string }[] };
        const key = `${pkg.name}@${pkg.version}`;
        let entry = found.get(key);
        if (!entry) {
          const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? pkg.licenses?.map((l) => l.type).filter(Boolean).join(' OR ') ?? '';
          const texts = fs.readdirSync(abs).filter((f) => LICENSE_FILE.test(f) && fs.statSync(path.join(abs, f)).isFile()).sort()
            .map((f) => ({ file: f, text: fs.readFileSync(path.join(abs, f), 'utf8').trim() }));
          if (!license && texts.length === 0) throw new Error(`${key} (${dir}) is bundled but declares no licence and ships no licence file: cannot ship it.`);
          found.set(key, (entry = { name: pkg.name, version: pkg.version, license: license || 'see licence file', texts, bundles: [] }));
        }
        const bundle = path.basename(out);
        if (!entry.bundles.includes(bundle)) entry.bundles.push(bundle);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function noticesText(pkgs: readonly BundledPackage[], what: string): string {
  const rule = '='.repeat(78);
  const head = [
    `Code of the following ${pkgs.length} npm packages is in ${what}, besides that of TA-zerotrust-events itself (Apache-2.0, see LICENSE).`,
    'Their licences follow in full.',
    '',
    ...pkgs.map((p) => `  ${p.name}@${p.version}  ${p.license}  (in ${p.bundles.join(', ')})`),
    '',
  ];
  const bodies = pkgs.map((p) => [
    rule, `${p.name}@${p.version} (${p.license})`, rule,
    ...(p.texts.length ? p.texts.map((t) => `--- ${t.file}\n${t.text}\n`) : [`The package ships no licence file; its package.json declares ${p.license}.\n`]),
  ].join('\n'));
  return `${[...head, ...bodies].join('\n')}\n`;
}
