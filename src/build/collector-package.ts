/**
 * The standalone collector as an artefact: dist/ta-zerotrust-collector-<version>.tgz holds one
 * folder with
 *
 *   ta-zerotrust-collector.js   src/cli/ta-zerotrust.ts and everything it imports, bundled by
 *                               esbuild: it runs with `node` alone (no node_modules, no tsx)
 *   collector.example.json      the example config
 *   README.md                   for the admin who runs it (src/build/collector/README.md)
 *   Dockerfile                  an image on a node base image from the files above, no fetches
 *   LICENSE                     ours
 *   THIRD-PARTY-NOTICES.txt     the licence of every npm package inside the bundle, found from
 *                               esbuild's metafile (the inputs under node_modules)
 *
 * `npm run package` builds it after the Splunk app; `npx tsx src/build/collector-package.ts`
 * builds only this. Modes and mtimes are fixed, so the same tree gives the same bytes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { bundledPackages, noticesText, type BundledPackage } from './notices';
import * as tar from 'tar';

const ROOT = path.resolve(__dirname, '..', '..');
const ASSETS = path.join(ROOT, 'src', 'build', 'collector');
export const COLLECTOR_NAME = 'ta-zerotrust-collector';
export const COLLECTOR_JS = `${COLLECTOR_NAME}.js`;
/** Files of the artefact besides the bundle and the notices, and where they come from. */
const COPIED: [string, string][] = [
  ['collector.example.json', path.join(ROOT, 'collector.example.json')],
  ['README.md', path.join(ASSETS, 'README.md')],
  ['Dockerfile', path.join(ASSETS, 'Dockerfile')],
  ['LICENSE', path.join(ROOT, 'LICENSE')],
];
const FIXED_MTIME = new Date(Date.UTC(2026, 0, 1));

/**
 * The collector runs the vendors' sources (src/sources/<vendor>/index.ts) only: the modules'
 * other lazy hooks (knowledge, simulators, demo parts, benches, golden inputs) serve the app
 * build, `npm start` and the tests, so in the artefact they become a module that throws.
 */
const SOURCES_ONLY: Plugin = {
  name: 'collector-sources-only',
  setup(b) {
    const sources = path.join(ROOT, 'src', 'sources');
    b.onResolve({ filter: /^\./ }, (args) => (args.kind === 'dynamic-import' && path.basename(args.importer) === 'module.ts'
      && path.dirname(path.dirname(args.importer)) === sources && path.resolve(args.resolveDir, args.path) !== path.join(path.dirname(args.importer), 'index')
      ? { path: path.relative(ROOT, path.resolve(args.resolveDir, args.path)), namespace: 'collector-absent' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'collector-absent' }, (args) => ({ contents: `throw new Error(${JSON.stringify(`${args.path} is not in the collector`)});`, loader: 'js' }));
  },
};

/** Bundles the collector's CLI into one file; returns esbuild's metafile. */
export async function bundleCollector(outFile: string): Promise<Metafile> {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'src', 'cli', 'ta-zerotrust.ts')],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    write: false,
    metafile: true,
    legalComments: 'none',
    // node-cron is imported as ESM and computes a path from import.meta.url at load time, which
    // a CommonJS bundle leaves empty: give it this file's URL.
    banner: { js: `#!/usr/bin/env node\n// ${COLLECTOR_NAME} ${version}: licences of the bundled packages in THIRD-PARTY-NOTICES.txt\nvar __bundle_url=require("url").pathToFileURL(__filename).href;` },
    define: { 'process.env.TA_ZEROTRUST_COLLECTOR_VERSION': JSON.stringify(version), 'import.meta.url': '__bundle_url' },
    // As for the launcher bundles: no "use strict" over splunk-sdk's sloppy-mode CommonJS.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, useDefineForClassFields: true, target: 'ES2022' } },
    logLevel: 'warning',
    plugins: [SOURCES_ONLY],
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, result.outputFiles[0].contents, { mode: 0o755 });
  return result.metafile;
}

export type { BundledPackage };

export interface CollectorPackageResult {
  file: string;
  size: number;
  version: string;
  entries: string[];
  packages: BundledPackage[];
}

export async function buildCollectorPackage(opts: { outDir?: string } = {}): Promise<CollectorPackageResult> {
  const outDir = opts.outDir ?? path.join(ROOT, 'dist');
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const top = `${COLLECTOR_NAME}-${version}`;
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-collector-'));
  try {
    const dir = path.join(stage, top);
    fs.mkdirSync(dir, { mode: 0o755 });
    const metafile = await bundleCollector(path.join(dir, COLLECTOR_JS));
    const packages = bundledPackages([metafile], ROOT);
    fs.writeFileSync(path.join(dir, 'THIRD-PARTY-NOTICES.txt'), noticesText(packages, COLLECTOR_JS));
    for (const [name, src] of COPIED) fs.copyFileSync(src, path.join(dir, name));
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), f === COLLECTOR_JS ? 0o755 : 0o644);
    fs.chmodSync(dir, 0o755);
    const entries = [`${top}/`, ...fs.readdirSync(dir).sort().map((f) => `${top}/${f}`)];
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${top}.tgz`);
    await tar.c({ gzip: { level: 9 }, file, cwd: stage, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, entries);
    return { file, size: fs.statSync(file).size, version, entries, packages };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  buildCollectorPackage().then(
    (r) => console.log(`${path.relative(process.cwd(), r.file)} (${(r.size / 1024).toFixed(1)} KiB, ${r.entries.length} entries, ${r.packages.length} bundled packages)`),
    (e: Error) => {
      console.error(`package: ${e.message}`);
      process.exit(1);
    },
  );
}
