/**
 * `npm run package [-- --with-node[=PATH]] [-- --no-bundle]`: the installable app,
 * dist/TA-zerotrust-events-<version>.tgz, holding only what splunkd reads. Files are staged with
 * exact modes (755 launchers and a shipped node, 644 the rest, 755 directories) so the result does
 * not depend on the umask or on how the checkout was made, and written with a fixed mtime and no
 * owner names so two builds of the same tree are byte-identical.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';

import { APP_ID } from '../core/app';
import { findNodeLicense, stageNodeRuntime } from './node-runtime';

export { APP_ID };
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** 2026-01-01T00:00:00Z: any fixed instant works; splunkd does not look at mtimes in a package. */
const FIXED_MTIME = new Date(Date.UTC(2026, 0, 1));

/** Splunk's platform folder names (`<platform>/bin/` is searched before `bin/`). */
export function splunkPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const sys = { linux: 'linux', darwin: 'darwin' }[platform];
  const cpu = platform === 'darwin'
    ? { x64: 'x86_64', arm64: 'arm64' }[arch]
    : { x64: 'x86_64', arm64: 'aarch64' }[arch];
  if (!sys || !cpu) throw new Error(`No Splunk platform folder for ${platform}/${arch}; supported: linux x64/arm64, darwin x64/arm64.`);
  return `${sys}_${cpu}`;
}

export interface PackageOptions {
  root?: string;
  outDir?: string;
  /** Run src/build/bundle.ts first (default true). */
  bundle?: boolean;
  /** Ship a Node runtime: the path of the binary (true = the one running this). */
  withNode?: string | boolean;
  /** Platform folder for the shipped node (default: this machine's). */
  nodePlatform?: string;
  /** Node's licence file (default: found next to the binary, src/build/node-runtime.ts). */
  nodeLicense?: string;
}

/**
 * Files shipped under another name: the admin guide is the app's README (the repository's
 * README.md is for developers), and the licences of the bundled packages sit at the top.
 */
export const SHIPPED_AS: readonly [string, string][] = [
  ['README.md', 'docs/admin-guide.md'],
  ['THIRD-PARTY-NOTICES.txt', 'bin/lib/THIRD-PARTY-NOTICES.txt'],
];

export interface PackageResult {
  file: string;
  size: number;
  version: string;
  /** Paths inside the archive, sorted. */
  entries: string[];
}

function isHidden(rel: string): boolean {
  return rel.split('/').some((seg) => seg.startsWith('.'));
}

function walk(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const relPath = rel ? `${rel}/${name}` : name;
    const full = path.join(dir, name);
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) continue; // AppInspect rejects links; nothing of ours is one
    if (st.isDirectory()) out.push(...walk(full, relPath));
    else if (st.isFile()) out.push(relPath);
  }
  return out;
}

/**
 * Repo-relative files that belong in the app. Everything else (src, test, node_modules,
 * sourcemaps, local/, dotfiles, metadata/local.meta) stays out by construction.
 */
