/**
 * runStanza with the real sink, checkpoint store, logger, HTTP client and secret store. The only
 * stand-ins are the outside world: a tiny Source defined here (a vendor), a Writable playing
 * splunkd's end of stdout, and the loopback splunkd of test/support.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { commonConnectionArgs, httpsUrlCheck, MASK, type InputDescription, type TypedConfig } from '../../src/core/description';
import { ConfigError, TransientError } from '../../src/core/errors';
import { fileCheckpointStore, type CheckpointFormat } from '../../src/core/checkpoint';
import { createHttpClient } from '../../src/core/http';
import { closeLoggers, createLogger } from '../../src/core/log';
import { runStanza, validateStanza, type RunEnv, type StanzaParams } from '../../src/core/runtime';
import { splunkdConfMasker, splunkdSecretStore } from '../../src/core/secrets';
import { XmlStreamSink } from '../../src/core/sinks';
import { HecSink } from '../../src/core/sinks/hec';
import { startHecStandIn } from '../support/hec';
import type { Batch, Source, SourceContext } from '../../src/core/types';
import { Collect } from '../support/collect';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { parseXml } from '../protocol/xml-tree';

const STANZA = 'test_feed://a';

const description: InputDescription = {
  scheme: 'test_feed',
  title: 'Test feed',
  description: 'A vendor of the tests.',
  sourcetype: 'test:feed',
  defaultInterval: 60,
  args: [
    { name: 'url', title: 'Feed URL', type: 'string', required: true, description: 'Where the feed is.', check: httpsUrlCheck },
    { name: 'token', title: 'Feed token', type: 'string', required: true, secret: true, description: 'The token.' },
    ...commonConnectionArgs(),
  ],
};

interface FeedState { v: 1; n: number }
const FEED: CheckpointFormat<FeedState> = {
  title: 'test feed checkpoint', version: 1, versionKey: 'v',
  schema: { type: 'object', properties: { v: { const: 1 }, n: { type: 'integer', minimum: 0 } }, required: ['v', 'n'], additionalProperties: false },
};

type Script = (config: TypedConfig, ctx: SourceContext) => AsyncIterable<Batch<FeedState>>;

function testSource(script: Script, validate?: Source['validate']): Source & { calls: number } {
  const s = {
    description,
    checkpoint: FEED,
    calls: 0,
    validate: validate ?? (async () => undefined),
    collect(config: TypedConfig, ctx: SourceContext) {
      s.calls += 1;
      return script(config, ctx);
    },
  };
  return s;
}

/** splunkd's end of the stdout pipe: keeps what it was handed, optionally slowly or failing. */
class Pipe extends Writable {
  received = '';
  writes = 0;
  constructor(private readonly opts: { delayMs?: number; failOnWrite?: number } = {}) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writes += 1;
    if (this.opts.failOnWrite === this.writes) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      return;
    }
    setTimeout(() => {
      this.received += chunk.toString();
      cb();
    }, this.opts.delayMs ?? 0);
  }
}

let tmp: string;
let stderr: Collect;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-runtime-'));
  stderr = new Collect();
});

