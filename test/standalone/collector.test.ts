/**
 * The standalone collector (`ta-zerotrust run --config collector.json`): config errors naming
 * their field, secrets from env and files (never argv or the file), and runs of the real sources
 * against their simulators through HEC (the stand-in, with failures) or NDJSON, with file
 * checkpoints: a rerun sends only new events; an unreachable HEC moves no checkpoint.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main, parseArgs } from '../../src/cli/ta-zerotrust';
import { checkCollectorConfig, secretEnvName } from '../../src/core/standalone/config';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

import { startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { startHecStandIn, type HecStandIn } from '../support/hec';
import { startProxy } from '../support/proxy';

const descriptions = descriptionsOf(SOURCE_MODULES);

const ROOT = path.resolve(__dirname, '..', '..');
const H = 3_600_000;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zt-standalone-'));
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += c.toString(); cb(); } }), text: () => text };
}

function problems(doc: unknown): string {
  try {
    checkCollectorConfig(doc, descriptions, '/cfg');
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

const lwInput = (extra: Record<string, unknown> = {}) => ({
  name: 'lw', scheme: 'lacework_edge_audit', interval: 60, params: { base_url: 'https://edge.example.com', ...extra },
});

describe('collector.json', () => {
  test('errors name the field and say what to do', () => {
    const msg = problems({
      sink: { type: 'hec', endpoints: ['idx1:8088'], token: 'abc', batch_events: 0 },
      inputs: [
        { name: 'pce', scheme: 'illumio_pce_events', params: { pce_url: 'https://pce', org_id: 'one', api_key_id: 'k', api_secret: 'shh', colour: 'red' } },
        { name: 'x', scheme: 'nope', params: {} },
        lwInput({ window: 10 }),
        { name: 'p', scheme: 'prisma_saas_log_events', params: { region: 'mars', client_id: 'c' } },
      ],
      extra: 1,
    });
    expect(msg).toMatch(/^collector\.json has \d+ problems:/);
    expect(msg).toContain('sink.endpoints[0]: must match pattern "^https?://"');
    expect(msg).toContain('sink.token: the HEC token is not read from the config file; put it in the environment variable TA_ZEROTRUST_SECRET_HEC_TOKEN or in a file named by sink.token_file.');
    expect(msg).toContain('sink.batch_events: must be >= 1');
    expect(msg).toContain('inputs[0].params.org_id: must be number');
    expect(msg).toContain('inputs[0].params.api_secret: secrets are not read from the config file; put it in the environment variable TA_ZEROTRUST_SECRET_PCE_API_SECRET or in a file named by params.api_secret_file.');
    expect(msg).toContain('inputs[0].params.colour: unknown setting');
    expect(msg).toContain('inputs[1].scheme: must be one of "illumio_pce_events", "illumio_pce_traffic", "illumio_pce_health", "illumio_pce_objects", "prisma_saas_log_events", "lacework_edge_audit", "lacework_edge_alerts".');
    expect(msg).toContain('inputs[2].params.window: must be >= 60');
    expect(msg).toMatch(/inputs\[3\]\.params\.region: must be one of "us", /);
    expect(msg).toContain('extra: unknown setting');
    // The secret's value never appears in an error.
    expect(msg).not.toContain('shh');
  });

  test('missing pieces, schedules and names', () => {
    expect(problems({ inputs: [] })).toContain('sink: is required.');
    expect(problems({ sink: { type: 'ndjson' }, inputs: [lwInput()] })).toContain('sink.path: is required.');
    expect(problems({ sink: { type: 'ndjson', path: 'x' }, inputs: [{ name: 'a', scheme: 'lacework_edge_audit', params: {} }] }))
      .toContain('inputs[0].params.base_url: is required.');
    const twice = problems({
      sink: { type: 'ndjson', path: 'x' },
      inputs: [{ ...lwInput(), schedule: '*/5 * * * *' }, { ...lwInput(), interval: undefined, schedule: 'every day' }],
    });
    expect(twice).toContain('inputs[0]: give either schedule or interval, not both.');
    expect(twice).toContain('inputs[1].name: "lw" is used by another input; names must be unique.');
    expect(twice).toContain('inputs[1].schedule: "every day" is not a cron expression');
  });

  test('relative paths are taken from the config file\'s folder; lists may be arrays', () => {
    const cfg = checkCollectorConfig({
      state_dir: 'state',
      sink: { type: 'ndjson', path: 'out/events.ndjson' },
      inputs: [{ name: 'a', scheme: 'lacework_edge_alerts', params: { base_url: 'https://e', api_token_file: 'secrets/t', status_filter: ['1', '2'] } }],
    }, descriptions, '/etc/zt');
    expect(cfg.state_dir).toBe('/etc/zt/state');
    expect(cfg.sink).toEqual({ type: 'ndjson', path: '/etc/zt/out/events.ndjson' });
    expect(cfg.inputs[0].params.api_token_file).toBe('/etc/zt/secrets/t');
  });

  test('the HEC proxy: no credentials in sink.proxy_url or the file; a proxy_username needs its password', async () => {
    const sink = { type: 'hec', endpoints: ['https://idx1:8088'] };
    expect(problems({ sink: { ...sink, proxy_url: 'http://u:p@proxy:3128' }, inputs: [lwInput()] }))
      .toContain('sink.proxy_url: must not contain credentials (user:password@)');
    expect(problems({ sink: { ...sink, proxy_url: 'socks5://proxy:1080' }, inputs: [lwInput()] })).toContain('sink.proxy_url: must match pattern "^https?://"');
    const msg = problems({ sink: { ...sink, proxy_url: 'http://proxy:3128', proxy_password: 'Sh0uld-Not-Be-Here' }, inputs: [lwInput()] });
    expect(msg).toContain('sink.proxy_password: the proxy password is not read from the config file; put it in the environment variable TA_ZEROTRUST_SECRET_HEC_PROXY_PASSWORD or in a file named by sink.proxy_password_file.');
    expect(msg).not.toContain('Sh0uld-Not-Be-Here');
    const dir = tmp();
    const file = path.join(dir, 'collector.json');
    fs.writeFileSync(file, JSON.stringify({ sink: { ...sink, proxy_url: 'http://proxy:3128', proxy_username: 'svc' }, inputs: [lwInput()] }));
    const err = capture();
    const env = { TA_ZEROTRUST_SECRET_HEC_TOKEN: 't', [secretEnvName('lw', 'api_token')]: 't' };
    expect(await main(['run', '--config', file, '--once'], { stdout: capture().stream, stderr: err.stream, env })).toBe(1);
    expect(err.text()).toContain('proxy_username is set but the proxy password is missing; set the environment variable TA_ZEROTRUST_SECRET_HEC_PROXY_PASSWORD or sink.proxy_password_file.');
  });

  test('collector.example.json is valid', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'collector.example.json'), 'utf8'));
    expect(() => checkCollectorConfig(doc, descriptions, ROOT)).not.toThrow();
  });
});

