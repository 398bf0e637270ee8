import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { spawnSync } from 'child_process';
import { checkPackage } from '../../src/build/lint/package-checks';
import { readTarball, type TarEntry } from '../../src/build/lint/tarball';
import { nodeBinaryProblems, readElf } from '../../src/build/node-runtime';
import { APP_ID, buildPackage, splunkPlatform } from '../../src/build/package';
import { requireTool } from '../support/require-tool';
import { makeAppRoot, removeRoot, write } from './fixture';

/** This machine's platform folder and a small ELF of it (/bin/true stands in for node: same checks, 35 KB). */
const HOST = splunkPlatform();
const HOST_ELF = fs.realpathSync('/bin/true');

/** A fake nodejs.org layout: <prefix>/bin/node (built from /bin/true, `symbols` left in) and <prefix>/LICENSE. */
function fakeNodePrefix(root: string, opts: { symbols?: boolean; patch?: [string, string] } = {}): string {
  const node = path.join(root, 'node-prefix', 'bin', 'node');
  fs.mkdirSync(path.dirname(node), { recursive: true });
  if (opts.symbols) {
    const r = spawnSync(requireTool('objcopy', 'apt-get install binutils'), ['--add-symbol', 'tazt_probe=0', HOST_ELF, node], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`objcopy failed: ${r.stderr}`);
  } else {
    let bytes = fs.readFileSync(HOST_ELF);
    if (opts.patch) bytes = Buffer.from(bytes.toString('latin1').split(`${opts.patch[0]}\0`).join(`${opts.patch[1]}\0`), 'latin1');
    fs.writeFileSync(node, bytes);
  }
  fs.chmodSync(node, 0o755);
  write(root, 'node-prefix/LICENSE', 'Node.js is licensed for use as follows:\n\nCopyright Node.js contributors. All rights reserved.\n');
  return node;
}