afterEach(async () => {
  await closeLoggers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function env(pipe: Pipe, extra: Partial<RunEnv> = {}): RunEnv & { sink: XmlStreamSink } {
  return {
    sink: new XmlStreamSink(pipe),
    checkpoint: fileCheckpointStore(path.join(tmp, 'checkpoints'), STANZA),
    log: createLogger({ input: 'test_feed', stanza: STANZA, logDir: path.join(tmp, 'log'), stderr }),
    makeHttp: createHttpClient,
    signal: new AbortController().signal,
    stateDir: path.join(tmp, 'state'),
    ...extra,
  } as RunEnv & { sink: XmlStreamSink };
}

async function logFile(): Promise<string> {
  await closeLoggers();
  return fs.readFileSync(path.join(tmp, 'log', 'ta_zerotrust_events_test_feed.log'), 'utf8');
}

function events(xml: string): Record<string, string | undefined>[] {
  return parseXml(xml).children.map((e) => ({
    stanza: e.attributes.stanza,
    ...Object.fromEntries(e.children.filter((c) => c.name !== 'done').map((c) => [c.name, c.text])),
  }));
}

const PARAMS: StanzaParams = { url: 'https://feed.example.com', token: 'tok-123456', index: 'main', host: 'collector-1', interval: '60', disabled: '0' };

test('batches are delivered in order, with defaults, and each checkpoint moves only after its events reached the pipe', async () => {
  const pipe = new Pipe({ delayMs: 5 });
  const e = env(pipe);
  const seen: { checkpoint: unknown; delivered: string }[] = [];
  let committedWith: unknown;
  const source = testSource(async function* (config, ctx) {
    expect(config).toMatchObject({ url: 'https://feed.example.com', token: 'tok-123456', verify_tls: true, timeout: 60 });
    expect(ctx.name).toBe('a');
    expect(fs.statSync(ctx.stateDir).isDirectory()).toBe(true);
    yield { events: [{ data: 'one', time: 1700000000.5 }, { data: 'two', sourcetype: 'test:other', host: 'pce-7' }], checkpoint: { v: 1, n: 1 } };
    seen.push({ checkpoint: await ctx.checkpoint.load(FEED), delivered: pipe.received });
    // Time moves forward with nothing to send.
    yield { events: [], checkpoint: { v: 1, n: 2 } };
    seen.push({ checkpoint: await ctx.checkpoint.load(FEED), delivered: pipe.received });
    // More of the same window: no checkpoint yet.
    yield { events: [{ data: 'three' }] };
    seen.push({ checkpoint: await ctx.checkpoint.load(FEED), delivered: pipe.received });
    yield {
      events: [{ data: 'four', source: 'custom', index: 'other' }],
      checkpoint: { v: 1, n: 4 },
      committed: async () => {
        committedWith = await ctx.checkpoint.load(FEED);
      },
    };
  });

  const summary = await runStanza(source, STANZA, PARAMS, e);
  await e.sink.close();

  expect(summary).toMatchObject({ stanza: STANZA, events: 4, batches: 4, errors: 0, status: 'ok', interrupted: false });
  expect(seen[0]).toEqual({ checkpoint: { v: 1, n: 1 }, delivered: expect.stringContaining('<data>two</data>') });
  expect(seen[1].checkpoint).toEqual({ v: 1, n: 2 });
  expect(seen[2].checkpoint).toEqual({ v: 1, n: 2 });
  expect(seen[2].delivered).toContain('<data>three</data>');
  expect(committedWith).toEqual({ v: 1, n: 4 });
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 4 });

  expect(events(pipe.received)).toEqual([
    { stanza: STANZA, time: '1700000000.500', source: STANZA, sourcetype: 'test:feed', index: 'main', host: 'collector-1', data: 'one' },
    { stanza: STANZA, source: STANZA, sourcetype: 'test:other', index: 'main', host: 'pce-7', data: 'two' },
    { stanza: STANZA, source: STANZA, sourcetype: 'test:feed', index: 'main', host: 'collector-1', data: 'three' },
    { stanza: STANZA, source: 'custom', sourcetype: 'test:feed', index: 'other', host: 'collector-1', data: 'four' },
  ]);
  expect(await logFile()).toMatch(/INFO .*run_summary stanza=test_feed:\/\/a events=4 batches=4 errors=0 duration_ms=\d+ status=ok newest_event_time=1700000000\.500/);
});