describe('command line', () => {
  test('secrets are refused on argv, unknown arguments too', async () => {
    expect(() => parseArgs(['run', '--config', 'c.json', '--token=abc'])).toThrow(/--token: secrets are not taken from the command line/);
    expect(() => parseArgs(['run', '--config', 'c.json', '--api-secret', 'x'])).toThrow(/secrets are not taken/);
    expect(() => parseArgs(['run'])).toThrow(/--config is required/);
    const err = capture();
    expect(await main(['fly'], { stdout: capture().stream, stderr: err.stream, env: {} })).toBe(2);
    expect(err.text()).toMatch(/unknown command "fly"\nusage: ta-zerotrust run/);
  });

  test('check reports a missing secret by its environment variable and file setting', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ sink: { type: 'ndjson', path: 'out.ndjson' }, inputs: [lwInput()] }));
    const err = capture();
    expect(await main(['check', '--config', file], { stdout: capture().stream, stderr: err.stream, env: {} })).toBe(1);
    expect(err.text()).toContain(`inputs[0] (lw): API token is missing; set the environment variable ${secretEnvName('lw', 'api_token')} or params.api_token_file.`);
    const out = capture();
    expect(await main(['check', '--config', file], { stdout: out.stream, stderr: capture().stream, env: { [secretEnvName('lw', 'api_token')]: 't' } })).toBe(0);
    expect(out.text()).toContain('lacework_edge_audit://lw: every 60 s');
  });
});

