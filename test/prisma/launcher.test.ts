/**
 * The Prisma SaaS input as splunkd runs it: bin/prisma_saas_log_events.sh with `<input>` XML on
 * stdin, events on stdout, secrets through the splunkd stand-in, killed with SIGKILL at chosen
 * steps and rerun. The simulator records every event it handed out; the union of what the runs
 * wrote must be exactly that, once each.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { escapeXmlText } from '../../src/core/protocol';
import { PrismaSimulator, startPrismaSimulator } from '../../src/sources/prisma/simulator';
import { startSplunkd, SplunkdStandIn } from '../support/splunkd';
import { parseStream, StreamEvent } from './stream';
import { tempDir } from './support';

const REPO = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(REPO, 'bin', 'prisma_saas_log_events.sh');
const STANZA = 'prisma_saas_log_events://e2e';

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; events: StreamEvent[] }

function launch(args: string[], stdin: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(LAUNCHER, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events: parseStream(stdout) }));
    child.stdin.end(stdin);
  });
}

function param(name: string, value: string): string {
  return `<param name="${name}">${escapeXmlText(value)}</param>`;
}

describe('prisma_saas_log_events launcher', () => {
  let sim: PrismaSimulator;
  let splunkd: SplunkdStandIn;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await tempDir('prisma-e2e-');
    splunkd = await startSplunkd();
    env = { SPLUNK_HOME: path.join(dir, 'splunk') };
  });
  afterEach(async () => {
    await sim?.stop();
    await splunkd.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  function inputXml(secret: string, extra: Record<string, string> = {}): string {
    const params = { base_url: sim.url, client_id: sim.clientId, client_secret: secret, index: 'security', interval: '60', ...extra };
    return `<input><server_host>sh1</server_host><server_uri>${splunkd.url}</server_uri><session_key>${splunkd.sessionKey}</session_key>` +
      `<checkpoint_dir>${escapeXmlText(path.join(dir, 'checkpoints'))}</checkpoint_dir><configuration><stanza name="${STANZA}">` +
      `${Object.entries(params).map(([k, v]) => param(k, v)).join('')}</stanza></configuration></input>`;
  }

  const run = (secret: string, more: Record<string, string> = {}, extra: Record<string, string> = {}) =>
    launch([], inputXml(secret, extra), { ...env, ...more });
  const served = () => sim.served.map((s) => JSON.stringify(s.event));
  const datas = (...runs: Run[]) => runs.flatMap((r) => r.events.map((e) => e.data));
  const logs = async () => {
    const logDir = path.join(dir, 'splunk', 'var', 'log', 'splunk');
    const files = await fsp.readdir(logDir).catch(() => [] as string[]);
    return (await Promise.all(files.map((f) => fsp.readFile(path.join(logDir, f), 'utf8')))).join('\n');
  };
  const spoolCount = async () => {
    const state = path.join(dir, 'checkpoints', 'state');
    const subdirs = await fsp.readdir(state).catch(() => [] as string[]);
    let n = 0;
    for (const d of subdirs) n += (await fsp.readdir(path.join(state, d, 'spool')).catch(() => [] as string[])).length;
    return n;
  };

  it('drains every event once, stamps time and sourcetype, and moves the secret to storage/passwords', async () => {
    sim = await startPrismaSimulator({ events: 230, longPollMs: 100 });
    splunkd.setConf('inputs', STANZA, { client_secret: sim.clientSecret });
    const first = await run(sim.clientSecret);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(datas(first)).toEqual(served());
    const ev = first.events[0];
    expect(ev).toMatchObject({ stanza: STANZA, sourcetype: 'pan:prisma_saas', index: 'security' });
    expect(Number(ev.time)).toBeCloseTo(Date.parse(JSON.parse(ev.data).timestamp) / 1000, 3);
    expect(splunkd.getPassword(STANZA, 'client_secret')).toBe(sim.clientSecret);
    expect(splunkd.conf('inputs', STANZA)?.client_secret).toBe('********');

    sim.enqueue(40);
    const second = await run('********');
    expect(second.code).toBe(0);
    expect(datas(first, second)).toEqual(served());
    expect(datas(second)).toHaveLength(40);
    const all = first.stdout + first.stderr + second.stdout + second.stderr + (await logs());
    expect(all).not.toContain(sim.clientSecret);
  });

  it.each([
    ['after the body is spooled, before any of it is emitted', 'prisma-after-spool:3'],
    ['after the checkpoint is saved, before the spool record is removed', 'prisma-before-unspool:2'],
  ])('kill -9 %s, then rerun: nothing lost, nothing duplicated', async (_what, point) => {
    sim = await startPrismaSimulator({ events: 450, longPollMs: 100 });
    const crashed = await run(sim.clientSecret, { TA_ZEROTRUST_FAILPOINT: point });
    expect(crashed.signal).toBe('SIGKILL');
    expect(datas(crashed)).toHaveLength(200);
    expect(await spoolCount()).toBe(1);
    const rerun = await run(sim.clientSecret);
    expect(rerun.code).toBe(0);
    const all = datas(crashed, rerun);
    expect(all.length).toBe(450);
    expect(new Set(all)).toEqual(new Set(served()));
    expect(sim.stats()).toMatchObject({ dequeued: 450, queued: 0, lost: 0 });
    expect(await spoolCount()).toBe(0);
    expect(await logs()).toMatch(/replaying spooled body/);
  });

  it('kill -9 from outside while stdout is blocked mid-batch: nothing lost, repeats bounded by that one batch', async () => {
    sim = await startPrismaSimulator({ events: 3000, longPollMs: 100 });
    const child = spawn(LAUNCHER, [], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(inputXml(sim.clientSecret));
    child.stderr.resume();
    // Nobody reads stdout: once the pipe is full the input blocks inside a batch, as it would
    // behind a stalled splunkd. Wait for the simulator to see no more reads, then SIGKILL.
    let seen = -1;
    while (seen !== sim.requests.length || (await spoolCount()) === 0) {
      seen = sim.requests.length;
      await new Promise((r) => setTimeout(r, 500));
    }
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    const drained = new Promise((r) => child.stdout.on('close', r));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await drained;
    const crashed = parseStream(stdout).map((e) => e.data);
    expect(crashed.length).toBeLessThan(3000);
    const rerun = await run(sim.clientSecret);
    expect(rerun.code).toBe(0);
    const all = [...crashed, ...datas(rerun)];
    expect(new Set(all)).toEqual(new Set(served()));
    expect(sim.stats()).toMatchObject({ dequeued: 3000, lost: 0 });
    // Events of the interrupted batch that reached the pipe come again: at-least-once, one body at most.
    const repeated = all.filter((d, i) => all.indexOf(d) !== i);
    expect(repeated.length).toBeLessThanOrEqual(100);
    const body = sim.served.findIndex((s) => JSON.stringify(s.event) === repeated[0]);
    if (repeated.length) expect(repeated.every((d) => Math.floor(served().indexOf(d) / 100) === Math.floor(body / 100))).toBe(true);
  });

  it('goes on through a token expiry, 429 and 5xx mid-drain, and an invalid body', async () => {
    sim = await startPrismaSimulator({ events: 500, longPollMs: 100 });
    sim.faults.push(
      { kind: 'delay', ms: 0 }, { kind: 'expire-tokens' }, { kind: 'status', status: 429, retryAfter: 1 },
      { kind: 'status', status: 503 }, { kind: 'invalid-json' }, { kind: 'status', status: 502 },
    );
    const r = await run(sim.clientSecret);
    expect(r.code).toBe(0);
    const unparsed = r.events.filter((e) => e.source === `${STANZA}:unparsed`);
    expect(unparsed).toHaveLength(100);
    expect(r.events.filter((e) => e.source === STANZA).map((e) => e.data)).toEqual(
      sim.served.filter((s) => !s.corrupted).map((s) => JSON.stringify(s.event)),
    );
    expect(r.events).toHaveLength(500);
    expect(sim.stats().tokensIssued).toBe(2);
    expect(await logs()).toMatch(/body not fully parsed/);
  });

  describe('--validate-arguments', () => {
    const items = (params: Record<string, string>) =>
      `<items><server_host>sh1</server_host><server_uri>${splunkd.url}</server_uri><session_key>${splunkd.sessionKey}</session_key>` +
      `<checkpoint_dir>${escapeXmlText(path.join(dir, 'checkpoints'))}</checkpoint_dir><item name="e2e">` +
      `${Object.entries(params).map(([k, v]) => param(k, v)).join('')}</item></items>`;

    it('accepts working credentials without dequeuing anything', async () => {
      sim = await startPrismaSimulator({ events: 3 });
      const r = await launch(['--validate-arguments'], items({ base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret }), env);
      expect([r.code, r.stdout]).toEqual([0, '']);
      expect(sim.stats()).toMatchObject({ tokensIssued: 1, dataRequests: 0, queued: 3 });
    });

    it('explains refused credentials and an unknown region', async () => {
      sim = await startPrismaSimulator();
      const bad = await launch(['--validate-arguments'], items({ base_url: sim.url, client_id: sim.clientId, client_secret: 'nope-nope' }), env);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toMatch(/<error><message>.*refused client_id .*sim-client.*client_secret.*<\/message><\/error>/s);
      expect(bad.stdout + bad.stderr).not.toContain('nope-nope');
      const region = await launch(['--validate-arguments'], items({ region: 'mars', client_id: 'x', client_secret: 'y' }), env);
      expect(region.code).not.toBe(0);
      expect(region.stdout).toMatch(/region.*must be one of us, eu, apac, uk, in, au, uk2, jp/s);
    });
  });
});