describe('with a sink that confirms late (HEC indexer acknowledgement)', () => {
  function hecEnv(url: string, token: string): RunEnv & { sink: HecSink } {
    const sink = new HecSink({ endpoints: [url], token, ackPollMs: 5, batchEvents: 2, gzip: false });
    return { ...env(new Pipe()), sink } as RunEnv & { sink: HecSink };
  }

  test('collection goes on while acks are outstanding; each checkpoint is saved only after its events were acknowledged, in order', async () => {
    const h = await startHecStandIn({ faults: Array.from({ length: 3 }, () => ({ kind: 'held-ack' as const })) });
    const e = hecEnv(h.url, h.token);
    const saved: unknown[] = [];
    const save = e.checkpoint.save.bind(e.checkpoint);
    e.checkpoint.save = async (format, st) => { saved.push(st); await save(format, st); };
    let atThird: unknown[] | undefined;
    const source = testSource(async function* () {
      yield { events: [{ data: 'a1' }, { data: 'a2' }], checkpoint: { v: 1, n: 1 } };
      yield { events: [{ data: 'b1' }, { data: 'b2' }], checkpoint: { v: 1, n: 2 } };
      // Both earlier batches are with the indexer, unacknowledged: no checkpoint may have moved,
      // and the runtime asked for this batch anyway.
      atThird = [...saved];
      yield { events: [{ data: 'c1' }, { data: 'c2' }], checkpoint: { v: 1, n: 3 } };
    });
    const release = setInterval(() => { if (h.stored.length === 3) h.releaseAcks(); }, 5);
    try {
      const summary = await runStanza(source, STANZA, PARAMS, e);
      expect(summary).toMatchObject({ status: 'ok', events: 6, batches: 3 });
    } finally {
      clearInterval(release);
      await e.sink.close();
      await h.close();
    }
    expect(atThird).toEqual([]);
    expect(saved).toEqual([{ v: 1, n: 1 }, { v: 1, n: 2 }, { v: 1, n: 3 }]);
    expect(h.events().map((r) => r.event)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
  });

  test('a batch the receiver refused: the run fails and no later checkpoint is saved', async () => {
    const h = await startHecStandIn({ faults: [{ kind: 'status', status: 403 }] });
    const e = hecEnv(h.url, h.token);
    const source = testSource(async function* () {
      yield { events: [{ data: 'a1' }, { data: 'a2' }], checkpoint: { v: 1, n: 1 } };
      yield { events: [{ data: 'b1' }, { data: 'b2' }], checkpoint: { v: 1, n: 2 } };
      yield { events: [{ data: 'c1' }, { data: 'c2' }], checkpoint: { v: 1, n: 3 } };
    });
    try {
      const summary = await runStanza(source, STANZA, PARAMS, e);
      expect(summary.status).toBe('failed');
    } finally {
      await e.sink.close().catch(() => undefined);
      await h.close();
    }
    expect(await e.checkpoint.load(FEED)).toBeUndefined();
  });
});

test('without stanza index/host, the caller\'s defaults apply (HEC, demo)', async () => {
  const pipe = new Pipe();
  const e = env(pipe, { defaults: { index: 'zt', host: 'hec-host', source: 'collector' } });
  const source = testSource(async function* () {
    yield { events: [{ data: 'x' }] };
  });
  await runStanza(source, STANZA, { url: PARAMS.url, token: PARAMS.token }, e);
  await e.sink.close();
  expect(events(pipe.received)).toEqual([{ stanza: STANZA, source: 'collector', sourcetype: 'test:feed', index: 'zt', host: 'hec-host', data: 'x' }]);
});

test('when the pipe fails, the checkpoint stays at the last delivered batch and the run fails', async () => {
  const pipe = new Pipe({ failOnWrite: 2 });
  const e = env(pipe);
  let committed = 0;
  const source = testSource(async function* () {
    yield { events: [{ data: 'a' }], checkpoint: { v: 1, n: 1 }, committed: async () => { committed += 1; } };
    yield { events: [{ data: 'b' }], checkpoint: { v: 1, n: 2 }, committed: async () => { committed += 1; } };
    yield { events: [{ data: 'c' }], checkpoint: { v: 1, n: 3 } };
  });
  const summary = await runStanza(source, STANZA, PARAMS, e);
  expect(summary).toMatchObject({ status: 'failed', events: 1, batches: 1, errorKind: 'transient' });
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 1 });
  expect(committed).toBe(1);
  // Said as what happened (splunkd stopped reading), not as a defect of the add-on.
  expect(stderr.text).toMatch(/^ERROR .*splunkd stopped reading this input's events \(EPIPE/m);
  expect(stderr.text).not.toMatch(/unexpected error/);
});

