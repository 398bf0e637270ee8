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
import { moduleOf } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import { validatorsModule } from './validators';

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUT_DIR = path.join(ROOT, 'bin', 'lib');
/** Licences of what the bundles contain (legalComments are dropped from the bundles); the package ships it as THIRD-PARTY-NOTICES.txt. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/**
 * Bundles under bin/lib/, so that each process loads only what it runs (module load is part of
 * every run splunkd starts; npm run bench measures it per launcher):
 *  - modinput.js: the entry, the descriptions and the scheme writer (splunkd runs `--scheme` for
 *    every input whenever it starts);
 *  - run-<scheme>.js: run and validate modes with that one input's code (HTTP, logging,
 *    checkpoints); src/cli/run-loader.ts becomes a require of it through the V8 code cache
 *    (src/cli/run-loader-bundle.ts, src/cli/code-cache.ts);
 *  - splunk-sdk.js: the SDK (with needle and iconv-lite, ~600 KB), required only when a secret
 *    is read from or moved to storage/passwords.
 * undici comes in through a shim of the three things we use, not its index (which evaluates
 * fetch, WebSocket, mocks and caches at load). Sibling bundles are require()d: an import() would
 * make node's ESM loader lex a whole bundle for CommonJS exports first.
 */
export const ENTRY = 'src/cli/modinput.ts';
export const RUN_ENTRY = 'src/cli/modinput-run.ts';
/** Scheme → the vendor folder (module name) whose code its run bundle holds. */
export const SCHEME_SOURCES: Record<string, string> = Object.fromEntries(
  SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => [i.description.scheme, m.name])),
);
const SDK_ENTRY = 'splunk-sdk-entry';

/**
 * The lazy loaders of the module list (dynamic imports in src/sources/<vendor>/module.ts) that a
 * bundle leaves out become a module that throws when reached: the --scheme bundle and the browser
 * page keep none (descriptions only), a run bundle keeps the import of its own vendor's index.ts.
 */
export function lazyLoaderStubs(bundleName: string, keepVendor?: string): Plugin {
  const sources = path.join(ROOT, 'src', 'sources');
  return {
    name: 'ta-lazy-loaders',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import' || path.basename(args.importer) !== 'module.ts' || path.dirname(path.dirname(args.importer)) !== sources) return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        if (keepVendor !== undefined && target === path.join(sources, keepVendor, 'index')) return undefined;
        return { path: path.relative(ROOT, target), namespace: 'ta-absent' };
      });
      b.onLoad({ filter: /.*/, namespace: 'ta-absent' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in ${bundleName}`)});`,
        loader: 'js',
      }));
    },
  };
}

