/**
 * The run bundle's V8 code cache (src/cli/code-cache.ts) as splunkd meets it: bin/<scheme>.sh
 * spawned with a SPLUNK_HOME, the Illumio simulator as the PCE. The first run compiles plainly
 * and writes the cache when it ends, later runs read it; a cache V8 refuses, a directory others
 * can write to, or no SPLUNK_HOME only mean a plain compile, with the same events and a log line.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inputXml } from '../../src/cli/bench-launcher';
import { CACHE_SUBDIR } from '../../src/cli/code-cache';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEME = 'illumio_pce_events';
const STANZA = `${SCHEME}://cache`;

let tmp: string;
let sim: IllumioSimulator;
let runs = 0;

beforeAll(async () => {
  sim = await startIllumioSimulator({});
  sim.addEvents(40, Date.now() - 2 * 3_600_000, Date.now() - 60_000);
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-codecache-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run { code: number | null; stdout: string; stderr: string; log: string }

/** One run from a fresh checkpoint, so every run collects the same events; `log` is what this run added to its log file. */
function run(env: NodeJS.ProcessEnv): Promise<Run> {
  const cp = path.join(tmp, `cp-${runs++}`);
  fs.mkdirSync(cp);
  const xml = inputXml(STANZA, { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h' }, cp);
  const logFile = env.SPLUNK_HOME ? path.join(env.SPLUNK_HOME, 'var', 'log', 'splunk', `ta_zerotrust_events_${SCHEME}.log`) : undefined;
  const before = logFile && fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.SPLUNK_HOME;
  delete base.TA_ZEROTRUST_CODE_CACHE;
  const proc = spawn(path.join(ROOT, 'bin', `${SCHEME}.sh`), [], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  proc.stdin!.end(xml);
  return new Promise((resolve) => proc.on('close', (code) => {
    const log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(before) : '';
    resolve({ code, stdout, stderr, log });
  }));
}

/** The vendor events of a stream, without the run's own health event and its times. */
function events(r: Run): string[] {
  expect([r.code, r.stderr]).toEqual([0, '']);
  return [...r.stdout.matchAll(/<event [^>]*>[\s\S]*?<\/event>/g)].map((m) => m[0]).filter((e) => !e.includes('ta_zerotrust:health')).sort();
}

const cacheLines = (r: Run) => r.log.split('\n').filter((l) => /code cache/.test(l)).map((l) => l.replace(/^.* pid=\d+ /, ''));

function cacheFiles(home: string): string[] {
  const dir = path.join(home, CACHE_SUBDIR);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

test('first run writes the cache, the next reads it; a cache V8 refuses is replaced; the events are the same every time', async () => {
  const home = path.join(tmp, 'splunk');
  const first = await run({ SPLUNK_HOME: home });
  const expected = events(first);
  expect(expected).toHaveLength(40);
  expect(cacheLines(first)).toEqual([
    `input=${SCHEME} stanza="${STANZA}" run bundle V8 code cache: none yet`,
    expect.stringMatching(new RegExp(`^input=${SCHEME} stanza="${STANZA.replace('/', '\\/')}" run bundle V8 code cache written \\(\\d+ KiB\\): later starts compile from it$`)),
  ]);
  const dir = path.join(home, CACHE_SUBDIR);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  const [file] = cacheFiles(home);
  expect(cacheFiles(home)).toEqual([expect.stringMatching(new RegExp(`^run-${SCHEME}\\.[0-9a-f]{32}\\.v8$`))]);
  const written = fs.readFileSync(path.join(dir, file));
  expect(written.length).toBeGreaterThan(10_000);

  // A hit is logged at DEBUG only (the steady state); nothing is rewritten.
  const second = await run({ SPLUNK_HOME: home });
  expect(events(second)).toEqual(expected);
  expect(cacheLines(second)).toEqual([]);
  expect(fs.readFileSync(path.join(dir, file)).equals(written)).toBe(true);

  // Bytes V8 does not accept under this key (another V8, a damaged file): a plain compile, then a new cache.
  fs.writeFileSync(path.join(dir, file), Buffer.alloc(written.length, 7));
  const third = await run({ SPLUNK_HOME: home });
  expect(events(third)).toEqual(expected);
  expect(cacheLines(third)[0]).toBe(`input=${SCHEME} stanza="${STANZA}" run bundle V8 code cache: rejected by V8 (another build of V8 or other flags), compiled plainly`);
  expect(cacheLines(third)[1]).toMatch(/code cache written/);
  expect(fs.readFileSync(path.join(dir, file)).equals(Buffer.alloc(written.length, 7))).toBe(false);
  expect(cacheFiles(home)).toEqual([file]);
});

test('a cache directory others can write to is not used; without SPLUNK_HOME, or with TA_ZEROTRUST_CODE_CACHE=off, there is no cache', async () => {
  const home = path.join(tmp, 'shared');
  const dir = path.join(home, CACHE_SUBDIR);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o777);
  const open = await run({ SPLUNK_HOME: home });
  expect(events(open)).toHaveLength(40);
  expect(cacheLines(open)).toEqual([`input=${SCHEME} stanza="${STANZA}" run bundle V8 code cache: off (${dir} is writable by others (mode 777))`]);
  expect(cacheFiles(home)).toEqual([]);

  const off = await run({ SPLUNK_HOME: path.join(tmp, 'off'), TA_ZEROTRUST_CODE_CACHE: 'off' });
  expect(events(off)).toHaveLength(40);
  expect(cacheLines(off)).toEqual([`input=${SCHEME} stanza="${STANZA}" run bundle V8 code cache: off (TA_ZEROTRUST_CODE_CACHE=off)`]);
  expect(cacheFiles(path.join(tmp, 'off'))).toEqual([]);

  // No SPLUNK_HOME: no log file either, so only the events and a clean stderr can be checked.
  expect(events(await run({}))).toHaveLength(40);
});
