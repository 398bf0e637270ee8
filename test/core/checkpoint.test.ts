import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JSONSchemaType } from 'ajv';
import {
  CheckpointCorruptError, CHECKPOINT_FUTURE_TOLERANCE_MS, KV_COLLECTION, checkpointKey, fileCheckpointStore, kvCheckpointStore, type CheckpointFormat,
} from '../../src/core/checkpoint';
import { AuthError, ConfigError } from '../../src/core/errors';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { rejection } from '../support/rejection';

const ROOT = path.resolve(__dirname, '..', '..');

/** Any object of version 1 in `v`: the stores' own behaviour, whatever a source keeps. */
type Loose = { v: 1 } & Record<string, unknown>;
const LOOSE: CheckpointFormat<Loose> = {
  title: 'test checkpoint', version: 1, versionKey: 'v',
  schema: { type: 'object', properties: { v: { const: 1 } }, required: ['v'] },
};
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('file checkpoint store', () => {
  const stanza = 'illumio_pce_events://prod pce/1';

  test('first run is undefined; a saved state round-trips in a versioned envelope', async () => {
    const store = fileCheckpointStore(dir, stanza);
    expect(await store.load(LOOSE)).toBeUndefined();
    await store.save(LOOSE, { v: 1, cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] });
    expect(await store.load(LOOSE)).toEqual({ v: 1, cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] });
    const doc = JSON.parse(fs.readFileSync(store.file, 'utf8'));
    expect(doc).toEqual({ version: 1, stanza, saved_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), state: { v: 1, cursor: '2026-11-21T00:00:00Z', seen: ['a.b', '$c'] } });
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
    const e = await rejection(store.load(LOOSE));
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(store.file);
    expect(e.message).toContain(why);
    expect(e.message).toContain('To start over as on its first run');
    expect(e.message).toContain(`rename it to ${path.basename(store.file)}.bad`);
    expect(e.message).toContain('restore');
    expect(fs.readFileSync(store.file, 'utf8')).toBe(content);
  });

  test('an unwritable directory is a ConfigError naming the file', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions; use a path under a file instead.
      const blocker = path.join(dir, 'blocker');
      fs.writeFileSync(blocker, '');
      const e = await rejection(fileCheckpointStore(path.join(blocker, 'sub'), stanza).save(LOOSE, { v: 1, n: 1 }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toContain(path.join(blocker, 'sub'));
      return;
    }
    fs.chmodSync(dir, 0o500);
    const e = await rejection(fileCheckpointStore(dir, stanza).save(LOOSE, { v: 1, n: 1 }));
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
    const state = await store.load(LOOSE) as { n: number; pad: string; tail: string } | undefined;
    expect(state).toBeDefined();
    expect(state!.n).toBeGreaterThanOrEqual(acknowledged);
    expect(state!.pad.length).toBe(2_000_000);
    expect(state!.tail).toBe(`end-${state!.n}`);
    // Temporary files of the interrupted save are cleaned up by the next load.
    expect(fs.readdirSync(dir)).toEqual([path.basename(store.file)]);
  });
});