test('states reach the store only through the format the source declares', async () => {
  // A state the source's own schema refuses is a defect: not written, the run stops, the last
  // good checkpoint stays (its events may come again; none is skipped).
  const pipe = new Pipe();
  const e = env(pipe);
  const broken = testSource(async function* () {
    yield { events: [{ data: 'a' }], checkpoint: { v: 1, n: 1 } };
    yield { events: [{ data: 'b' }], checkpoint: { v: 1, n: -2 } };
    yield { events: [{ data: 'c' }], checkpoint: { v: 1, n: 3 } };
  });
  const summary = await runStanza(broken, STANZA, PARAMS, e);
  await e.sink.close();
  expect(summary).toMatchObject({ status: 'failed', events: 1, batches: 1 });
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 1 });
  expect(stderr.text).toContain(`${STANZA}: the input produced a test feed checkpoint that its own schema refuses (/n must be >= 0). It was not saved`);
  expect(events(pipe.received).map((x) => x.data)).toEqual(['a', 'b']);

  // A source that yields a checkpoint must say how it is read back.
  const undeclared: Source = { ...testSource(async function* () { yield { events: [{ data: 'd' }], checkpoint: { v: 1, n: 9 } }; }), checkpoint: undefined };
  const second = await runStanza(undeclared, STANZA, PARAMS, env(new Pipe()));
  expect(second).toMatchObject({ status: 'failed', events: 0 });
  expect(stderr.text).toContain(`${STANZA}: the input yielded a checkpoint but declares no checkpoint format (Source.checkpoint); nothing was saved.`);
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 1 });
});

test('a configuration error names the field, collects nothing and fails the run', async () => {
  const pipe = new Pipe();
  const e = env(pipe);
  const source = testSource(async function* () {
    yield { events: [{ data: 'never' }] };
  });
  const summary = await runStanza(source, STANZA, { ...PARAMS, url: 'ftp://x' }, e);
  await e.sink.close();
  expect(summary).toMatchObject({ status: 'failed', errorKind: 'config', events: 0, errors: 1 });
  expect(source.calls).toBe(0);
  expect(pipe.received).toBe('');
  expect(stderr.text).toMatch(/^ERROR test_feed:\/\/a: "url" must start with https:\/\//m);
  expect(await logFile()).toMatch(/run_summary .*status=failed error_kind=config/);
});

test('a transient error ends the run after the delivered batches, checkpoint kept there', async () => {
  const pipe = new Pipe();
  const e = env(pipe);
  const source = testSource(async function* () {
    yield { events: [{ data: 'a' }], checkpoint: { v: 1, n: 1 } };
    yield { events: [{ data: 'b' }], checkpoint: { v: 1, n: 2 } };
    throw new TransientError('test_feed://a: the feed answered 503 five times.', 503);
  });
  const summary = await runStanza(source, STANZA, PARAMS, e);
  await e.sink.close();
  expect(summary).toMatchObject({ status: 'failed', errorKind: 'transient', events: 2, batches: 2 });
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 2 });
  expect(events(pipe.received).map((x) => x.data)).toEqual(['a', 'b']);
  expect(stderr.text).toMatch(/^ERROR test_feed:\/\/a: the feed answered 503 five times\. The run stopped after 2 events in 2 batches; .*resumes/m);
});

test('an unexpected error: message on stderr, stack only in the log file', async () => {
  const pipe = new Pipe();
  const e = env(pipe);
  const source = testSource(async function* () {
    yield { events: [{ data: 'a' }], checkpoint: { v: 1, n: 1 } };
    throw new TypeError('boom in the vendor code');
  });
  const summary = await runStanza(source, STANZA, PARAMS, e);
  expect(summary).toMatchObject({ status: 'failed', errorKind: 'unknown' });
  expect(stderr.text).toMatch(/^ERROR test_feed:\/\/a: unexpected error: boom in the vendor code\./m);
  expect(stderr.text).not.toMatch(/\bat .*run-stanza\.test\.ts/);
  const file = await logFile();
  expect(file).toMatch(/stack of the unexpected error: TypeError: boom in the vendor code\\n\s+at /);
});

