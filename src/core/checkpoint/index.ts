/**
 * Per-stanza checkpoints. The state is wrapped in a versioned envelope
 *   {"version":1,"stanza":"<scheme>://<name>","saved_at":"<ISO time>","state":<the source's state>}
 * so a file from another stanza or another format is recognised rather than misread. The state
 * itself is read and written only through its source's CheckpointFormat (./format.ts: the schema,
 * version and migrations a vendor declares in its folder): `load(format, now)` and
 * `save(format, state)` on either store.
 *
 * A checkpoint that cannot be read is never treated as "no checkpoint": that would silently
 * re-collect everything since start_date (duplicates) or, for sources that start at "now",
 * skip everything in between. The admin decides, told exactly which file and what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthError, ConfigError, TransientError, isTaError } from '../errors';
import { fsp, type FileHandle } from '../fs-async';
import { splunkdHttpClient } from '../http';
import type { CheckpointStore, HttpClient, RunLease } from '../types';
import { assertSavable, decodeState, type CheckpointFormat } from './format';

export { CHECKPOINT_FUTURE_TOLERANCE_MS, decodeState, type CheckpointFormat } from './format';

export const CHECKPOINT_VERSION = 1;
export const KV_COLLECTION = 'ta_zerotrust_events_checkpoints';

export interface CheckpointEnvelope<S = unknown> {
  version: number;
  stanza: string;
  saved_at: string;
  state: S;
}

/** A checkpoint exists but cannot be used. Never caught and replaced by a fresh start. */
export class CheckpointCorruptError extends ConfigError {
  constructor(readonly location: string, stanza: string, why: string, howToStartOver: string) {
    super(
      `${stanza}: the checkpoint ${location} ${why}. The input stopped so that it neither collects everything ` +
      `again nor skips events. To start over as on its first run, ${howToStartOver}; or restore the checkpoint from a backup.`,
    );
  }
}

/** The envelope's state through the source's format: current version, valid, or refused. */
function stateOf<S>(raw: unknown, format: CheckpointFormat<S>, now: number, refuse: (why: string) => Error): S {
  const decoded = decodeState(raw, format, now);
  if ('problem' in decoded) throw refuse(decoded.problem);
  return decoded.state;
}

/**
 * A file-system-safe, collision-free name for a stanza: readable prefix plus a hash of the
 * exact stanza, so `a/b` and `a_b` never share a checkpoint.
 */
export function checkpointKey(stanza: string): string {
  const sep = stanza.indexOf('://');
  const scheme = sep >= 0 ? stanza.slice(0, sep) : 'stanza';
  const name = sep >= 0 ? stanza.slice(sep + 3) : stanza;
  const clean = (s: string, max: number) => s.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, max);
  const hash = createHash('sha1').update(stanza, 'utf8').digest('hex').slice(0, 12);
  return `${clean(scheme, 64)}__${clean(name, 80)}__${hash}`;
}

function envelope<S>(stanza: string, state: S): CheckpointEnvelope<S> {
  return { version: CHECKPOINT_VERSION, stanza, saved_at: new Date().toISOString(), state };
}

/** Checks a parsed envelope; returns the reason it is unusable, or undefined. */
function envelopeProblem(doc: unknown, stanza: string): string | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'is not a JSON object';
  const d = doc as Partial<CheckpointEnvelope>;
  if (d.version !== CHECKPOINT_VERSION) {
    return `has format version ${JSON.stringify(d.version) ?? 'none'}, and this add-on reads version ${CHECKPOINT_VERSION}`;
  }
  if (d.stanza !== stanza) return `belongs to the stanza ${JSON.stringify(d.stanza)}, not this one`;
  if (!('state' in d)) return 'has no "state"';
  return undefined;
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    // Some platforms (Windows) and file systems cannot fsync a directory; the rename is still atomic.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await fh?.close();
  }
}

function fsProblem(e: unknown, file: string, action: string): ConfigError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  const hint = code === 'EACCES' || code === 'EPERM' ? ' Make it readable and writable by the user Splunk runs as.'
    : code === 'ENOSPC' ? ' The disk is full.' : '';
  return new ConfigError(`Cannot ${action} the checkpoint ${file} (${code}).${hint}`);
}

/**
 * One file per stanza in `dir`: `<scheme>__<name>__<sha1-12>.json`. Saves are atomic: the new
 * content goes to a temporary file in the same directory, is fsynced, renamed over the old file,
 * and the directory is fsynced, so a crash leaves either the old or the new checkpoint.
 */