const problemsOf = (entries: TarEntry[], version: string) => checkPackage(entries, { appId: APP_ID, version }).problems.map((p) => `${p.file}: ${p.message}`);

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('npm run package', () => {
  let root: string;
  let out: string;
  beforeEach(() => {
    root = makeAppRoot();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-dist-'));
    // What a working checkout also holds and must never ship.
    write(root, 'src/core/x.ts', 'export {};');
    write(root, 'test/x.test.ts', '');
    write(root, 'node_modules/dep/index.js', 'module.exports = 1;');
    write(root, 'local/inputs.conf', '[illumio_pce_events://mine]\napi_secret = s3cret\n');
    write(root, 'metadata/local.meta', '[]\naccess = read : [ * ]\n');
    write(root, 'default/.DS_Store', 'x');
    write(root, '.gitignore', 'x');
    write(root, 'appserver/static/config/page.js.map', '{}');
    write(root, 'appserver/static/config/page.js', 'export default 1;');
    write(root, 'appserver/src/page.tsx', 'x');
    write(root, 'bin/lib/.modinput.js.123.tmp', 'partial');
    write(root, 'bin/notes.txt', 'x', 0o777);
  });
  afterEach(() => {
    removeRoot(root);
    removeRoot(out);
  });

  it('ships only the app, with Splunk modes, neutral owner and a fixed mtime', async () => {
    const r = await buildPackage({ root, outDir: out, bundle: false });
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    expect(path.basename(r.file)).toBe(`${APP_ID}-${version}.tgz`);
    const entries = await readTarball(r.file);
    const byPath = new Map(entries.map((e) => [e.path.replace(/\/$/, ''), e]));
    const paths = [...byPath.keys()];

    expect(paths.every((p) => p === APP_ID || p.startsWith(`${APP_ID}/`))).toBe(true);
    for (const bad of ['src', 'test', 'node_modules', 'local', 'metadata/local.meta', 'default/.DS_Store', '.gitignore', 'appserver/src', 'bin/notes.txt']) {
      expect(paths.filter((p) => p === `${APP_ID}/${bad}` || p.startsWith(`${APP_ID}/${bad}/`))).toEqual([]);
    }
    expect(paths.filter((p) => p.endsWith('.map') || p.endsWith('.tmp') || p.split('/').some((s) => s.startsWith('.')))).toEqual([]);
    for (const must of ['app.manifest', 'default/app.conf', 'default/inputs.conf', 'default/web.conf', 'default/server.conf', 'README/inputs.conf.spec', 'metadata/default.meta', 'bin/lib/modinput.js', 'bin/illumio_pce_events.sh', 'appserver/static/appIcon.png', 'appserver/static/config/page.js', 'LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt']) {
      expect({ must, present: byPath.has(`${APP_ID}/${must}`) }).toEqual({ must, present: true });
    }

    for (const e of entries) {
      const rel = e.path.slice(APP_ID.length + 1);
      const expected = e.type === 'Directory' || /^bin\/[^/]+\.sh$/.test(rel) ? 0o755 : 0o644;
      expect({ path: e.path, mode: e.mode.toString(8) }).toEqual({ path: e.path, mode: expected.toString(8) });
      expect([e.uid, e.gid, e.uname, e.gname]).toEqual([0, 0, '', '']);
      if (e.type === 'File') expect(e.mtime?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    }

    // A real extraction gives back the checkout's bytes.
    const x = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-x-'));
    try {
      await tar.x({ file: r.file, cwd: x });
      expect(fs.readFileSync(path.join(x, APP_ID, 'default/app.conf'))).toEqual(fs.readFileSync(path.join(root, 'default/app.conf')));
      // The packaged README is the admin guide; the notices are those of the bundles.
      expect(fs.readFileSync(path.join(x, APP_ID, 'README.md'))).toEqual(fs.readFileSync(path.join(root, 'docs/admin-guide.md')));
      expect(fs.readFileSync(path.join(x, APP_ID, 'THIRD-PARTY-NOTICES.txt'))).toEqual(fs.readFileSync(path.join(root, 'bin/lib/THIRD-PARTY-NOTICES.txt')));
      expect(fs.statSync(path.join(x, APP_ID, 'bin/lacework_edge_alerts.sh')).mode & 0o111).not.toBe(0);
    } finally {
      removeRoot(x);
    }
    expect(checkPackage(entries, { appId: APP_ID, version: r.version }).problems).toEqual([]);
  });

  it('is byte-identical when built twice from the same tree', async () => {
    const a = await buildPackage({ root, outDir: out, bundle: false });
    const first = sha(a.file);
    fs.utimesSync(path.join(root, 'default/app.conf'), new Date(), new Date(2020, 1, 1));
    const b = await buildPackage({ root, outDir: out, bundle: false });
    expect(sha(b.file)).toBe(first);
  });

  it('--with-node ships the runtime stripped, self-contained and executable under <platform>/bin/node, with Node\'s licence', async () => {
    const node = fakeNodePrefix(root, { symbols: true });
    expect(readElf(fs.readFileSync(node))?.symtab).toBe(true);
    const r = await buildPackage({ root, outDir: out, bundle: false, withNode: node, nodePlatform: HOST });
    expect(path.basename(r.file)).toMatch(new RegExp(`-${HOST}\\.tgz$`));
    const entries = await readTarball(r.file);
    const shipped = entries.find((e) => e.path === `${APP_ID}/${HOST}/bin/node`)!;
    expect(shipped.mode.toString(8)).toBe('755');
    expect(readElf(shipped.data)).toMatchObject({ symtab: false, needed: expect.arrayContaining(['libc.so.6']) });
    expect(entries.find((e) => e.path === `${APP_ID}/${HOST}/LICENSE`)?.data.toString()).toContain('Node.js is licensed');
    expect(problemsOf(entries, r.version)).toEqual([]);
    // The same checks on the tarball catch an unstripped runtime and a missing licence.
    const tampered = entries.filter((e) => !e.path.endsWith(`${HOST}/LICENSE`)).map((e) => (e === shipped ? { ...e, data: fs.readFileSync(node) } : e));
    expect(problemsOf(tampered, r.version)).toEqual([
      `${HOST}/bin/node: not stripped (symbol table left): strip --strip-all it`,
      `${HOST}/LICENSE: missing or not Node.js's licence: a shipped node needs its licence beside it`,
    ]);
  });

  it('--with-node refuses a node linked to a shared libnode, one of another platform, and one without its licence', async () => {
    const libnode = fakeNodePrefix(root, { patch: ['libc.so.6', 'libnode.1'] });
    expect(readElf(fs.readFileSync(libnode))?.needed).toContain('libnode.1');
    await expect(buildPackage({ root, outDir: out, bundle: false, withNode: libnode, nodePlatform: HOST }))
      .rejects.toThrow(/cannot be shipped: linked to a shared libnode\.1 \(a distribution build such as Debian's nodejs\)/);
    const plain = fakeNodePrefix(root);
    const other = HOST === 'linux_x86_64' ? 'linux_aarch64' : 'linux_x86_64';
    await expect(buildPackage({ root, outDir: out, bundle: false, withNode: plain, nodePlatform: other }))
      .rejects.toThrow(new RegExp(`built for \\w+, but packaged for ${other}`));
    write(root, 'not-node-license.txt', 'Some other licence\n');
    await expect(buildPackage({ root, outDir: out, bundle: false, withNode: plain, nodePlatform: HOST, nodeLicense: path.join(root, 'not-node-license.txt') }))
      .rejects.toThrow(/Node\.js's licence \(LICENSE\) not found/);
    expect(fs.readdirSync(out)).toEqual([]);
    expect(nodeBinaryProblems(Buffer.from('#!/bin/sh\necho v20.0.0\n'), HOST)).toEqual([`not a 64-bit little-endian ELF executable, as ${HOST} needs`]);
  });

  it('the package checks name what a real deployment needs: exposure, SHC replication, secrets ACL, workloads, admin README, notices', async () => {
    const r = await buildPackage({ root, outDir: out, bundle: false });
    const entries = await readTarball(r.file);
    const swap = (rel: string, text: string | undefined) => entries.flatMap((e) => (e.path === `${APP_ID}/${rel}` ? (text === undefined ? [] : [{ ...e, data: Buffer.from(text) }]) : [e]));
    const text = (rel: string) => entries.find((e) => e.path === `${APP_ID}/${rel}`)!.data.toString();
    expect(problemsOf(swap('default/web.conf', text('default/web.conf').replace(/^methods = GET,POST,DELETE$/m, 'methods = GET,POST')), r.version))
      .toEqual(['default/web.conf: no [expose:] stanza for DELETE data/inputs/illumio_pce_events/x: Splunk Web answers 404 and the configuration page cannot manage illumio_pce_events inputs']);
    expect(problemsOf(swap('default/server.conf', undefined), r.version))
      .toEqual([expect.stringMatching(/^default\/server\.conf: \[shclustering\] conf_replication_include\.ta_zerotrust_events_settings = true is missing/)]);
    expect(problemsOf(swap('metadata/default.meta', text('metadata/default.meta').replace('read : [ admin, sc_admin ], write : [ admin, sc_admin ]', 'read : [ * ], write : [ * ]')), r.version))
      .toEqual([expect.stringContaining('[passwords] grants write to *'), expect.stringContaining('[passwords] must be readable and writable by admin and sc_admin only')]);
    const props = { ...entries[0], path: `${APP_ID}/default/props.conf`, type: 'File', mode: 0o644, data: Buffer.from('[illumio:pce:syslog]\nLINE_BREAKER = ([\\r\\n]+)\n') };
    const manifest = JSON.parse(text('app.manifest')) as { targetWorkloads: string[] };
    manifest.targetWorkloads = ['_search_heads', '_forwarders'];
    expect(problemsOf([...swap('app.manifest', JSON.stringify(manifest)), props], r.version))
      .toEqual([expect.stringMatching(/^app\.manifest: targetWorkloads lacks _indexers although props\.conf has index-time settings \(\[illumio:pce:syslog\] LINE_BREAKER/)]);
    expect(problemsOf(swap('README.md', '# TA-zerotrust-events\n\n## Development\n\nnpm ci && npm test\n'), r.version)).toEqual([
      'README.md: no "Install" section: the packaged README is the admin guide',
      'README.md: no "Configure" section: the packaged README is the admin guide',
      'README.md: no "Verify" section: the packaged README is the admin guide',
      'README.md: no "Troubleshoot" section: the packaged README is the admin guide',
      'README.md: contains developer commands (npm, npx, git): the packaged README is for Splunk admins',
    ]);
    expect(problemsOf(swap('THIRD-PARTY-NOTICES.txt', undefined), r.version)).toEqual([expect.stringMatching(/^THIRD-PARTY-NOTICES\.txt: missing/)]);
    expect(problemsOf(swap('THIRD-PARTY-NOTICES.txt', text('THIRD-PARTY-NOTICES.txt').replace(/=+\ndep@1\.0\.0 \(MIT\)/, '')), r.version))
      .toEqual(['THIRD-PARTY-NOTICES.txt: dep@1.0.0 is listed but its licence text is missing']);
  });

  it('names platforms the way Splunk does', () => {
    expect(splunkPlatform('linux', 'x64')).toBe('linux_x86_64');
    expect(splunkPlatform('linux', 'arm64')).toBe('linux_aarch64');
    expect(splunkPlatform('darwin', 'x64')).toBe('darwin_x86_64');
    expect(splunkPlatform('darwin', 'arm64')).toBe('darwin_arm64');
    expect(() => splunkPlatform('win32', 'x64')).toThrow(/No Splunk platform folder for win32\/x64/);
  });
});