test('abort (SIGTERM): the batch in hand is delivered and checkpointed, nothing more is asked for', async () => {
  const pipe = new Pipe({ delayMs: 5 });
  const ctrl = new AbortController();
  const e = env(pipe, { signal: ctrl.signal });
  let askedForThird = false;
  const source = testSource(async function* () {
    yield { events: [{ data: 'a' }], checkpoint: { v: 1, n: 1 } };
    ctrl.abort();
    yield { events: [{ data: 'b' }], checkpoint: { v: 1, n: 2 } };
    askedForThird = true;
    yield { events: [{ data: 'c' }], checkpoint: { v: 1, n: 3 } };
  });
  const summary = await runStanza(source, STANZA, PARAMS, e);
  await e.sink.close();
  expect(summary).toMatchObject({ status: 'ok', interrupted: true, events: 2, batches: 2 });
  expect(askedForThird).toBe(false);
  expect(await e.checkpoint.load(FEED)).toEqual({ v: 1, n: 2 });
  expect(pipe.received.trimEnd().endsWith('</stream>')).toBe(true);
  expect(events(pipe.received).map((x) => x.data)).toEqual(['a', 'b']);
});

test('verify_tls=false is warned about on every run', async () => {
  const e = env(new Pipe());
  const source = testSource(async function* () {});
  await runStanza(source, STANZA, { ...PARAMS, verify_tls: '0' }, e);
  await runStanza(source, STANZA, { ...PARAMS, verify_tls: 'false' }, e);
  expect(stderr.text.match(/^WARN .*verify_tls=false/gm)).toHaveLength(2);
});

test('the HTTP client in ctx is built from the stanza\'s connection settings', async () => {
  const http = await import('http');
  const server = http.createServer((req, res) => res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const pipe = new Pipe();
    const e = env(pipe);
    const source = testSource(async function* (config, ctx) {
      const res = await ctx.http.request({ url: `${url}/events`, headers: { Authorization: `Bearer ${String(config.token)}` } });
      yield { events: [{ data: await res.text() }] };
    });
    const summary = await runStanza(source, STANZA, { ...PARAMS, url }, e);
    await e.sink.close();
    expect(summary.status).toBe('ok');
    expect(JSON.parse(events(pipe.received)[0].data!)).toEqual({ path: '/events', auth: 'Bearer tok-123456' });
  } finally {
    server.close();
  }
});

describe('with splunkd (loopback stand-in)', () => {
  let splunkd: SplunkdStandIn;
  beforeEach(async () => {
    splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  });
  afterEach(async () => {
    await splunkd.close();
  });
  const conn = () => ({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: 'TA-zerotrust-events' });

  test('a secret typed in clear moves to storage/passwords and out of inputs.conf, and never reaches the logs', async () => {
    splunkd.setConf('inputs', STANZA, { url: PARAMS.url as string, token: 'clear-secret-value' });
    const e = env(new Pipe(), { secrets: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()) });
    const source = testSource(async function* (config, ctx) {
      ctx.log.warn(`vendor said: bad token clear-secret-value`);
      yield { events: [{ data: `token length ${String(config.token).length}` }] };
    });
    const summary = await runStanza(source, STANZA, { ...PARAMS, token: 'clear-secret-value' }, e);
    expect(summary.status).toBe('ok');
    expect(splunkd.getPassword(STANZA, 'token')).toBe('clear-secret-value');
    expect(splunkd.conf('inputs', STANZA)?.token).toBe(MASK);
    expect(stderr.text).toContain('vendor said: bad token');
    expect(stderr.text + (await logFile())).not.toContain('clear-secret-value');
  });

  test('a masked secret is read back from storage/passwords', async () => {
    splunkd.setPassword(STANZA, 'token', 'stored-secret');
    const e = env(new Pipe(), { secrets: splunkdSecretStore(conn()) });
    let token: unknown;
    const source = testSource(async function* (config) {
      token = config.token;
    });
    expect((await runStanza(source, STANZA, { ...PARAMS, token: MASK }, e)).status).toBe('ok');
    expect(token).toBe('stored-secret');
  });

  test('validation: a clear secret is used but not stored (the stanza is not saved yet); a masked one is read', async () => {
    const base = env(new Pipe(), { secrets: splunkdSecretStore(conn()) });
    const got: unknown[] = [];
    const source = testSource(async function* () {}, async (config) => {
      got.push(config.token);
    });
    await validateStanza(source, STANZA, { ...PARAMS, token: 'typed-in-form' }, base);
    expect(splunkd.passwords()).toEqual([]);
    splunkd.setPassword(STANZA, 'token', 'kept');
    await validateStanza(source, STANZA, { ...PARAMS, token: MASK }, base);
    expect(got).toEqual(['typed-in-form', 'kept']);
  });
});

