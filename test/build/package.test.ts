import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { checkPackage } from '../../src/build/lint/package-checks';
import { readTarball } from '../../src/build/lint/tarball';
import { APP_ID, buildPackage, splunkPlatform } from '../../src/build/package';
import { makeAppRoot, removeRoot, write } from './fixture';

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
    for (const must of ['app.manifest', 'default/app.conf', 'default/inputs.conf', 'README/inputs.conf.spec', 'metadata/default.meta', 'bin/lib/modinput.js', 'bin/illumio_pce_events.sh', 'appserver/static/appIcon.png', 'appserver/static/config/page.js', 'LICENSE']) {
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

  it('--with-node puts the runtime under <platform>/bin/node, executable', async () => {
    const fakeNode = path.join(root, 'fake-node');
    write(root, 'fake-node', '#!/bin/sh\necho v20.0.0\n', 0o700);
    const r = await buildPackage({ root, outDir: out, bundle: false, withNode: fakeNode, nodePlatform: 'linux_aarch64' });
    expect(path.basename(r.file)).toMatch(/-linux_aarch64\.tgz$/);
    const node = (await readTarball(r.file)).find((e) => e.path === `${APP_ID}/linux_aarch64/bin/node`);
    expect(node?.mode.toString(8)).toBe('755');
    expect(node?.data.toString()).toContain('v20.0.0');
  });

  it('names platforms the way Splunk does', () => {
    expect(splunkPlatform('linux', 'x64')).toBe('linux_x86_64');
    expect(splunkPlatform('linux', 'arm64')).toBe('linux_aarch64');
    expect(splunkPlatform('darwin', 'x64')).toBe('darwin_x86_64');
    expect(splunkPlatform('darwin', 'arm64')).toBe('darwin_arm64');
    expect(() => splunkPlatform('win32', 'x64')).toThrow(/No Splunk platform folder for win32\/x64/);
  });
});