/** For the run bundle of `scheme`: other vendors' folders are not in it. */
function runPlugins(scheme: string | undefined, validators: () => Promise<string>): Plugin[] {
  const vendor = scheme ? moduleOf(SOURCE_MODULES, scheme)?.name : undefined;
  return [lazyLoaderStubs(scheme ? `the run bundle of ${scheme}` : 'modinput.js', vendor), {
    name: 'ta-bundles',
    setup(b) {
      // The run bundle next to this one, compiled through the V8 code cache (src/cli/code-cache.ts).
      b.onResolve({ filter: /^\.\/run-loader$/ }, (args) =>
        args.importer.endsWith(path.join('src', 'cli', 'modinput.ts')) ? { path: path.join(ROOT, 'src', 'cli', 'run-loader-bundle.ts') } : undefined);
      b.onResolve({ filter: /^splunk-sdk\/lib\/(log|service)$/ }, (args) => ({ path: args.path, namespace: 'ta' }));
      b.onLoad({ filter: /^splunk-sdk\/lib\/(log|service)$/, namespace: 'ta' }, (args) => ({
        contents: `module.exports = require('./splunk-sdk.js').${args.path.endsWith('log') ? 'log' : 'service'};`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^\.\/splunk-sdk\.js$/ }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'ta' }));
      b.onLoad({ filter: /^undici$/, namespace: 'ta' }, () => ({ contents: UNDICI_SHIM, loader: 'js', resolveDir: ROOT }));
      // ajv's standalone code of every declared schema instead of ajv (src/build/validators.ts).
      b.onLoad({ filter: /[\\/]src[\\/]core[\\/]schema-precompiled\.ts$/ }, async () => ({ contents: await validators(), loader: 'js', resolveDir: ROOT }));
      // schema.ts's fallback compile (ajv, and the formats it adds) never runs in a run bundle.
      b.onResolve({ filter: /^(ajv|\.\/schema-formats)$/ }, (args) =>
        args.importer.endsWith(path.join('src', 'core', 'schema.ts')) ? { path: args.path, namespace: 'ta-no-ajv' } : undefined);
      b.onLoad({ filter: /.*/, namespace: 'ta-no-ajv' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in the run bundles: every schema is compiled at build time (src/build/validators.ts), and this one was not; rebuild with npm run build`)});`,
        loader: 'js',
      }));
      // undici calls only assert(value); node:assert costs ~3 ms of every start, so it loads only for a failure.
      b.onResolve({ filter: /^node:assert$/ }, (args) => (isUndici(args.importer) ? { path: 'undici-assert', namespace: 'ta' } : undefined));
      b.onLoad({ filter: /^undici-assert$/, namespace: 'ta' }, () => ({ contents: UNDICI_ASSERT, loader: 'js' }));
      b.onLoad({ filter: UNDICI_PATCHED }, async (args) => ({ contents: patchUndici(args.path, await fs.promises.readFile(args.path, 'utf8')), loader: 'js' }));
      // HTTP/2 runs only after an ALPN "h2", which undici offers only with allowH2 (never set
      // here); its client requires node:http2 (and so tls) at load, ~20 ms of every start.
      b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
        args.importer.endsWith(path.join('undici', 'lib', 'dispatcher', 'client.js')) ? { path: 'undici-client-h2', namespace: 'ta' } : undefined);
      b.onLoad({ filter: /^undici-client-h2$/, namespace: 'ta' }, () => ({
        contents: `module.exports = () => { throw new Error('HTTP/2 is not in this bundle (allowH2 is never set)'); };`,
        loader: 'js',
      }));
    },
  }];
}

/** The parts of undici's index.js we use, with request() as it defines it (a dispatcher is always given). */
const UNDICI_SHIM = `
const Agent = require('undici/lib/dispatcher/agent');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const util = require('undici/lib/core/util');
const { InvalidArgumentError } = require('undici/lib/core/errors');
Object.assign(Dispatcher.prototype, require('undici/lib/api'));
function request(url, opts) {
  if (!opts || typeof opts !== 'object' || !opts.dispatcher) throw new InvalidArgumentError('a dispatcher is required');
  if (opts.path != null) throw new InvalidArgumentError('opts.path is not supported here');
  url = util.parseURL(url);
  return opts.dispatcher.request({
    ...opts,
    origin: url.origin,
    path: url.search ? url.pathname + url.search : url.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  });
}
module.exports = { Agent, ProxyAgent, Dispatcher, request };
`;

const isUndici = (file: string) => file.includes(`${path.sep}node_modules${path.sep}undici${path.sep}`);

const UNDICI_ASSERT = `module.exports = function assert(value, message) { if (!value) require('node:assert')(value, message); };`;

/**
 * node:http (~7 ms of every start: _http_agent, _http_client, _http_server…) is loaded by undici
 * for two things a run of ours never needs: the default of maxHeaderSize, which is node's
 * --max-http-header-size (16 KiB unless that flag is given: then node:http is asked, as before),
 * and telling whether a body it destroys is an http.IncomingMessage (only when its class has
 * that name, so the run never loads node:http for it). Exact texts: a new undici whose source
 * differs fails the build instead of bundling unpatched.
 */
const UNDICI_PATCHES: Record<string, [string, string][]> = {
  [path.join('lib', 'core', 'util.js')]: [
    ["const { IncomingMessage } = require('node:http')\n", ''],
    ['if (Object.getPrototypeOf(stream).constructor === IncomingMessage) {',
      "if (Object.getPrototypeOf(stream).constructor?.name === 'IncomingMessage' && Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage) {"],
  ],
  [path.join('lib', 'dispatcher', 'client.js')]: [
    ["const http = require('node:http')\n",
      "const http = { get maxHeaderSize () { return /max[-_]http[-_]header[-_]size/.test(process.execArgv.join(' ') + ' ' + (process.env.NODE_OPTIONS || '')) ? require('node:http').maxHeaderSize : 16384 } }\n"],
  ],
};
const UNDICI_PATCHED = /node_modules[\\/]undici[\\/]lib[\\/](core[\\/]util|dispatcher[\\/]client)\.js$/;