export function selectAppFiles(root: string): string[] {
  const files: string[] = [];
  const take = (rel: string) => {
    if (fs.existsSync(path.join(root, rel)) && fs.statSync(path.join(root, rel)).isFile()) files.push(rel);
  };
  take('app.manifest');
  take('LICENSE');
  for (const dir of ['default', 'README', 'lookups', 'static']) {
    files.push(...walk(path.join(root, dir)).map((f) => `${dir}/${f}`));
  }
  take('metadata/default.meta');
  // Built static content only: sources of a configuration page (ts/tsx/maps) are not shipped.
  files.push(
    ...walk(path.join(root, 'appserver'))
      .filter((f) => /^(static|templates)\//.test(f) && !/\.(map|ts|tsx)$/.test(f))
      .map((f) => `appserver/${f}`),
  );
  files.push(...walk(path.join(root, 'bin')).filter((f) => /^[^/]+\.sh$/.test(f)).map((f) => `bin/${f}`));
  files.push(...walk(path.join(root, 'bin', 'lib')).filter((f) => f.endsWith('.js')).map((f) => `bin/lib/${f}`));
  return files.filter((f) => !isHidden(f)).sort();
}

/** Launchers and a shipped node are the only executables (AppInspect: execute bits only in bin/). */
function modeFor(rel: string): number {
  if (/^bin\/[^/]+\.sh$/.test(rel) || /^[a-z]+_[a-z0-9_]+\/bin\/node$/.test(rel)) return 0o755;
  return 0o644;
}

export function runBundle(root: string): void {
  const script = path.join(root, 'src', 'build', 'bundle.ts');
  if (!fs.existsSync(script)) {
    throw new Error(`${path.relative(root, script)} is missing: cannot build bin/lib/*.js. Run the package from a complete checkout.`);
  }
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const r = spawnSync(process.execPath, [tsx, script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`Bundling failed (${path.relative(root, script)} exited ${r.status ?? r.signal}).`);
}

export function readVersion(root: string): string {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
}

export async function buildPackage(opts: PackageOptions = {}): Promise<PackageResult> {
  const root = opts.root ?? REPO_ROOT;
  const outDir = opts.outDir ?? path.join(root, 'dist');
  if (opts.bundle !== false) runBundle(root);
  const version = readVersion(root);

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-package-'));
  try {
    const appDir = path.join(stage, APP_ID);
    const files = selectAppFiles(root);
    const extra: [string, string][] = SHIPPED_AS.filter(([, src]) => fs.existsSync(path.join(root, src))).map(([rel, src]) => [rel, path.join(root, src)]);
    const staged: string[] = [];
    if (opts.withNode) {
      const nodePath = opts.withNode === true ? process.execPath : opts.withNode;
      if (!fs.existsSync(nodePath)) throw new Error(`--with-node: ${nodePath} does not exist.`);
      const platform = opts.nodePlatform ?? splunkPlatform();
      stageNodeRuntime(nodePath, platform, path.join(appDir, platform, 'bin', 'node'));
      extra.push([`${platform}/LICENSE`, findNodeLicense(nodePath, opts.nodeLicense)]);
      staged.push(`${platform}/bin/node`);
    }
    const entries = new Set<string>();
    for (const [rel, src] of [...files.map((f) => [f, path.join(root, f)] as [string, string]), ...extra, ...staged.map((r): [string, string] => [r, ''])]) {
      const dest = path.join(appDir, rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (src) fs.copyFileSync(src, dest);
      fs.chmodSync(dest, modeFor(rel));
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) entries.add(`${APP_ID}/${parts.slice(0, i).join('/')}/`);
      entries.add(`${APP_ID}/${rel}`);
    }
    entries.add(`${APP_ID}/`);
    for (const dir of [...entries].filter((e) => e.endsWith('/'))) fs.chmodSync(path.join(stage, dir), 0o755);

    fs.mkdirSync(outDir, { recursive: true });
    const suffix = opts.withNode ? `-${opts.nodePlatform ?? splunkPlatform()}` : '';
    const file = path.join(outDir, `${APP_ID}-${version}${suffix}.tgz`);
    const sorted = [...entries].sort();
    await tar.c(
      {
        gzip: { level: 9 },
        file,
        cwd: stage,
        portable: true,
        mtime: FIXED_MTIME,
        noDirRecurse: true,
      },
      sorted,
    );
    return { file, size: fs.statSync(file).size, version, entries: sorted };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): PackageOptions {
  const opts: PackageOptions = {};
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run package [-- --with-node[=PATH]] [--node-platform=<linux_x86_64|linux_aarch64|darwin_x86_64|darwin_arm64>] [--node-license=PATH] [--no-bundle]\n'
        + 'Builds dist/TA-zerotrust-events-<version>[-<platform>].tgz (the Splunk app; --with-node ships a self-contained Node runtime in it,\n'
        + 'stripped, with its licence: an official nodejs.org build; one linked to a shared libnode is refused)\n'
        + 'and dist/ta-zerotrust-collector-<version>.tgz (the standalone collector: one JS file for node, README, Dockerfile).\n');
      process.exit(0);
    }
    if (a === '--with-node') opts.withNode = true;
    else if (a.startsWith('--with-node=')) opts.withNode = a.slice('--with-node='.length);
    else if (a.startsWith('--node-platform=')) opts.nodePlatform = a.slice('--node-platform='.length);
    else if (a.startsWith('--node-license=')) opts.nodeLicense = a.slice('--node-license='.length);
    else if (a === '--no-bundle') opts.bundle = false;
    else throw new Error(`Unknown option ${a}. Use --with-node[=PATH], --node-platform=<linux_x86_64|linux_aarch64|darwin_x86_64|darwin_arm64>, --node-license=PATH, --no-bundle.`);
  }
  return opts;
}

if (require.main === module) {
  buildPackage(parseArgs(process.argv.slice(2))).then(
    async (r) => {
      console.log(`${path.relative(process.cwd(), r.file)} (${(r.size / 1024).toFixed(1)} KiB, ${r.entries.length} entries)`);
      // The standalone collector's artefact (src/build/collector-package.ts) comes with every package.
      const c = await (await import('./collector-package')).buildCollectorPackage({ outDir: path.dirname(r.file) });
      console.log(`${path.relative(process.cwd(), c.file)} (${(c.size / 1024).toFixed(1)} KiB, ${c.entries.length} entries, ${c.packages.length} bundled packages)`);
    },
    (e: Error) => {
      console.error(`package: ${e.message}`);
      process.exit(1);
    },
  );
}
