/**
 * What the launcher runs: the bundle's split (the --scheme path must not load the HTTP, logging
 * and SDK code splunkd never needs for it) and its own fail-fast on an old Node.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle, patchUndici, SCHEME_SOURCES } from '../../src/build/bundle';

const ROOT = path.resolve(__dirname, '..', '..');

/** What --scheme may load of a vendor: descriptions, and the traffic input's setting checks its description calls (no Node imports). */
const DESCRIPTION_FILE = /\/(module|description|traffic-query)\.ts$/;

test('each process loads only what it runs: --scheme no HTTP/logging/SDK, a run one vendor and no SDK, the SDK on its own', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bundle-'));
  try {
    const { metafile } = await bundle(out);
    const inputsOf = (name: string) => {
      const key = Object.keys(metafile.outputs).find((k) => k.endsWith(`/${name}`))!;
      return Object.keys(metafile.outputs[key].inputs);
    };
    const light = inputsOf('modinput.js');
    for (const dep of ['node_modules/undici/', 'node_modules/winston/', 'node_modules/splunk-sdk/', 'node_modules/saxes/']) {
      expect(light.filter((f) => f.includes(dep))).toEqual([]);
    }
    // The module list and its descriptions; every lazy loader is a stub (src/build/bundle.ts).
    for (const vendor of new Set(Object.values(SCHEME_SOURCES))) expect(light).toContain(`src/sources/${vendor}/description.ts`);
    expect(light.filter((f) => f.startsWith('src/sources/') && !/^src\/sources\/(index|[a-z0-9_]+\/(module|description|traffic-query))\.ts$/.test(f))).toEqual([]);
    for (const [scheme, vendor] of Object.entries(SCHEME_SOURCES)) {
      const run = inputsOf(`run-${scheme}.js`);
      for (const dep of ['node_modules/undici/lib/dispatcher/agent.js', 'src/core/log/index.ts', `src/sources/${vendor}/index.ts`, 'src/core/schema-precompiled.ts']) {
        expect([scheme, dep, run.some((f) => f.includes(dep))]).toEqual([scheme, dep, true]);
      }
      // Not the SDK, not undici's WebSocket, caches, mocks or HTTP/2 client (node:http2 and tls
      // at load), not a logging library (our lines need none), not another vendor.
      // Nor ajv's compiler (with fast-uri): the schemas come compiled (src/build/validators.ts).
      for (const dep of ['node_modules/splunk-sdk/', 'node_modules/needle/', 'node_modules/undici/lib/web/websocket/', 'node_modules/undici/lib/web/cache/', 'node_modules/undici/lib/mock/', 'node_modules/undici/lib/dispatcher/client-h2.js', 'node_modules/winston/', 'node_modules/ajv/dist/compile/', 'node_modules/ajv/dist/core.js', 'node_modules/fast-uri/']) {
        expect([scheme, run.filter((f) => f.includes(dep))]).toEqual([scheme, []]);
      }
      // Nor its vendor's search-time knowledge: only the lazy import of the vendor's index.ts is kept.
      expect([scheme, run.filter((f) => f.startsWith(`src/sources/${vendor}/knowledge`))]).toEqual([scheme, []]);
      const others = Object.values(SCHEME_SOURCES).filter((v) => v !== vendor);
      expect([scheme, run.filter((f) => others.some((o) => f.startsWith(`src/sources/${o}/`) && !DESCRIPTION_FILE.test(f)))]).toEqual([scheme, []]);
    }
    expect(inputsOf('splunk-sdk.js').some((f) => f.includes('node_modules/splunk-sdk/lib/service.js'))).toBe(true);
    // Sourcemaps sit next to the bundles for development; the package leaves *.map out.
    const js = ['modinput', ...Object.keys(SCHEME_SOURCES).map((s) => `run-${s}`), 'splunk-sdk'];
    expect(fs.readdirSync(out).sort()).toEqual(['THIRD-PARTY-NOTICES.txt', ...js.flatMap((n) => [`${n}.js`, `${n}.js.map`])].sort());
    // Every npm package esbuild put into a bundle is named with its licence text (the bundles drop legal comments).
    const notices = fs.readFileSync(path.join(out, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    const bundled = new Set(Object.keys(metafile.inputs).filter((i) => i.includes('node_modules/')).map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(i)![1]));
    expect(bundled.size).toBeGreaterThan(10);
    for (const name of bundled) expect({ name, listed: new RegExp(`^  ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@\\S+  `, 'm').test(notices) }).toEqual({ name, listed: true });
    for (const name of ['undici', 'ajv', 'splunk-sdk']) expect(notices).toMatch(new RegExp(`\\n${name}@[\\d.]+ \\((MIT|Apache-2\\.0)\\)\\n=+\\n--- LICEN[CS]E`));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a run bundle loads without node:http and node:assert (undici patched at build), and a changed undici fails the build', () => {
  for (const scheme of Object.keys(SCHEME_SOURCES)) {
    const r = spawnSync(process.execPath, ['-e', `const b = new Set(process.moduleLoadList); require(${JSON.stringify(path.join(ROOT, 'bin', 'lib', `run-${scheme}.js`))}); console.log(process.moduleLoadList.filter((m) => !b.has(m)).join('\\n'))`], { encoding: 'utf8' });
    expect([scheme, r.status, r.stderr]).toEqual([scheme, 0, '']);
    const loaded = r.stdout.split('\n');
    expect([scheme, loaded.filter((m) => /^NativeModule (http|_http_\w+|assert|http2|tls)$/.test(m))]).toEqual([scheme, []]);
    expect([scheme, loaded.includes('NativeModule net')]).toEqual([scheme, true]);
  }
  const client = path.join(ROOT, 'node_modules', 'undici', 'lib', 'dispatcher', 'client.js');
  expect(patchUndici(client, fs.readFileSync(client, 'utf8'))).not.toContain("require('node:http')\n");
  expect(() => patchUndici(client, "const http = require('http')\n")).toThrow(/undici's lib\/dispatcher\/client\.js no longer contains .* exactly once; update UNDICI_PATCHES/);
});

test('an old Node fails fast with one line saying what to install', () => {
  // A preload that makes this Node report an old version, as Splunk's bundled Node 8/16 would.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-oldnode-'));
  const preload = path.join(dir, 'old.js');
  fs.writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '16.20.2' });\n");
  try {
    const r = spawnSync(process.execPath, ['-r', preload, path.join(ROOT, 'bin', 'lib', 'modinput.js'), 'illumio_pce_events', '--scheme'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^ERROR TA-zerotrust-events: Node\.js 16\.20\.2 at .* is too old; this add-on needs Node\.js >= 18\.17\. Install Node\.js 18\.17 or later, or set \[node\] path in local\/ta_zerotrust_events_settings\.conf\.$/),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
