/**
 * bin/<scheme>.sh spawned as splunkd spawns it (argv, XML on stdin, a checkpoint dir), with the
 * real Node and the bundle built by the jest globalSetup. The outside world: the loopback
 * splunkd stand-in and the Illumio PCE simulator.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';
import { ILLUMIO_EVENTS_CHECKPOINT } from '../../src/sources/illumio/checkpoint';

import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { fixtureText } from '../protocol/fixtures';
import { child, parseXml, shape, type XmlNode } from '../protocol/xml-tree';
import { inputXml as stdinInput, itemsXml as stdinItems, utf16be, type SplunkdStdinSession } from '../support/modinput-xml';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

const descriptions = descriptionsOf(SOURCE_MODULES);

/** The vendor events of a stream: each run also ends with its ta_zerotrust:health event. */
function vendorEvents(stream: XmlNode): XmlNode[] {
  return stream.children.filter((e) => child(e, 'sourcetype')?.text !== 'ta_zerotrust:health');
}

const ROOT = path.resolve(__dirname, '..', '..');

interface Result { code: number | null; stdout: string; stderr: string }

/** splunkd's environment: its LD_LIBRARY_PATH, a SPLUNK_HOME, PATH with a node on it. */
function splunkdEnv(splunkHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SPLUNK_HOME: splunkHome, LD_LIBRARY_PATH: path.join(splunkHome, 'lib') };
  delete env.TA_ZEROTRUST_NODE;
  return env;
}

function run(scheme: string, args: string[], stdin: string | Buffer, env: NodeJS.ProcessEnv, onStdout?: (all: string, proc: ReturnType<typeof spawn>) => void): Promise<Result> {
  const proc = spawn(path.join(ROOT, 'bin', `${scheme}.sh`), args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout, proc);
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  proc.stdin!.on('error', () => undefined);
  proc.stdin!.end(stdin);
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}

const itemsXml = (name: string, params: Record<string, string>, s: SplunkdStdinSession) => stdinItems(s, name, params);
/** One stanza with the params splunkd adds itself. */
const inputXml = (stanza: string, params: Record<string, string>, s: SplunkdStdinSession) =>
  stdinInput(s, { [stanza]: { index: 'main', interval: '300', host: 'hf-1', ...params } });

let tmp: string;
let splunkd: SplunkdStandIn;
let session: SplunkdStdinSession;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-e2e-'));
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  session = { serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: path.join(tmp, 'modinputs', 'illumio_pce_events') };
  fs.mkdirSync(session.checkpointDir, { recursive: true });
});

