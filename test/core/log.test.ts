import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { closeLoggers, createLogger, logFilePath } from '../../src/core/log';

let dir: string;
let stderr: PassThrough;
let stderrText: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-log-'));
  stderr = new PassThrough();
  stderrText = '';
  stderr.on('data', (d) => (stderrText += d));
});
afterEach(async () => {
  await closeLoggers();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0000) (DEBUG|INFO|WARN|ERROR) pid=(\d+) input=(\S+)(?: stanza="([^"]*)")? (.*)$/;

test('file lines follow the documented format; WARN+ go to stderr as single "LEVEL message" lines', async () => {
  const log = createLogger({ input: 'illumio_pce_events', stanza: 'illumio_pce_events://prod', level: 'info', logDir: dir, stderr });
  log.debug('not written at INFO');
  log.info('Collected a page', { count: 500, next: '2026-11-21T23:00:00Z', note: 'two words "quoted"' });
  log.child({ page: 3 }).warn('Vendor slow\nsecond line', { status: 429 });
  log.error('Run failed', { error: new Error('boom') });
  await closeLoggers();
  const file = path.join(dir, 'ta_zerotrust_events_illumio_pce_events.log');
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  const parsed = lines.map((l) => LINE.exec(l));
  expect(parsed.every(Boolean)).toBe(true);
  expect(parsed.map((m) => [m![2], m![3], m![4], m![5]])).toEqual([
    ['INFO', String(process.pid), 'illumio_pce_events', 'illumio_pce_events://prod'],
    ['WARN', String(process.pid), 'illumio_pce_events', 'illumio_pce_events://prod'],
    ['ERROR', String(process.pid), 'illumio_pce_events', 'illumio_pce_events://prod'],
  ]);
  expect(parsed[0]![6]).toBe('Collected a page count=500 next=2026-11-21T23:00:00Z note="two words \\"quoted\\""');
  expect(parsed[1]![6]).toBe('Vendor slow\\nsecond line page=3 status=429');
  expect(parsed[2]![6]).toBe('Run failed error="Error: boom"');
  expect(stderrText).toBe(
    'WARN Vendor slow\\nsecond line page=3 status=429 stanza="illumio_pce_events://prod"\n' +
    'ERROR Run failed error="Error: boom" stanza="illumio_pce_events://prod"\n');
});

test('secrets are redacted from messages and values, in the file and on stderr', async () => {
  const secret = 'pa55-W0rd-Secret';
  const log = createLogger({ input: 'lacework_edge_audit', level: 'DEBUG', logDir: dir, stderr, secrets: [secret] });
  log.debug(`token ${secret} used`, { body: `{"secret":"${secret}"}`, url: 'https://user:hunter2@host/x' });
  log.warn('auth header', { header: 'Authorization: Bearer abcdefghijklmnop' });
  await closeLoggers();
  const text = fs.readFileSync(path.join(dir, 'ta_zerotrust_events_lacework_edge_audit.log'), 'utf8') + stderrText;
  for (const s of [secret, 'hunter2', 'abcdefghijklmnop']) expect(text).not.toContain(s);
  expect(text).toContain('token <redacted> used');
});

test('rotation keeps the configured number of files', async () => {
  const log = createLogger({ input: 'prisma_saas_log_events', logDir: dir, stderr, maxBytes: 4096, maxFiles: 3 });
  for (let i = 0; i < 400; i++) log.info('filler line for rotation', { i });
  await closeLoggers();
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(['ta_zerotrust_events_prisma_saas_log_events.log', 'ta_zerotrust_events_prisma_saas_log_events.log.1', 'ta_zerotrust_events_prisma_saas_log_events.log.2']);
  for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(4096 + 200);
  const newest = fs.readFileSync(path.join(dir, files[0]), 'utf8').trimEnd().split('\n');
  expect(newest[newest.length - 1]).toMatch(/i=399$/);
});

test('without SPLUNK_HOME or logDir there is no file, only stderr; unknown levels fall back to INFO', async () => {
  const saved = process.env.SPLUNK_HOME;
  delete process.env.SPLUNK_HOME;
  try {
    expect(logFilePath('x')).toBeUndefined();
    const log = createLogger({ input: 'x', level: 'LOUD', stderr });
    log.debug('hidden');
    log.warn('shown');
    await closeLoggers();
    expect(stderrText).toBe('WARN Unknown log level "LOUD"; using INFO. Use DEBUG, INFO, WARN or ERROR.\nWARN shown\n');
  } finally {
    if (saved !== undefined) process.env.SPLUNK_HOME = saved;
  }
  process.env.SPLUNK_HOME = '/opt/splunk';
  try {
    expect(logFilePath('illumio_pce_events')).toBe('/opt/splunk/var/log/splunk/ta_zerotrust_events_illumio_pce_events.log');
  } finally {
    if (saved !== undefined) process.env.SPLUNK_HOME = saved;
    else delete process.env.SPLUNK_HOME;
  }
});
