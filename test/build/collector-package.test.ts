/**
 * The collector artefact as an admin gets it: the built tarball extracted into an empty folder
 * and run there with `node` alone (no node_modules above it, NODE_PATH unset, cwd that folder):
 * --help, `check`, `run --once` into NDJSON and into the loopback HEC receiver with acks against
 * the simulators, and a rerun that sends only new events. The Dockerfile copies only files the
 * tarball has and fetches nothing; the notices hold the licence of every bundled package.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { runProcess, type ProcessResult } from '../support/process';
import { buildCollectorPackage, COLLECTOR_JS, type CollectorPackageResult } from '../../src/build/collector-package';
import { startHecReceiver, type HecEventRecord, type HecReceiver } from '../../src/core/standalone/hec-receiver';
import { secretEnvName } from '../../src/core/standalone/config';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';

const H = 3_600_000;
let built: CollectorPackageResult;
let dir: string;
let app: string;

beforeAll(async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-collector-dist-'));
  built = await buildCollectorPackage({ outDir: out });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-collector-run-'));
  await tar.x({ file: built.file, cwd: dir });
  app = path.join(dir, `ta-zerotrust-collector-${built.version}`);
}, 120_000);

/** node and nothing else: no NODE_PATH/NODE_OPTIONS, cwd the extracted folder. */
function node(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [path.join(app, COLLECTOR_JS), ...args], { cwd: app, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: app, ...env } });
}