/** Who holds a lock or lease, for the message of the run that skipped. */
interface Holder { owner: string; host: string; pid: number; expires_at: number }

function me(): Omit<Holder, 'expires_at'> {
  return { owner: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, host: os.hostname(), pid: process.pid };
}

function describeHolder(h: Partial<Holder>): string {
  const until = typeof h.expires_at === 'number' ? ` until ${new Date(h.expires_at).toISOString()} unless renewed` : '';
  return `process ${h.pid ?? '?'} on ${h.host ?? '?'}${until}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock of a file checkpoint: `<key>.lock`, created exclusively, holding its owner and an
 * expiry that the run renews. A lock whose process is gone (same host) or whose expiry passed
 * (a hung or killed run) is taken over, so a crash never blocks the input for good.
 */
async function fileLock(lockFile: string, ttlMs: number): Promise<RunLease | { held: false; holder: string }> {
  const self = me();
  const write = (flag: string) => fsp.writeFile(lockFile, JSON.stringify({ ...self, expires_at: Date.now() + ttlMs }), { flag, mode: 0o600 });
  for (let round = 0; round < 3; round++) {
    try {
      await write('wx');
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        // Created but not written (a full disk): an empty lock left behind would block the
        // runs after the disk is freed.
        await fsp.rm(lockFile, { force: true }).catch(() => undefined);
        throw fsProblem(e, lockFile, 'create the lock of');
      }
    }
    let h: Partial<Holder> = {};
    try {
      h = JSON.parse(await fsp.readFile(lockFile, 'utf8')) as Partial<Holder>;
    } catch {
      // Half-written by a run killed at that instant (writing takes microseconds): stale once
      // it is a few seconds old.
      const st = await fsp.stat(lockFile).catch(() => undefined);
      h = { expires_at: (st?.mtimeMs ?? 0) + 5_000 };
    }
    const stale = (typeof h.expires_at === 'number' && h.expires_at < Date.now())
      || (h.host === self.host && typeof h.pid === 'number' && !alive(h.pid));
    if (!stale) return { held: false, holder: describeHolder(h) };
    // Renaming away first means two runs that both saw it stale cannot both delete a fresh lock.
    const aside = `${lockFile}.stale-${self.pid}-${randomBytes(3).toString('hex')}`;
    await fsp.rename(lockFile, aside).then(() => fsp.rm(aside, { force: true })).catch(() => undefined);
    if (round === 2) return { held: false, holder: describeHolder(h) };
  }
  const ours = async () => {
    try {
      return (JSON.parse(await fsp.readFile(lockFile, 'utf8')) as Holder).owner === self.owner;
    } catch {
      return false;
    }
  };
  return {
    held: true,
    async renew() {
      if (!(await ours())) return false;
      await write('w');
      return true;
    },
    async release() {
      if (await ours()) await fsp.rm(lockFile, { force: true }).catch(() => undefined);
    },
  };
}

export function fileCheckpointStore(dir: string, stanza: string): CheckpointStore & { file: string } {
  const base = checkpointKey(stanza);
  const file = path.join(dir, `${base}.json`);
  const tmpPrefix = `.${base}.json.tmp-`;
  return {
    file,
    async acquire(ttlMs: number) {
      await fsp.mkdir(dir, { recursive: true }).catch(() => undefined);
      return fileLock(path.join(dir, `${base}.lock`), ttlMs);
    },
    async load<S>(format: CheckpointFormat<S>, now = Date.now()): Promise<S | undefined> {
      let text: string;
      try {
        text = await fsp.readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw fsProblem(e, file, 'read');
      }
      // Leftovers of a save interrupted before its rename; the file above is the valid state.
      for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
        if (f.startsWith(tmpPrefix)) await fsp.rm(path.join(dir, f), { force: true }).catch(() => undefined);
      }
      const moveAside = `move ${file} aside (for example rename it to ${path.basename(file)}.bad)`;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw new CheckpointCorruptError(file, stanza, text.trim() === '' ? 'is empty' : 'is not valid JSON', moveAside);
      }
      const problem = envelopeProblem(doc, stanza);
      if (problem) throw new CheckpointCorruptError(file, stanza, problem, moveAside);
      return stateOf((doc as CheckpointEnvelope).state, format, now, (why) => new CheckpointCorruptError(file, stanza, why, moveAside));
    },
    async save<S>(format: CheckpointFormat<S>, state: S): Promise<void> {
      assertSavable(stanza, format, state);
      const body = `${JSON.stringify(envelope(stanza, state))}\n`;
      const tmp = path.join(dir, `${tmpPrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await fsp.mkdir(dir, { recursive: true });
        const fh = await fsp.open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(body, 'utf8');
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fsp.rename(tmp, file);
        await fsyncDir(dir);
      } catch (e) {
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
        throw fsProblem(e, file, 'write');
      }
    },
  };
}