export function patchUndici(file: string, text: string): string {
  const key = Object.keys(UNDICI_PATCHES).find((k) => file.endsWith(`${path.sep}undici${path.sep}${k}`));
  if (!key) return text;
  for (const [from, to] of UNDICI_PATCHES[key]) {
    if (text.split(from).length !== 2) throw new Error(`src/build/bundle.ts: undici's ${key} no longer contains ${JSON.stringify(from)} exactly once; update UNDICI_PATCHES for this undici version.`);
    text = text.replace(from, to);
  }
  return text;
}

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

/** The page's bundle and what esbuild put into it (test/ui/bundle.test.ts reads the inputs). */
export async function bundleUiWithMetafile(outFile: string): Promise<{ file: string; metafile: Metafile }> {
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
    plugins: [lazyLoaderStubs('the configuration page')],
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

/** Output name (under bin/lib/, without .js) → entry, and the scheme whose run bundle it is. */
export function bundleEntries(): { name: string; entry: string; scheme?: string }[] {
  return [
    { name: 'modinput', entry: path.join(ROOT, ENTRY) },
    ...Object.keys(SCHEME_SOURCES).map((scheme) => ({ name: `run-${scheme}`, entry: path.join(ROOT, RUN_ENTRY), scheme })),
    { name: 'splunk-sdk', entry: SDK_ENTRY },
  ];
}

export async function bundle(outDir = OUT_DIR): Promise<BundleResult> {
  let code: Promise<string> | undefined;
  const validators = () => (code ??= validatorsModule(SOURCE_MODULES));
  const results = await Promise.all(bundleEntries().map((e) => bundleOne(e.name, e.entry, e.scheme, validators)));
  fs.mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const metafile: Metafile = { inputs: {}, outputs: {} };
  for (const result of results) {
    Object.assign(metafile.inputs, result.metafile.inputs);
    for (const f of result.outputFiles) {
      const target = path.join(outDir, path.basename(f.path));
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, f.contents);
      fs.renameSync(tmp, target);
      files.push(target);
    }
    for (const [out, o] of Object.entries(result.metafile.outputs)) metafile.outputs[path.join(outDir, path.basename(out))] = o;
  }
  // Bundles of an earlier layout would otherwise ship alongside.
  const keep = new Set(files.map((f) => path.basename(f)));
  for (const f of fs.readdirSync(outDir)) if (/\.js(\.map)?$/.test(f) && !keep.has(f)) fs.rmSync(path.join(outDir, f), { force: true });
  const metafiles = results.map((r) => r.metafile);
  if (outDir === OUT_DIR) {
    const ui = await bundleUiWithMetafile(UI_OUT);
    files.push(ui.file);
    metafiles.push(ui.metafile);
  }
  const notices = path.join(outDir, NOTICES_FILE);
  fs.writeFileSync(`${notices}.${process.pid}.tmp`, noticesText(bundledPackages(metafiles, ROOT), 'the bundled inputs (bin/lib/*.js) and the configuration page (appserver/static/configuration.js)'));
  fs.renameSync(`${notices}.${process.pid}.tmp`, notices);
  files.push(notices);
  return { files, metafile };
}

async function bundleOne(name: string, entry: string, scheme: string | undefined, validators: () => Promise<string>) {
  return build({
    absWorkingDir: ROOT,
    ...(entry === SDK_ENTRY
      ? { stdin: { contents: "exports.log = require('splunk-sdk/lib/log'); exports.service = require('splunk-sdk/lib/service');", resolveDir: ROOT, sourcefile: 'splunk-sdk-entry.js' }, outfile: path.join(OUT_DIR, `${name}.js`) }
      : { entryPoints: { [name]: entry }, outdir: OUT_DIR }),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    write: false,
    legalComments: 'none',
    plugins: entry === SDK_ENTRY ? [] : runPlugins(scheme, validators),
    // import() of a sibling bundle as require(): node's ESM loader would run its CJS export
    // lexer over the whole file first (a second parse of a megabyte of JavaScript).
    supported: { 'dynamic-import': false },
    // tsconfig's strict implies alwaysStrict, which would put "use strict" at the top of each
    // bundle and so over the sloppy-mode CommonJS of splunk-sdk (arguments.callee) as well.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, useDefineForClassFields: true, target: 'ES2022' } },
    logLevel: 'warning',
  });
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