afterEach(async () => {
  await splunkd.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('--scheme', () => {
  const fixture = parseXml(fixtureText('scheme_without_defaults_and_argument_title.xml'));
  test.each(descriptions.map((d) => [d.scheme, d]))('%s prints scheme XML shaped like the SDK fixture', async (scheme, desc) => {
    const r = await run(scheme, ['--scheme'], '', splunkdEnv(tmp));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = parseXml(r.stdout.replace(/^<\?xml[^>]*\?>/, ''));
    expect(doc.children.map((c) => c.name)).toEqual(fixture.children.map((c) => c.name));
    const args = child(child(doc, 'endpoint')!, 'args')!.children;
    expect(args.map((a) => a.attributes.name)).toEqual(desc.args.map((a) => a.name));
    for (const a of args) expect(shape(a)).toMatchObject({ name: 'arg', attributes: ['name'] });
    expect(child(doc, 'streaming_mode')!.text).toBe('xml');
  });
});

describe('--validate-arguments', () => {
  test('a bad URL is refused naming pce_url, exit 1', async () => {
    const r = await run('illumio_pce_events', ['--validate-arguments'], utf16be(itemsXml('prod', {
      pce_url: 'ftp://x', org_id: '1', api_key_id: 'api_1', api_secret: 'typed-secret', index: 'main', interval: '300',
    }, session)), splunkdEnv(tmp));
    expect(r.code).toBe(1);
    const err = parseXml(r.stdout);
    expect(err.name).toBe('error');
    expect(child(err, 'message')!.text).toMatch(/^illumio_pce_events:\/\/prod: "pce_url" must start with https:\/\//);
    expect(r.stdout + r.stderr).not.toContain('typed-secret');
    // Validation must not store a secret for a stanza splunkd has not saved.
    expect(splunkd.passwords()).toEqual([]);
  });

  test('a missing required field is named', async () => {
    const r = await run('illumio_pce_events', ['--validate-arguments'], itemsXml('prod', {
      pce_url: 'https://pce.example.com:8443', api_key_id: 'api_1', api_secret: 's3cr3t-value',
    }, session), splunkdEnv(tmp));
    expect(r.code).toBe(1);
    expect(child(parseXml(r.stdout), 'message')!.text).toMatch(/"org_id" \(Organization ID\) is required/);
  });

  test.each(descriptions.map((d) => [d.scheme, d]))('%s: an empty item names the first required argument', async (scheme, desc) => {
    const first = desc.args.find((a) => a.required)!;
    const r = await run(scheme, ['--validate-arguments'], itemsXml('x', {}, session), splunkdEnv(tmp));
    expect(r.code).toBe(1);
    expect(child(parseXml(r.stdout), 'message')!.text).toContain(`"${first.name}"`);
  });

  test('a live check against the PCE passes with the right key and fails naming the key with a wrong one', async () => {
    const sim = await startIllumioSimulator({});
    try {
      const base = { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId };
      const ok = await run('illumio_pce_events', ['--validate-arguments'], itemsXml('prod', { ...base, api_secret: sim.secret }, session), splunkdEnv(tmp));
      expect(ok).toMatchObject({ code: 0, stdout: '' });
      const bad = await run('illumio_pce_events', ['--validate-arguments'], itemsXml('prod', { ...base, api_secret: 'wrong-secret-x' }, session), splunkdEnv(tmp));
      expect(bad.code).toBe(1);
      expect(child(parseXml(bad.stdout), 'message')!.text).toContain(sim.keyId);
      expect(bad.stdout + bad.stderr).not.toContain('wrong-secret-x');
    } finally {
      await sim.stop();
    }
  });
});

describe('run mode', () => {
  let sim: IllumioSimulator;
  const STANZA = 'illumio_pce_events://e2e';
  afterEach(async () => {
    await sim?.stop();
  });

  function params(): Record<string, string> {
    return { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h' };
  }

  test('hostile payloads reach splunkd as a well-formed stream and round-trip exactly', async () => {
    sim = await startIllumioSimulator({});
    const HOSTILE = [
      '</data></event></stream><stream><event><data>',
      ']]> <![CDATA[ x ]]>',
      '&amp; &lt; & < > " \'',
      'nul \u0000 esc \u001b bell \u0007 vt \u000b',
      'crlf \r\n cr \r',
      'lone \uD800 and \uDFFF, pair \uD83D\uDE00',
      'nonchar \uFFFE \uFFFF',
      'ünïcödé 漢字 עברית',
    ];
    const now = Date.now();
    sim.addRaw(HOSTILE.map((h, i) => ({
      href: `/orgs/${sim.org}/events/hostile-${i}`,
      timestamp: new Date(now - 30 * 60_000 + i * 1000).toISOString(),
      event_type: 'user.sign_in',
      status: 'success',
      severity: 'info',
      created_by: { user: { href: '/users/1', username: h } },
      action: { api_method: 'POST', src_ip: '203.0.113.7', info: h },
      resource_changes: [],
      notifications: [],
      pce_fqdn: 'pce.example.com',
    })));
    const r = await run('illumio_pce_events', [], inputXml(STANZA, params(), session), splunkdEnv(tmp));
    expect(r.code).toBe(0);
    const stream = parseXml(r.stdout);
    expect(stream.name).toBe('stream');
    // Each run ends with its health event (sourcetype ta_zerotrust:health, tested in test/soc).
    expect(child(stream.children[stream.children.length - 1], 'sourcetype')!.text).toBe('ta_zerotrust:health');
    const got = vendorEvents(stream).map((e) => {
      expect(e.attributes).toEqual({ stanza: STANZA, unbroken: '1' });
      expect(child(e, 'sourcetype')!.text).toBe('illumio:pce:event');
      expect(child(e, 'index')!.text).toBe('main');
      expect(child(e, 'done')).toBeDefined();
      return JSON.parse(child(e, 'data')!.text) as { href: string; action: { info: string }; created_by: { user: { username: string } } };
    });
    expect(got.map((e) => e.href).sort()).toEqual(HOSTILE.map((_, i) => `/orgs/${sim.org}/events/hostile-${i}`).sort());
    // The event text is JSON: controls and lone surrogates travel as \u escapes and come back
    // exactly; U+FFFE/U+FFFF stay raw in JSON, XML 1.0 cannot carry them, and they read back as
    // U+FFFD (the documented rule of src/core/protocol/xml.ts).
    const expected = (h: string) => h.replace(/[\uFFFE\uFFFF]/g, '\uFFFD');
    for (const e of got) {
      const i = Number(/hostile-(\d+)$/.exec(e.href)![1]);
      expect(e.action.info).toBe(expected(HOSTILE[i]));
      expect(e.created_by.user.username).toBe(expected(HOSTILE[i]));
    }
    expect(await fileCheckpointStore(session.checkpointDir, STANZA).load(ILLUMIO_EVENTS_CHECKPOINT)).toBeDefined();
    expect(fs.readFileSync(path.join(tmp, 'var', 'log', 'splunk', 'ta_zerotrust_events_illumio_pce_events.log'), 'utf8'))
      .toMatch(/run_summary stanza=illumio_pce_events:\/\/e2e events=8 batches=\d+ errors=\d+ duration_ms=\d+ status=ok/);
  });

  test('SIGTERM mid-run: the stream is closed well-formed, and the next run delivers the rest', async () => {
    sim = await startIllumioSimulator({});
    const now = Date.now();
    sim.addEvents(12_000, now - 2 * 3600e3, now - 60_000);
    let signalled = false;
    const first = await run('illumio_pce_events', [], inputXml(STANZA, { ...params(), max_results: '1000' }, session), splunkdEnv(tmp), (out, proc) => {
      if (!signalled && out.includes('</event>')) {
        signalled = true;
        proc.kill('SIGTERM');
      }
    });
    expect(signalled).toBe(true);
    expect(first.stdout.endsWith('</stream>\n')).toBe(true);
    const firstEvents = vendorEvents(parseXml(first.stdout));
    expect(firstEvents.length).toBeGreaterThan(0);
    expect(firstEvents.length).toBeLessThan(12_000);
    expect(first.code).toBe(0);
    // The secret is in storage/passwords now; splunkd would hand the masked stanza next time.
    const second = await run('illumio_pce_events', [], inputXml(STANZA, { ...params(), api_secret: '********', max_results: '1000' }, session), splunkdEnv(tmp));
    expect(second.code).toBe(0);
    const hrefs = [...firstEvents, ...vendorEvents(parseXml(second.stdout))]
      .map((e) => (JSON.parse(child(e, 'data')!.text) as { href: string }).href);
    expect(new Set(hrefs)).toEqual(new Set(sim.hrefsBetween(0, now)));
  }, 180_000);

  test('a stanza that is not ours, or no checkpoint_dir, fails with exit 1 and says why', async () => {
    const r = await run('illumio_pce_events', [], inputXml('lacework_edge_audit://x', {}, session), splunkdEnv(tmp));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR lacework_edge_audit:\/\/x: this stanza was given to the illumio_pce_events input/m);
    const noDir = await run('illumio_pce_events', [], inputXml(STANZA, {}, { ...session, checkpointDir: '' }), splunkdEnv(tmp));
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/no <checkpoint_dir>/);
  });

  test('XML that does not parse fails with exit 1 and one ERROR line', async () => {
    const r = await run('illumio_pce_events', [], '<input><configuration>', splunkdEnv(tmp));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR TA-zerotrust-events: splunkd sent XML that does not parse/);
    expect(r.stdout).toBe('');
  });
});

test('unknown scheme or extra arguments: usage on stderr, exit 2', async () => {
  const node = await new Promise<Result>((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'lib', 'modinput.js'), 'nope', '--scheme']);
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
  expect(node.code).toBe(2);
  expect(node.stderr).toMatch(/^ERROR TA-zerotrust-events: unknown input scheme "nope"; expected one of illumio_pce_events, /);
  const extra = await run('illumio_pce_events', ['--scheme', '--debug'], '', splunkdEnv(tmp));
  expect(extra.code).toBe(2);
});
