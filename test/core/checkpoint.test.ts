import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointCorruptError, KV_COLLECTION, checkpointKey, fileCheckpointStore, kvCheckpointStore } from '../../src/core/checkpoint';
import { AuthError, ConfigError } from '../../src/core/errors';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { rejection } from '../support/rejection';

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('file checkpoint store', () => {
  const stanza = 'illumio_pce_events://prod pce/1';

  test('first run is undefined; a saved state round-trips in a versioned envelope', async () => {
    const store = fileCheckpointStore(dir, stanza);
    expect(await store.load()).toBeUndefined();
    await store.save({ cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] });
    expect(await store.load()).toEqual({ cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] });
    const doc = JSON.parse(fs.readFileSync(store.file, 'utf8'));
    expect(doc).toEqual({ version: 1, stanza, saved_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), state: { cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] } });
    expect(fs.readdirSync(dir)).toEqual([path.basename(store.file)]);
  });

  test('file names are safe and distinct for look-alike stanzas', () => {
    const a = checkpointKey('lacework_edge_audit://a/b');
    const b = checkpointKey('lacework_edge_audit://a_b');
    expect(a).toMatch(/^lacework_edge_audit__a_b__[0-9a-f]{12}$/);
    expect(b).toMatch(/^lacework_edge_audit__a_b__[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(checkpointKey('x://../../etc/passwd')).toMatch(/^x__[A-Za-z0-9_.-]+$/);
    expect(checkpointKey('x://../../etc/passwd').startsWith('.')).toBe(false);
  });

  test.each([
    ['not JSON', '{"version":1,"stanza":', 'is not valid JSON'],
    ['empty', '', 'is empty'],
    ['another version', JSON.stringify({ version: 2, stanza, saved_at: 'x', state: {} }), 'has format version 2, and this add-on reads version 1'],
    ['another stanza', JSON.stringify({ version: 1, stanza: 'other://x', saved_at: 'x', state: {} }), 'belongs to the stanza "other://x"'],
    ['no envelope', JSON.stringify({ cursor: 'x' }), 'has format version none'],
  ])('a corrupt file (%s) is a clear error and is left untouched', async (_label, content, why) => {
    const store = fileCheckpointStore(dir, stanza);
    fs.writeFileSync(store.file, content);
    const e = await rejection(store.load());
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(store.file);
    expect(e.message).toContain(why);
    expect(e.message).toContain('start over from start_date');
    expect(e.message).toContain(`rename it to ${path.basename(store.file)}.bad`);
    expect(e.message).toContain('restore');
    expect(fs.readFileSync(store.file, 'utf8')).toBe(content);
  });

  test('an unwritable directory is a ConfigError naming the file', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions; use a path under a file instead.
      const blocker = path.join(dir, 'blocker');
      fs.writeFileSync(blocker, '');
      const e = await rejection(fileCheckpointStore(path.join(blocker, 'sub'), stanza).save({ n: 1 }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toContain(path.join(blocker, 'sub'));
      return;
    }
    fs.chmodSync(dir, 0o500);
    const e = await rejection(fileCheckpointStore(dir, stanza).save({ n: 1 }));
    fs.chmodSync(dir, 0o700);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('EACCES');
  });

  test('SIGKILL during a save loop leaves a valid checkpoint at least as new as the last acknowledged save', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'checkpoint-writer.ts'), dir, stanza], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let acknowledged = 0;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) acknowledged = Math.max(acknowledged, Number(l));
        if (acknowledged >= 15) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${stderr}`));
      });
    });
    await new Promise((r) => child.once('close', r));
    const store = fileCheckpointStore(dir, stanza);
    const state = await store.load<{ n: number; pad: string; tail: string }>();
    expect(state).toBeDefined();
    expect(state!.n).toBeGreaterThanOrEqual(acknowledged);
    expect(state!.pad.length).toBe(2_000_000);
    expect(state!.tail).toBe(`end-${state!.n}`);
    // Temporary files of the interrupted save are cleaned up by the next load.
    expect(fs.readdirSync(dir)).toEqual([path.basename(store.file)]);
  });
});

describe('KV store checkpoint store', () => {
  let splunkd: SplunkdStandIn;
  beforeEach(async () => {
    splunkd = await startSplunkd({ collections: [KV_COLLECTION] });
  });
  afterEach(() => splunkd.close());
  const stanza = 'prisma_saas_log_events://tenant1';
  const open = (sessionKey = splunkd.sessionKey, collection = KV_COLLECTION) =>
    kvCheckpointStore({ serverUri: splunkd.url, sessionKey, app: splunkd.app, collection, stanza });

  test('round trip: 404 is a first run, then insert, then update in place', async () => {
    const store = open();
    expect(await store.load()).toBeUndefined();
    await store.save({ cursor: 1, ids: { 'a.b': true, $x: 1 } });
    await store.save({ cursor: 2, ids: { 'a.b': true, $x: 1 } });
    expect(await store.load()).toEqual({ cursor: 2, ids: { 'a.b': true, $x: 1 } });
    const records = [...splunkd.kv(KV_COLLECTION).values()];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ _key: checkpointKey(stanza), version: 1, stanza, state: JSON.stringify({ cursor: 2, ids: { 'a.b': true, $x: 1 } }) });
    expect(splunkd.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404', 'POST 404', 'POST 201', 'POST 200', 'GET 200']);
    expect(splunkd.requests.every((r) => r.path.startsWith(`/servicesNS/nobody/${splunkd.app}/storage/collections/data/${KV_COLLECTION}`))).toBe(true);
  });

  test('a corrupt record is a clear error, not a first run', async () => {
    splunkd.kv(KV_COLLECTION).set(checkpointKey(stanza), { _key: checkpointKey(stanza), version: 1, stanza, saved_at: 'x', state: '{broken' });
    const e = await rejection(open().load());
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e.message).toContain(`KV store record ${KV_COLLECTION}/${checkpointKey(stanza)}`);
    expect(e.message).toContain('start over from start_date');
  });

  test('a missing collection names collections.conf; a bad session key is an AuthError without the key', async () => {
    const e = await rejection(open(splunkd.sessionKey, 'nope').save({ a: 1 }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('collection nope does not exist');
    const bad = await rejection(open('wrong-session-key-123').load());
    expect(bad).toBeInstanceOf(AuthError);
    expect(bad.message).not.toContain('wrong-session-key-123');
  });
});