describe('checkpoint formats: one path from the store to the source', () => {
  const stanza = 'lacework_edge_audit://formats';
  /** Version 3 of a made-up state; versions 1 and 2 are still read, version 0 no longer. */
  interface Counter { version: 3; cursor_ms: number; ids: string[] }
  const schema: JSONSchemaType<Counter> = {
    type: 'object',
    properties: { version: { type: 'number', const: 3 }, cursor_ms: { type: 'number' }, ids: { type: 'array', items: { type: 'string' } } },
    required: ['version', 'cursor_ms', 'ids'],
    additionalProperties: false,
  };
  const COUNTER: CheckpointFormat<Counter> = {
    title: 'counter checkpoint',
    version: 3,
    versionKey: 'version',
    schema,
    migrations: {
      1: (old) => {
        const ms = Date.parse(String(old.cursor));
        if (Number.isNaN(ms)) throw new Error(`cursor ${JSON.stringify(old.cursor)} is not a date`);
        return { version: 2, cursor_ms: ms };
      },
      2: (old) => ({ ...old, version: 3, ids: [] }),
    },
    check: (c) => (c.cursor_ms < 0 ? `/cursor_ms is negative (${c.cursor_ms})` : undefined),
    position: (c) => c.cursor_ms,
  };
  const now = Date.parse('2026-11-21T12:00:00Z');
  const write = (state: unknown) => {
    const store = fileCheckpointStore(dir, stanza);
    fs.writeFileSync(store.file, JSON.stringify({ version: 1, stanza, saved_at: 'x', state }));
    return store;
  };

  test('older versions are brought to the current one; the current one is read as saved', async () => {
    expect(await write({ version: 1, cursor: '2026-11-21T00:00:00Z' }).load(COUNTER, now)).toEqual({ version: 3, cursor_ms: Date.parse('2026-11-21T00:00:00Z'), ids: [] });
    expect(await write({ version: 2, cursor_ms: 5 }).load(COUNTER, now)).toEqual({ version: 3, cursor_ms: 5, ids: [] });
    expect(await write({ version: 3, cursor_ms: 7, ids: ['a'] }).load(COUNTER, now)).toEqual({ version: 3, cursor_ms: 7, ids: ['a'] });
    // Up to an hour ahead of this host's clock is a vendor clock running ahead, not a fault.
    const ahead = now + CHECKPOINT_FUTURE_TOLERANCE_MS;
    expect(await write({ version: 3, cursor_ms: ahead, ids: [] }).load(COUNTER, now)).toEqual({ version: 3, cursor_ms: ahead, ids: [] });
  });

  test.each([
    ['an array', [1, 2], 'holds an array where a counter checkpoint (a JSON object) belongs'],
    ['null', null, 'holds null where a counter checkpoint (a JSON object) belongs'],
    ['a text', 'cursor', 'holds a string where a counter checkpoint (a JSON object) belongs'],
    ['another source\'s state', { v: 1, cursor: 5, seen: [] }, 'holds a state without a version number in "version", so it is not a counter checkpoint of this add-on'],
    ['a newer release\'s state', { version: 4, cursor_ms: 5, ids: [], more: 1 }, 'holds a counter checkpoint of version 4, written by a newer release of the add-on (this one reads version 3). Install that release again to go on from it.'],
    ['a retired version', { version: 0, position: 1 }, 'holds a counter checkpoint of version 0, which this release no longer reads (it reads version 3)'],
    ['an old version that cannot be migrated', { version: 1, cursor: 'soon' }, 'holds a counter checkpoint of version 1 that could not be brought to version 3 (cursor "soon" is not a date)'],
    ['a wrong type', { version: 3, cursor_ms: 5, ids: ['a', 2] }, 'is not a valid counter checkpoint (version 3): /ids/1 must be string.'],
    ['a missing field', { version: 3, ids: [] }, 'is not a valid counter checkpoint (version 3): the top level must have required property \'cursor_ms\''],
    ['an unknown field', { version: 3, cursor_ms: 5, ids: [], extra: true }, 'is not a valid counter checkpoint (version 3): the top level must NOT have additional properties ("extra")'],
    ['a failed check', { version: 3, cursor_ms: -5, ids: [] }, 'is not a valid counter checkpoint (version 3): /cursor_ms is negative (-5)'],
    ['a position in the future', { version: 3, cursor_ms: now + CHECKPOINT_FUTURE_TOLERANCE_MS + 1, ids: [] }, `is at ${new Date(now + CHECKPOINT_FUTURE_TOLERANCE_MS + 1).toISOString()}, later than now (2026-11-21T12:00:00.000Z) by more than an hour. If the host clock jumped back, fix it and the input resumes from there.`],
  ])('%s is refused naming the stanza, the file, what is wrong and how to start over; the file stays', async (_what, state, why) => {
    const store = write(state);
    const before = fs.readFileSync(store.file, 'utf8');
    const e = await rejection(store.load(COUNTER, now));
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e.message).toContain(`${stanza}: the checkpoint ${store.file} ${why}`);
    expect(e.message).toContain('The input stopped so that it neither collects everything again nor skips events.');
    expect(e.message).toContain(`To start over as on its first run, move ${store.file} aside (for example rename it to ${path.basename(store.file)}.bad); or restore the checkpoint from a backup.`);
    expect(fs.readFileSync(store.file, 'utf8')).toBe(before);
  });

  test('a save checks the state first: one its own format refuses is not written, and the last good one stays', async () => {
    const store = fileCheckpointStore(dir, stanza);
    await store.save(COUNTER, { version: 3, cursor_ms: 5, ids: ['a'] });
    const good = fs.readFileSync(store.file, 'utf8');
    await expect(store.save(COUNTER, { version: 3, cursor_ms: 6, ids: [7] } as never)).rejects.toThrow(
      `${stanza}: the input produced a counter checkpoint that its own schema refuses (/ids/0 must be string). It was not saved`);
    await expect(store.save(COUNTER, { version: 2, cursor_ms: 6 } as never)).rejects.toThrow('its own schema refuses ("version" is not 3)');
    await expect(store.save(COUNTER, { version: 3, cursor_ms: -1, ids: [] })).rejects.toThrow('(/cursor_ms is negative (-1))');
    expect(fs.readFileSync(store.file, 'utf8')).toBe(good);
    expect(await store.load(COUNTER, now)).toEqual({ version: 3, cursor_ms: 5, ids: ['a'] });
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
    expect(await store.load(LOOSE)).toBeUndefined();
    await store.save(LOOSE, { v: 1, cursor: 1, ids: { 'a.b': true, $x: 1 } });
    await store.save(LOOSE, { v: 1, cursor: 2, ids: { 'a.b': true, $x: 1 } });
    expect(await store.load(LOOSE)).toEqual({ v: 1, cursor: 2, ids: { 'a.b': true, $x: 1 } });
    const records = [...splunkd.kv(KV_COLLECTION).values()];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ _key: checkpointKey(stanza), version: 1, stanza, state: JSON.stringify({ v: 1, cursor: 2, ids: { 'a.b': true, $x: 1 } }) });
    expect(splunkd.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404', 'POST 404', 'POST 201', 'POST 200', 'GET 200']);
    expect(splunkd.requests.every((r) => r.path.startsWith(`/servicesNS/nobody/${splunkd.app}/storage/collections/data/${KV_COLLECTION}`))).toBe(true);
  });

  test('a corrupt record is a clear error, not a first run', async () => {
    splunkd.kv(KV_COLLECTION).set(checkpointKey(stanza), { _key: checkpointKey(stanza), version: 1, stanza, saved_at: 'x', state: '{broken' });
    const e = await rejection(open().load(LOOSE));
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e.message).toContain(`KV store record ${KV_COLLECTION}/${checkpointKey(stanza)}`);
    expect(e.message).toContain('To start over as on its first run');
  });

  test('a record whose state the format refuses is refused the same way as a file, and a save checks too', async () => {
    const store = open();
    await store.save(LOOSE, { v: 1, n: 1 });
    const strict: CheckpointFormat<{ v: 1; n: number }> = {
      title: 'counter checkpoint', version: 1, versionKey: 'v',
      schema: { type: 'object', properties: { v: { type: 'number', const: 1 }, n: { type: 'number' } }, required: ['v', 'n'], additionalProperties: false },
    };
    expect(await store.load(strict)).toEqual({ v: 1, n: 1 });
    await store.save(LOOSE, { v: 1, n: 'one' });
    const e = await rejection(store.load(strict));
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    expect(e.message).toContain(`${stanza}: the checkpoint KV store record ${KV_COLLECTION}/${checkpointKey(stanza)} of app ${splunkd.app} is not a valid counter checkpoint (version 1): /n must be number.`);
    expect(e.message).toContain(`delete that record`);
    const before = splunkd.requests.length;
    await expect(store.save(strict, { v: 1, n: 'two' } as never)).rejects.toThrow(/produced a counter checkpoint that its own schema refuses \(\/n must be number\)/);
    expect(splunkd.requests.length).toBe(before);
  });

  test('a missing collection names collections.conf; a bad session key is an AuthError without the key', async () => {
    const e = await rejection(open(splunkd.sessionKey, 'nope').save(LOOSE, { v: 1, a: 1 }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('collection nope does not exist');
    const bad = await rejection(open('wrong-session-key-123').load(LOOSE));
    expect(bad).toBeInstanceOf(AuthError);
    expect(bad.message).not.toContain('wrong-session-key-123');
  });
});