describe('runs', () => {
  let lw: LaceworkSimulator;
  let pce: IllumioSimulator;
  let hec: HecStandIn;
  let dir: string;

  beforeEach(async () => {
    dir = tmp();
    lw = await startLaceworkSimulator({ seed: 7 });
    pce = await startIllumioSimulator({ jobRetryAfterSec: 0 });
  });
  afterEach(async () => {
    await lw.stop();
    await pce.stop();
    await hec?.close();
  });

  function writeConfig(sink: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    fs.writeFileSync(path.join(dir, 'pce_secret'), `${pce.secret}\n`, { mode: 0o600 });
    const file = path.join(dir, 'collector.json');
    fs.writeFileSync(file, JSON.stringify({
      state_dir: 'state',
      defaults: { index: 'zerotrust', host: 'collector-1' },
      sink,
      inputs: [
        { name: 'lw', scheme: 'lacework_edge_audit', interval: 1, params: { base_url: lw.url, start_date: '-6h', window: 3600 } },
        { name: 'pce', scheme: 'illumio_pce_events', interval: 1, params: { pce_url: pce.url, org_id: pce.org, api_key_id: pce.keyId, api_secret_file: 'pce_secret', start_date: '-6h' } },
      ],
      ...extra,
    }));
    return file;
  }

  const env = () => ({ TA_ZEROTRUST_SECRET_HEC_TOKEN: hec?.token ?? '', [secretEnvName('lw', 'api_token')]: lw.token });

  async function runOnce(file: string): Promise<{ code: number; out: string; err: string }> {
    const out = capture();
    const err = capture();
    const code = await main(['run', '--config', file, '--once'], { stdout: out.stream, stderr: err.stream, env: env() });
    return { code, out: out.text(), err: err.text() };
  }

  const lwUuids = (h: HecStandIn) => h.events().filter((e) => e.sourcetype === 'lacework:edge:audit').map((e) => (JSON.parse(String(e.event)) as { uuid: string }).uuid);
  const pceHrefs = (h: HecStandIn) => h.events().filter((e) => e.sourcetype === 'illumio:pce:event').map((e) => (JSON.parse(String(e.event)) as { href: string }).href);

  test('HEC with failures: everything arrives; a rerun sends only new events', async () => {
    lw.addAuditEvents(300, Date.now() - 5 * H, Date.now() - 60_000);
    pce.addEvents(400, Date.now() - 5 * H, Date.now() - 120_000);
    hec = await startHecStandIn({ faults: [{ kind: 'status', status: 503 }, { kind: 'reset-after' }, { kind: 'reset-before' }, { kind: 'slow-ack', ms: 50 }] });
    const file = writeConfig({ type: 'hec', endpoints: [hec.url], batch_events: 100, ack_timeout: 5 });
    const first = await runOnce(file);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/lacework_edge_audit:\/\/lw: ok, 300 events/);
    expect(first.out).toMatch(/illumio_pce_events:\/\/pce: ok, 400 events/);
    expect(new Set(lwUuids(hec))).toEqual(new Set(lw.auditEvents().map((e) => e.uuid)));
    expect(new Set(pceHrefs(hec)).size).toBe(400);
    // Copies beyond one only in requests the collector never saw confirmed (the reset-after one).
    const confirmed = hec.stored.filter((r) => r.confirmed).flatMap((r) => r.events.map((e) => String(e.event)));
    expect(new Set(confirmed).size).toBe(confirmed.length);
    expect(confirmed.length).toBe(700);
    const ev = hec.events().find((e) => e.sourcetype === 'lacework:edge:audit')!;
    expect(ev).toMatchObject({ index: 'zerotrust', host: 'collector-1', source: 'lacework_edge_audit://lw' });
    // No secret went anywhere near HEC, stdout or the log file.
    const logText = fs.readFileSync(path.join(dir, 'state', 'log', 'ta_zerotrust_events_standalone.log'), 'utf8');
    for (const s of [lw.token, pce.secret, hec.token]) {
      expect(JSON.stringify(hec.events())).not.toContain(s);
      expect(first.out + logText).not.toContain(s);
    }
    expect(fs.readdirSync(path.join(dir, 'state', 'checkpoints')).filter((f) => f.endsWith('.json'))).toHaveLength(2);

    const before = hec.stored.length;
    const fresh = lw.addAuditEvents(25, Date.now() - 30_000, Date.now() - 1000);
    const second = await runOnce(file);
    expect(second.code).toBe(0);
    const newer = hec.stored.slice(before).flatMap((r) => r.events).filter((e) => e.sourcetype === 'lacework:edge:audit');
    expect(new Set(newer.map((e) => (JSON.parse(String(e.event)) as { uuid: string }).uuid))).toEqual(new Set(fresh.map((e) => e.uuid)));
  });

  test('HEC down: the run fails, the checkpoint stays before the undelivered events; once it is back nothing is missing', async () => {
    lw.addAuditEvents(120, Date.now() - 5 * H, Date.now() - 60_000);
    hec = await startHecStandIn();
    const port = hec.port;
    await hec.close();
    const file = writeConfig({ type: 'hec', endpoints: [`http://127.0.0.1:${port}`], timeout: 2, retries: 2 });
    // Only the Lacework input.
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.inputs = doc.inputs.slice(0, 1);
    fs.writeFileSync(file, JSON.stringify(doc));
    const first = await runOnce(file);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/lacework_edge_audit:\/\/lw: failed \(transient\), 0 events/);
    expect(first.err).toMatch(/HEC: a batch of \d+ events could not be delivered after 3 attempts to http:\/\/127\.0\.0\.1:\d+ \(last: connection failed \(ECONNREFUSED\)\)/);
    // Empty windows before the first event may be checkpointed; nothing past an undelivered event.
    const cps = fs.readdirSync(path.join(dir, 'state', 'checkpoints')).filter((f) => f.endsWith('.json'));
    for (const f of cps) {
      const cursor = (JSON.parse(fs.readFileSync(path.join(dir, 'state', 'checkpoints', f), 'utf8')) as { state: { cursor: number } }).state.cursor;
      expect(cursor).toBeLessThanOrEqual(Math.min(...lw.auditEvents().map((e) => e.create_time)));
    }

    hec = await startHecStandIn({ port });
    const second = await runOnce(file);
    expect(second.code).toBe(0);
    expect(new Set(lwUuids(hec))).toEqual(new Set(lw.auditEvents().map((e) => e.uuid)));
  }, 120_000);

  test('HEC behind an authenticating proxy (sink.proxy_url, password from a file): every HEC request goes through it', async () => {
    lw.addAuditEvents(60, Date.now() - 2 * H, Date.now() - 60_000);
    hec = await startHecStandIn();
    const password = 'Pr0xy-Secret-9f';
    const proxy = await startProxy({ auth: { username: 'svc', password } });
    try {
      fs.writeFileSync(path.join(dir, 'proxy_pw'), `${password}\n`, { mode: 0o600 });
      const file = writeConfig({ type: 'hec', endpoints: [hec.url], proxy_url: proxy.url, proxy_username: 'svc', proxy_password_file: 'proxy_pw' });
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      doc.inputs = doc.inputs.slice(0, 1);
      fs.writeFileSync(file, JSON.stringify(doc));
      const r = await runOnce(file);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(new Set(lwUuids(hec))).toEqual(new Set(lw.auditEvents().map((e) => e.uuid)));
      // The events and the ack polls reached HEC only through the proxy, with its credentials.
      expect(proxy.seen.length).toBeGreaterThan(0);
      const auth = `Basic ${Buffer.from(`svc:${password}`).toString('base64')}`;
      for (const seen of proxy.seen) expect(seen).toEqual({ method: 'CONNECT', target: `127.0.0.1:${hec.port}`, proxyAuthorization: auth });
      const logText = fs.readFileSync(path.join(dir, 'state', 'log', 'ta_zerotrust_events_standalone.log'), 'utf8');
      expect(r.out + logText).not.toContain(password);
    } finally {
      await proxy.close();
    }
  });

  test('the HEC proxy refusing the credentials fails the run with a message naming sink.proxy_url, not the password', async () => {
    lw.addAuditEvents(10, Date.now() - 2 * H, Date.now() - 60_000);
    hec = await startHecStandIn();
    const proxy = await startProxy({ auth: { username: 'svc', password: 'right-one' } });
    try {
      const file = writeConfig({ type: 'hec', endpoints: [hec.url], proxy_url: proxy.url, proxy_username: 'svc', retries: 1 });
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      doc.inputs = doc.inputs.slice(0, 1);
      fs.writeFileSync(file, JSON.stringify(doc));
      const out = capture();
      const err = capture();
      const code = await main(['run', '--config', file, '--once'], { stdout: out.stream, stderr: err.stream, env: { ...env(), TA_ZEROTRUST_SECRET_HEC_PROXY_PASSWORD: 'Wr0ng-Pa55word' } });
      expect(code).toBe(1);
      expect(err.text()).toMatch(/proxy 127\.0\.0\.1:\d+ refused the credentials \(407.*sink\.proxy_url/);
      expect(out.text() + err.text()).not.toContain('Wr0ng-Pa55word');
      expect(hec.stored).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  test('NDJSON file sink: one HEC-format line per event', async () => {
    lw.addAuditEvents(50, Date.now() - 2 * H, Date.now() - 60_000);
    pce.addEvents(30, Date.now() - 2 * H, Date.now() - 120_000);
    const file = writeConfig({ type: 'ndjson', path: 'out/events.ndjson' });
    const r = await runOnce(file);
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'out', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(80);
    expect(lines.filter((l) => l.sourcetype === 'illumio:pce:event')).toHaveLength(30);
    expect(Object.keys(lines[0]).sort()).toEqual(['event', 'host', 'index', 'source', 'sourcetype', 'time']);
    expect(typeof lines[0].event).toBe('string');
  });

  test('npx ta-zerotrust run: interval schedule runs again, SIGTERM stops cleanly', async () => {
    lw.addAuditEvents(40, Date.now() - 2 * H, Date.now() - 60_000);
    hec = await startHecStandIn();
    const file = writeConfig({ type: 'hec', endpoints: [hec.url] });
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.inputs = doc.inputs.slice(0, 1);
    fs.writeFileSync(file, JSON.stringify(doc));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'ta-zerotrust.js'), 'run', '--config', file], {
      cwd: dir, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const runs = () => (out.match(/lacework_edge_audit:\/\/lw: ok/g) ?? []).length;
    let added: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`exited early: ${err}`)));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (runs() === 1 && !added.length) {
          // New events while the collector waits for its next interval.
          added = lw.addAuditEvents(5, Date.now() - 5000, Date.now() - 500).map((e) => e.uuid);
        }
        if (runs() >= 2 && lwUuids(hec).length >= 45) resolve();
      });
    });
    child.removeAllListeners('exit');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('1 inputs scheduled');
    expect(lwUuids(hec).sort()).toEqual(lw.auditEvents().map((e) => e.uuid).sort());
    expect(added).toHaveLength(5);
  }, 60_000);
});
