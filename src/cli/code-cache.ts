/**
 * A V8 code cache for the run bundles (bin/lib/run-<scheme>.js), so that a steady-state input
 * does not compile half a megabyte of JavaScript at every start. Node 22's
 * `module.enableCompileCache` does this for any module; the add-on supports Node 18.17, so the
 * launcher's entry does it itself with what every supported Node has: `vm.Script` with
 * `cachedData` / `createCachedData()`.
 *
 * Where: `$SPLUNK_HOME/var/run/TA-zerotrust-events/code-cache/` (splunkd's own runtime area,
 * writable by the user splunkd runs as, outside the app folder, which an upgrade replaces). No
 * SPLUNK_HOME (a run by hand), or `TA_ZEROTRUST_CODE_CACHE=off`: plain compile, no cache.
 *
 * Trust: a cache file is bytecode that V8 runs, so it is read only from a directory owned by this
 * user that nobody else may write to (created 0700); otherwise the bundle compiles plainly.
 *
 * Key: a SHA-256 of the bundle's text, the Node version, the architecture, and the node and V8
 * flags (execArgv, NODE_OPTIONS). V8 also checks its own version, flags and the source length
 * and rejects what does not fit; a rejected, unreadable or truncated cache only means a plain
 * compile. So the first run after an install, an upgrade or a Node update compiles plainly and
 * writes the cache when its run ends (then it holds the functions the run compiled, not only the
 * top level); later runs read it.
 *
 * The bundle is still loaded through `require` (one one-shot compile hook for that file), so it
 * is a module like any other: require.cache, and the `Module._load` time the launcher bench
 * counts as module load, including the hashing and reading done here.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What happened to the cache in this process; the run logs `note` once. */
export interface CodeCache {
  /** hit | none yet | rejected (…) | off (…) | unreadable (…): for the log line. */
  note: string;
  /** Writes the cache when this process compiled without a usable one; what happened, for the log, or undefined. */
  save(): string | undefined;
}

interface ModuleLike {
  exports: unknown;
  filename: string;
  require(id: string): unknown;
}

interface ModuleStatics {
  _extensions: Record<string, (module: ModuleLike, filename: string) => void>;
  _resolveFilename(request: string, parent: ModuleLike, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
}

export const CACHE_SUBDIR = path.join('var', 'run', 'TA-zerotrust-events', 'code-cache');

/** The cache directory for this environment, or why there is none. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): { dir: string } | { off: string } {
  if ((env.TA_ZEROTRUST_CODE_CACHE ?? '').toLowerCase() === 'off') return { off: 'TA_ZEROTRUST_CODE_CACHE=off' };
  if (!env.SPLUNK_HOME) return { off: 'no SPLUNK_HOME' };
  return { dir: path.join(env.SPLUNK_HOME, CACHE_SUBDIR) };
}

/** Made if missing; usable only when it is ours and nobody else can write to it. */
function trustedDir(dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${dir} belongs to another user`;
    if (st.mode & 0o022) return `${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
    return undefined;
  } catch (e) {
    return `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

function keyOf(source: string): string {
  const { createHash } = require('crypto') as typeof import('crypto');
  return createHash('sha256')
    .update(source)
    .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

// The wrapper node puts around a CommonJS module, on a line of its own (lineOffset -1), so lines
// and columns of stack traces match the file.
const HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const TAIL = '\n})';

/**
 * `require(file)`, compiled with the code cache when there is a usable one. Only `file` is
 * compiled here; everything it requires loads the ordinary way.
 */
export function requireWithCodeCache(file: string, env: NodeJS.ProcessEnv = process.env): { exports: unknown; cache: CodeCache } {
  const Module = require('module') as unknown as ModuleStatics;
  const vm = require('vm') as typeof import('vm');
  const target = path.resolve(file);
  let cache: CodeCache = { note: 'not compiled here', save: () => undefined };
  const plain = Module._extensions['.js'];
  Module._extensions['.js'] = function compileCached(module: ModuleLike, filename: string) {
    if (filename !== target) return plain.call(this, module, filename);
    Module._extensions['.js'] = plain;
    const source = fs.readFileSync(filename, 'utf8');
    const where = cacheDir(env);
    let cacheFile: string | undefined;
    let cachedData: Buffer | undefined;
    let note: string;
    if ('off' in where) note = `off (${where.off})`;
    else {
      const distrust = trustedDir(where.dir);
      if (distrust) note = `off (${distrust})`;
      else {
        cacheFile = path.join(where.dir, `${path.basename(filename, '.js')}.${keyOf(source)}.v8`);
        try {
          cachedData = fs.readFileSync(cacheFile);
          note = 'hit';
        } catch (e) {
          note = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none yet' : `unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
        }
      }
    }
    const script = new vm.Script(HEAD + source + TAIL, { filename, lineOffset: -1, ...(cachedData ? { cachedData } : {}) });
    if (cachedData && script.cachedDataRejected) note = 'rejected by V8 (another build of V8 or other flags), compiled plainly';
    const dirname = path.dirname(filename);
    const req = Object.assign((id: string) => module.require(id), {
      resolve: (request: string, options?: unknown) => Module._resolveFilename(request, module, false, options),
      cache: Module._cache,
      main: require.main,
    });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    fn.call(module.exports, module.exports, req, module, filename, dirname);
    const write = cacheFile && note !== 'hit' ? cacheFile : undefined;
    cache = {
      note,
      save() {
        if (!write) return undefined;
        const tmp = `${write}.${process.pid}.tmp`;
        try {
          const data = script.createCachedData();
          fs.writeFileSync(tmp, data, { mode: 0o600 });
          fs.renameSync(tmp, write);
          // Caches of earlier builds of this bundle (an upgrade, another Node) are dead weight.
          const prefix = `${path.basename(filename, '.js')}.`;
          for (const f of fs.readdirSync(path.dirname(write))) {
            if (f.startsWith(prefix) && f !== path.basename(write) && !f.endsWith('.tmp')) fs.rmSync(path.join(path.dirname(write), f), { force: true });
          }
          return `run bundle V8 code cache written (${Math.round(data.length / 1024)} KiB): later starts compile from it`;
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          return `run bundle V8 code cache not written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the next start compiles plainly again`;
        }
      },
    };
  };
  try {
    // An indirect require: esbuild leaves it to node.
    const load = require;
    return { exports: load(target), cache };
  } finally {
    Module._extensions['.js'] = plain;
  }
}