test('the tarball: one folder with the bundle, config example, README, Dockerfile, licences', () => {
  const top = `ta-zerotrust-collector-${built.version}`;
  expect(path.basename(built.file)).toBe(`${top}.tgz`);
  expect(built.entries).toEqual([`${top}/`, ...['Dockerfile', 'LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt', 'collector.example.json', COLLECTOR_JS].sort().map((f) => `${top}/${f}`)]);
  expect(fs.statSync(path.join(app, COLLECTOR_JS)).mode & 0o777).toBe(0o755);
  expect(fs.readFileSync(path.join(app, COLLECTOR_JS), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  // Nothing outside the bundle is loaded: every require left in it names a node builtin.
  const js = fs.readFileSync(path.join(app, COLLECTOR_JS), 'utf8');
  const required = new Set([...js.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1].replace(/^node:/, '')));
  expect(required.size).toBeGreaterThan(0);
  // ajv keeps `require("ajv/dist/runtime/…")` as text for the standalone validators it can print
  // (the `_\`…\`` code templates); compile() never runs it, as the check/run tests below show.
  const codeTemplates = ['ajv/dist/runtime/validation_error', 'ajv/dist/runtime/uri', 'ajv/dist/runtime/ucs2length', 'ajv/dist/runtime/equal', 'ajv-formats/dist/formats'];
  expect([...required].filter((r) => !builtinModules.includes(r) && !codeTemplates.includes(r))).toEqual([]);
  const readme = fs.readFileSync(path.join(app, 'README.md'), 'utf8');
  for (const s of ['TA_ZEROTRUST_SECRET_HEC_TOKEN', 'TA_ZEROTRUST_SECRET_<NAME>_<PARAM>', 'check --config', '--once', '"type": "ndjson"', '"ack": true', 'http-inputs-<stack>.splunkcloud.com', 'ca_cert_path', 'docker build']) {
    expect(readme).toContain(s);
  }
});

test('notices: every package whose code is in the bundle, with its licence text', () => {
  const notices = fs.readFileSync(path.join(app, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
  const names = built.packages.map((p) => p.name);
  // The runtime dependencies the collector uses are all in there.
  for (const dep of ['ajv', 'ajv-formats', 'node-cron', 'undici']) expect(names).toContain(dep);
  for (const p of built.packages) {
    expect(notices).toContain(`${p.name}@${p.version} (${p.license})\n`);
    expect(p.texts.length).toBeGreaterThan(0);
    expect(notices).toContain(p.texts[0].text.split('\n')[0]);
  }
  expect(names).not.toContain('esbuild');
  expect(names).not.toContain('tsx');
});

test('Dockerfile builds on the artefact alone: COPY sources exist in it, no download besides the base image', () => {
  const text = fs.readFileSync(path.join(app, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const from = lines.filter((l) => /^FROM\s/i.test(l));
  expect(from).toHaveLength(1);
  expect(text).toMatch(/^ARG NODE_IMAGE=node:\d+[\w.-]*$/m);
  const copies = lines.filter((l) => /^(COPY|ADD)\s/i.test(l));
  expect(copies.length).toBeGreaterThan(0);
  for (const c of copies) {
    expect(c).toMatch(/^COPY\s/); // ADD could fetch a URL
    const srcs = c.trim().split(/\s+/).slice(1, -1);
    for (const s of srcs) expect(fs.existsSync(path.join(app, s))).toBe(true);
  }
  expect(lines.filter((l) => /^RUN\s/i.test(l)).join('\n')).not.toMatch(/\b(curl|wget|npm|npx|yarn|apt|apk|pip|git)\b/);
  const entry = /^ENTRYPOINT\s+(\[.*\])$/m.exec(text)!;
  expect(JSON.parse(entry[1])).toEqual(['node', `/opt/ta-zerotrust-collector/${COLLECTOR_JS}`]);
  expect(text).toMatch(/^WORKDIR \/opt\/ta-zerotrust-collector$/m);
  expect(text).toMatch(/^USER node$/m);
});

test('--help and --version with node alone', async () => {
  const help = await node(['--help']);
  expect(help.err).toBe('');
  expect(help.code).toBe(0);
  expect(help.out).toContain(`usage: node ${COLLECTOR_JS} run --config <collector.json> [--once]`);
  expect(help.out).toContain('TA_ZEROTRUST_SECRET_HEC_TOKEN');
  for (const cmd of ['run', 'check']) {
    const r = await node([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: node ${COLLECTOR_JS.replace('.', '\\.')} ${cmd} --config`));
  }
  expect(await node(['--version'])).toEqual({ code: 0, out: `${built.version}\n`, err: '' });
  const bad = await node(['run', '--token=abc']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('secrets are not taken from the command line');
  expect(bad.err).not.toContain('abc');
}, 60_000);

describe('against the simulators', () => {
  let lw: LaceworkSimulator;
  let pce: IllumioSimulator;
  let hec: HecReceiver | undefined;
  const received: HecEventRecord[] = [];
  const confirmed: HecEventRecord[] = [];

  beforeAll(async () => {
    lw = await startLaceworkSimulator({ seed: 11 });
    pce = await startIllumioSimulator({ events: [{ count: 250, fromMs: Date.now() - 5 * H, toMs: Date.now() - 120_000 }], jobRetryAfterSec: 0 });
    lw.addAuditEvents(180, Date.now() - 5 * H, Date.now() - 60_000);
  });
  afterAll(async () => {
    await hec?.close();
    await lw.stop();
    await pce.stop();
  });

  function config(name: string, sink: Record<string, unknown>, inputs: Record<string, unknown>[]): string {
    fs.writeFileSync(path.join(app, `${name}.json`), JSON.stringify({ state_dir: `state-${name}`, defaults: { index: 'zerotrust' }, sink, inputs }, null, 2));
    return `${name}.json`;
  }
  const lwInput = { name: 'lw', scheme: 'lacework_edge_audit', interval: 60, params: { base_url: '', start_date: '-6h', window: 3600 } };
  const env = () => ({ [secretEnvName('lw', 'api_token')]: lw.token, [secretEnvName('pce', 'api_secret')]: pce.secret, TA_ZEROTRUST_SECRET_HEC_TOKEN: hec?.token ?? '' });

  test('check, then run --once into NDJSON', async () => {
    const file = config('nd', { type: 'ndjson', path: 'events.ndjson' }, [{ ...lwInput, params: { ...lwInput.params, base_url: lw.url } }]);
    const missing = await node(['check', '--config', file]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('set the environment variable TA_ZEROTRUST_SECRET_LW_API_TOKEN');
    const check = await node(['check', '--config', file], env());
    expect(check).toMatchObject({ code: 0, err: '' });
    expect(check.out).toContain('lacework_edge_audit://lw: every 60 s');
    expect(check.out).toContain(`sink: NDJSON ${path.join(app, 'events.ndjson')}`);
    // check contacts no server.
    expect(lw.requests.length).toBe(0);

    const run = await node(['run', '--config', file, '--once'], env());
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/lacework_edge_audit:\/\/lw: ok, 180 events/);
    const lines = fs.readFileSync(path.join(app, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sourcetype: string; index: string; event: string });
    expect(lines).toHaveLength(180);
    expect(lines.every((l) => l.sourcetype === 'lacework:edge:audit' && l.index === 'zerotrust')).toBe(true);
    expect(new Set(lines.map((l) => (JSON.parse(l.event) as { uuid: string }).uuid))).toEqual(new Set(lw.auditEvents().map((e) => e.uuid)));
  }, 90_000);

  test('run --once into HEC with acks; a rerun sends only new events', async () => {
    hec = await startHecReceiver({
      token: 'c0ffee00-1111-2222-3333-444455556666',
      onStore: (r) => received.push(...r.events),
      onConfirm: (r) => confirmed.push(...r.events),
    });
    const file = config('hec', { type: 'hec', endpoints: [hec.url], ack: true, batch_events: 100 }, [
      { ...lwInput, params: { ...lwInput.params, base_url: lw.url } },
      { name: 'pce', scheme: 'illumio_pce_events', interval: 300, params: { pce_url: pce.url, org_id: pce.org, api_key_id: pce.keyId, start_date: '-6h' } },
    ]);
    const first = await node(['run', '--config', file, '--once'], env());
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/lacework_edge_audit:\/\/lw: ok, 180 events/);
    expect(first.out).toMatch(/illumio_pce_events:\/\/pce: ok, 250 events/);
    expect(confirmed).toHaveLength(430);
    expect(received).toHaveLength(430);
    expect(hec.ackPolls).toBeGreaterThan(0);
    expect(new Set(confirmed.map((e) => e.sourcetype))).toEqual(new Set(['lacework:edge:audit', 'illumio:pce:event']));
    expect(confirmed.find((e) => e.sourcetype === 'illumio:pce:event')).toMatchObject({ index: 'zerotrust', source: 'illumio_pce_events://pce' });

    const fresh = lw.addAuditEvents(7, Date.now() - 30_000, Date.now() - 1000);
    const before = confirmed.length;
    const second = await node(['run', '--config', file, '--once'], env());
    expect(second.code).toBe(0);
    const newer = confirmed.slice(before);
    expect(newer.map((e) => (JSON.parse(String(e.event)) as { uuid: string }).uuid).sort()).toEqual(fresh.map((e) => e.uuid).sort());
    // No secret reached HEC, stdout or the log.
    const log = fs.readFileSync(path.join(app, 'state-hec', 'log', 'ta_zerotrust_events_standalone.log'), 'utf8');
    for (const s of [lw.token, pce.secret, hec.token]) expect(JSON.stringify(received) + first.out + second.out + log).not.toContain(s);
  }, 120_000);
});

test('two builds of one tree are byte-identical', async () => {
  const again = await buildCollectorPackage({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'zt-collector-dist2-')) });
  expect(fs.readFileSync(again.file).equals(fs.readFileSync(built.file))).toBe(true);
}, 120_000);