describe('validateStanza', () => {
  test('a bad field fails with a ConfigError naming it, before any live check', async () => {
    let live = 0;
    const source = testSource(async function* () {}, async () => {
      live += 1;
    });
    await expect(validateStanza(source, STANZA, { ...PARAMS, url: 'ftp://x' }, env(new Pipe()))).rejects.toMatchObject({
      constructor: ConfigError, field: 'url', message: expect.stringContaining('"url"'),
    });
    await expect(validateStanza(source, STANZA, { url: PARAMS.url }, env(new Pipe()))).rejects.toMatchObject({ field: 'token' });
    expect(live).toBe(0);
  });

  test('the source\'s own verdict is passed on', async () => {
    const source = testSource(async function* () {}, async () => {
      throw new ConfigError('test_feed://a: the feed refused the token; create a new one.', 'token');
    });
    await expect(validateStanza(source, STANZA, PARAMS, env(new Pipe()))).rejects.toThrow(/refused the token/);
  });

  test('a live check that never ends is cut off with a message and its signal aborted', async () => {
    let signal: AbortSignal | undefined;
    const source = testSource(async function* () {}, (_c, ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    });
    await expect(validateStanza(source, STANZA, PARAMS, env(new Pipe()), 200)).rejects.toThrow(/did not finish within/);
    expect(signal?.aborted).toBe(true);
  });
});

test('a source that fails only because of the abort (wrapped by its client) ends the run as interrupted, not failed', async () => {
  const ctrl = new AbortController();
  const e = env(new Pipe(), { signal: ctrl.signal });
  const source = testSource(async function* () {
    ctrl.abort();
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    throw new TransientError('test_feed://a: request cancelled', undefined, { cause: abort });
  });
  const summary = await runStanza(source, STANZA, PARAMS, e);
  expect(summary).toMatchObject({ status: 'ok', interrupted: true, events: 0 });
  expect(stderr.text).not.toMatch(/^ERROR/m);
});

test('the same error without an abort fails the run', async () => {
  const e = env(new Pipe());
  const source = testSource(async function* () {
    throw new TransientError('test_feed://a: request cancelled', undefined, { cause: new Error('socket hang up') });
  });
  expect(await runStanza(source, STANZA, PARAMS, e)).toMatchObject({ status: 'failed', errorKind: 'transient' });
});

test('a state directory that cannot be created is a configuration error naming it', async () => {
  const blocker = path.join(tmp, 'not-a-dir');
  fs.writeFileSync(blocker, '');
  const e = env(new Pipe(), { stateDir: path.join(blocker, 'state') });
  const summary = await runStanza(testSource(async function* () {}), STANZA, PARAMS, e);
  expect(summary).toMatchObject({ status: 'failed', errorKind: 'config' });
  expect(stderr.text).toContain(`cannot create the input's state directory ${path.join(blocker, 'state')}`);
});
