/**
 * `npm run build`: bundles the splunkd entry into bin/lib/ (gitignored build output) so the app
 * carries no node_modules. Target node18: the product must run on Node >= 18.17. The sourcemap
 * stays next to the bundle for development; the packager leaves `*.map` out of the package.
 *
 * Files are written to a temporary name and renamed, so a test or splunkd running the old bundle
 * never reads a half-written one while a build runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { bundledPackages, noticesText } from './notices';

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUT_DIR = path.join(ROOT, 'bin', 'lib');
/** Licences of what the bundles contain (legalComments are dropped from the bundles); the package ships it as THIRD-PARTY-NOTICES.txt. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/**
 * Bundle entries: output name (under bin/lib/) → source. splunkd runs `--scheme` for every input
 * whenever it starts, so modinput.js holds only the entry, the descriptions and the scheme
 * writer; run and validate modes (HTTP, logging, SDK) live in modinput-run.js, which
 * modinput.js loads only for those modes. Parsing one 1.4 MB file costs more than node's own
 * start-up, so a lazily evaluated module inside one bundle is not enough.
 */
export const ENTRIES: Record<string, string> = {
  modinput: 'src/cli/modinput.ts',
  'modinput-run': 'src/core/modinput-run.ts',
};

/** `import('./modinput-run')` in src/core/modinput.ts becomes a load of the sibling bundle. */
const runModuleExternal: Plugin = {
  name: 'modinput-run-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/modinput-run$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'core', 'modinput.ts')) ? { path: './modinput-run.js', external: true } : undefined);
  },
};

/** The configuration page (default/data/ui/views/configuration.xml loads it); built, not committed. */
export const UI_ENTRY = 'src/ui/configuration.ts';
export const UI_OUT = path.join(ROOT, 'appserver', 'static', 'configuration.js');

/**
 * The page's script for browsers: one IIFE (Splunk loads dashboard scripts through RequireJS,
 * which runs a script that defines no module as is), ES2019 for the browsers Splunk Web supports.
 */
export async function bundleUi(outFile = UI_OUT): Promise<string> {
  return (await bundleUiWithMetafile(outFile)).file;
}

async function bundleUiWithMetafile(outFile: string): Promise<{ file: string; metafile: Metafile }> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, UI_ENTRY)],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2019',
    minify: true,
    write: false,
    metafile: true,
    outfile: outFile,
    legalComments: 'none',
    logLevel: 'warning',
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, result.outputFiles[0].contents);
  fs.renameSync(tmp, outFile);
  return { file: outFile, metafile: result.metafile };
}

export interface BundleResult {
  files: string[];
  metafile: Metafile;
}

export async function bundle(outDir = OUT_DIR): Promise<BundleResult> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, path.join(ROOT, src)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: !process.env.TA_BUNDLE_NOMINIFY,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    write: false,
    legalComments: 'none',
    plugins: [runModuleExternal],
    // import() of a sibling bundle as require(): node's ESM loader would run its CJS export
    // lexer over the whole file first (a second parse of a megabyte of JavaScript).
    supported: { 'dynamic-import': false },
    // tsconfig's strict implies alwaysStrict, which would put "use strict" at the top of each
    // bundle and so over the sloppy-mode CommonJS of splunk-sdk (arguments.callee) as well.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, useDefineForClassFields: true, target: 'ES2022' } },
    logLevel: 'warning',
  });
  fs.mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, f.contents);
    fs.renameSync(tmp, f.path);
    files.push(f.path);
  }
  const metafiles = [result.metafile];
  if (outDir === OUT_DIR) {
    const ui = await bundleUiWithMetafile(UI_OUT);
    files.push(ui.file);
    metafiles.push(ui.metafile);
  }
  const notices = path.join(outDir, NOTICES_FILE);
  fs.writeFileSync(`${notices}.${process.pid}.tmp`, noticesText(bundledPackages(metafiles, ROOT), 'the bundled inputs (bin/lib/*.js) and the configuration page (appserver/static/configuration.js)'));
  fs.renameSync(`${notices}.${process.pid}.tmp`, notices);
  files.push(notices);
  return { files, metafile: result.metafile };
}

if (require.main === module) {
  bundle()
    .then(({ files }) => {
      for (const f of files) {
        const size = fs.statSync(f).size;
        process.stdout.write(`${path.relative(ROOT, f)}  ${(size / 1024).toFixed(0)} KiB\n`);
      }
    })
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