export interface KvCheckpointOptions {
  /** splunkd management URI from the input's stdin, e.g. https://127.0.0.1:8089. */
  serverUri: string;
  sessionKey: string;
  app: string;
  collection?: string;
  stanza: string;
  /** For tests and the stand-in; defaults to a client that trusts splunkd's management port. */
  http?: HttpClient;
  /** Wait between writing the lease and reading it back (ms; default 500). */
  leaseSettleMs?: number;
}

/**
 * The KV store record. collections.conf for the collection:
 *   field.version = number, field.stanza = string, field.saved_at = string, field.state = string
 * `state` is the source's state as JSON text, because KV store (MongoDB) rejects field names
 * with `.` or `$`, which the ids of a dedup set may well contain.
 */
interface KvRecord {
  _key?: string;
  version: number;
  stanza: string;
  saved_at: string;
  state: string;
}

async function splunkdMessage(res: { text(): Promise<string> }): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { messages?: { text?: string }[] };
    const m = doc.messages?.map((x) => x.text).filter(Boolean).join('; ');
    if (m) return m.slice(0, 200);
  } catch {
    // Not JSON: fall through to the raw excerpt.
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * The checkpoint in the app's KV store collection, one record per stanza with
 * `_key = checkpointKey(stanza)`. Useful when an input may move between heavy forwarders
 * sharing a search-head cluster's KV store.
 */
export function kvCheckpointStore(opts: KvCheckpointOptions): CheckpointStore {
  const collection = opts.collection ?? KV_COLLECTION;
  const key = checkpointKey(opts.stanza);
  const http = opts.http ?? splunkdHttpClient(opts.serverUri, opts.sessionKey);
  const base = `/servicesNS/nobody/${encodeURIComponent(opts.app)}/storage/collections/data/${encodeURIComponent(collection)}`;
  const location = `KV store record ${collection}/${key} of app ${opts.app}`;
  const headers = { Authorization: `Splunk ${opts.sessionKey}`, 'Content-Type': 'application/json' };

  const fail = async (res: { status: number; text(): Promise<string> }, action: string) => {
    const msg = await splunkdMessage(res);
    if (res.status === 401 || res.status === 403) {
      return new AuthError(`${opts.stanza}: splunkd refused to ${action} the ${location} (${res.status}: ${msg}). The session key from splunkd was not accepted or lacks the capability for KV store.`);
    }
    return new TransientError(`${opts.stanza}: cannot ${action} the ${location}: splunkd answered ${res.status} (${msg}).`, res.status);
  };

  async function collectionMissing(): Promise<boolean> {
    const res = await http.request({
      url: `/servicesNS/nobody/${encodeURIComponent(opts.app)}/storage/collections/config/${encodeURIComponent(collection)}`,
      query: { output_mode: 'json' }, headers,
    });
    await res.dump();
    return res.status === 404;
  }

  const leaseKey = `${key}.lease`;
  const leaseUrl = `${base}/${encodeURIComponent(leaseKey)}`;
  async function readLease(): Promise<Holder | undefined> {
    const res = await http.request({ url: leaseUrl, query: { output_mode: 'json' }, headers });
    if (res.status === 404) {
      await res.dump();
      return undefined;
    }
    if (res.status !== 200) throw await fail(res, 'read the lease of');
    try {
      const rec = await res.json<KvRecord>();
      return JSON.parse(rec.state) as Holder;
    } catch {
      // A damaged lease protects nothing: treat as free.
      return undefined;
    }
  }
  async function writeLease(h: Holder, exists: boolean): Promise<void> {
    const record = { ...envelope(opts.stanza, h), state: JSON.stringify(h) };
    const res = exists
      ? await http.request({ method: 'POST', url: leaseUrl, query: { output_mode: 'json' }, headers, body: JSON.stringify(record) })
      : await http.request({ method: 'POST', url: base, query: { output_mode: 'json' }, headers, body: JSON.stringify({ ...record, _key: leaseKey }) });
    if (res.status === 409) {
      await res.dump();
      throw new TransientError(`${opts.stanza}: another forwarder took the lease at the same moment.`, 409);
    }
    if (res.status !== 200 && res.status !== 201) throw await fail(res, 'write the lease of');
    await res.dump();
  }
  const settleMs = opts.leaseSettleMs ?? 500;

  return {
    /**
     * Active/passive over a shared KV store: a lease record beside the checkpoint, with an
     * expiry the active run renews. The KV store has no compare-and-set, so a taker writes,
     * waits a moment and reads back: of two forwarders that raced, the last writer wins and the
     * other one sees it and stands down before collecting anything.
     */
    async acquire(ttlMs: number) {
      const self = me();
      const current = await readLease();
      if (current && current.expires_at > Date.now() && current.owner !== self.owner) {
        return { held: false as const, holder: describeHolder(current) };
      }
      try {
        await writeLease({ ...self, expires_at: Date.now() + ttlMs }, current !== undefined);
      } catch (e) {
        if (e instanceof TransientError && e.status === 409) return { held: false as const, holder: 'another forwarder (it took the lease at the same moment)' };
        throw e;
      }
      await new Promise((r) => setTimeout(r, settleMs));
      const after = await readLease();
      if (after?.owner !== self.owner) return { held: false as const, holder: describeHolder(after ?? {}) };
      return {
        held: true as const,
        async renew() {
          const now = await readLease();
          if (now?.owner !== self.owner) return false;
          await writeLease({ ...self, expires_at: Date.now() + ttlMs }, true);
          return true;
        },
        async release() {
          const now = await readLease().catch(() => undefined);
          if (now?.owner !== self.owner) return;
          const res = await http.request({ method: 'DELETE', url: leaseUrl, query: { output_mode: 'json' }, headers }).catch(() => undefined);
          await res?.dump();
        },
      };
    },
    async load<S>(format: CheckpointFormat<S>, now = Date.now()): Promise<S | undefined> {
      const res = await http.request({ url: `${base}/${encodeURIComponent(key)}`, query: { output_mode: 'json' }, headers });
      if (res.status === 404) {
        await res.dump();
        return undefined;
      }
      if (res.status !== 200) throw await fail(res, 'read');
      const moveAside = `delete that record (| inputlookup or the REST endpoint ${base}/${key})`;
      let doc: unknown;
      try {
        doc = await res.json();
      } catch {
        throw new CheckpointCorruptError(location, opts.stanza, 'is not valid JSON', moveAside);
      }
      const problem = envelopeProblem(doc, opts.stanza);
      if (problem) throw new CheckpointCorruptError(location, opts.stanza, problem, moveAside);
      const raw = (doc as KvRecord).state;
      if (typeof raw !== 'string') throw new CheckpointCorruptError(location, opts.stanza, 'has a "state" that is not JSON text', moveAside);
      let state: unknown;
      try {
        state = JSON.parse(raw);
      } catch {
        throw new CheckpointCorruptError(location, opts.stanza, 'has a "state" that is not valid JSON', moveAside);
      }
      return stateOf(state, format, now, (why) => new CheckpointCorruptError(location, opts.stanza, why, moveAside));
    },
    async save<S>(format: CheckpointFormat<S>, state: S): Promise<void> {
      assertSavable(opts.stanza, format, state);
      const env = envelope(opts.stanza, state);
      const record: KvRecord = { ...env, state: JSON.stringify(state) };
      const body = JSON.stringify(record);
      // Update the record by key; splunkd answers 404 when it does not exist yet: insert it.
      for (let round = 0; round < 2; round++) {
        const upd = await http.request({ method: 'POST', url: `${base}/${encodeURIComponent(key)}`, query: { output_mode: 'json' }, headers, body });
        if (upd.status === 200 || upd.status === 201) {
          await upd.dump();
          return;
        }
        if (upd.status !== 404) throw await fail(upd, 'save');
        await upd.dump();
        const ins = await http.request({ method: 'POST', url: base, query: { output_mode: 'json' }, headers, body: JSON.stringify({ ...record, _key: key }) });
        if (ins.status === 200 || ins.status === 201) {
          await ins.dump();
          return;
        }
        // Another writer inserted it between our two calls: update again.
        if (ins.status === 409) {
          await ins.dump();
          continue;
        }
        if (ins.status === 404 && await collectionMissing().catch((e) => { if (isTaError(e)) throw e; return false; })) {
          await ins.dump();
          throw new ConfigError(
            `${opts.stanza}: the KV store collection ${collection} does not exist in app ${opts.app}. ` +
            'It is defined in the add-on\'s default/collections.conf: reinstall the add-on, or set [checkpoint] store = file in ta_zerotrust_events_settings.conf.');
        }
        throw await fail(ins, 'save');
      }
      throw new TransientError(`${opts.stanza}: cannot save the ${location}: it kept changing under concurrent writers.`);
    },
  };
}
