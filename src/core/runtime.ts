/**
 * Runs one stanza: secrets → typed config → source.collect → sink → checkpoint. Vendor-free and
 * transport-free: splunkd (XML sink on stdout), the demo and the standalone collector (HEC sink,
 * node-cron) pass their own collaborators. The one promise kept here: a checkpoint is saved only
 * after the sink has taken the batch's events.
 */
import { withoutAccountArgs } from './account';
import { resolveAccount, type AccountSource } from './accounts';
import { HEALTH_SOURCETYPE } from './app';
import { MASK, parseConfig, type InputDescription, type TypedConfig } from './description';
import { ConfigError, errorMessage, isTaError, TransientError, type ErrorKind } from './errors';
import { fsp } from './fs-async';
import { connectionOptions, VALIDATE_TIMEOUT_MS, VALIDATION_RETRY } from './http/options';
import { makeRedactor, pairedForms, type Redactor } from './log/redact';
import { parseSecretRef } from './secret-ref';
import { resolveSecrets } from './secrets';
import type {
  Batch, CheckpointStore, HttpClient, HttpClientOptions, KvStore, Logger, OutEvent, RunLease, SecretStore, Sink, Source, SourceContext,
} from './types';

export type StanzaParams = Record<string, string | string[] | undefined>;

export interface RunEnv {
  sink: Sink;
  /** Already scoped to this stanza. */
  checkpoint: CheckpointStore;
  /** Where secrets masked in the params are read from (storage/passwords). */
  secrets?: SecretStore;
  /** Moves secrets typed in clear out of inputs.conf (run mode on splunkd only). */
  masker?: (stanza: string, fields: string[]) => Promise<void>;
  /** The accounts a stanza may name (src/core/accounts.ts); without it, naming one is an error. */
  accounts?: AccountSource;
  log: Logger;
  makeHttp: (opts: HttpClientOptions) => HttpClient;
  signal: AbortSignal;
  now?: () => number;
  /** A directory private to this stanza; created when missing. */
  stateDir: string;
  /** The app's KV store (splunkd runs only). */
  kvstore?: KvStore;
  /** Event fields used when neither the event nor the stanza sets them (HEC, demo). */
  defaults?: { index?: string; host?: string; source?: string };
  /** Lifetime of the run's lock/lease, renewed every third of it (default RUN_LEASE_TTL_MS). */
  leaseTtlMs?: number;
  /**
   * Also deliver the run summary as an event of sourcetype ta_zerotrust:health into the input's
   * index, so analysts (whose roles cannot search _internal) see the add-on's health.
   */
  health?: boolean;
}

/**
 * A lease outlives its run by at most this when the run dies without releasing it (kill -9, a
 * forwarder lost); that is how long a passive forwarder waits before it takes over.
 */
export const RUN_LEASE_TTL_MS = 120_000;

export { HEALTH_SOURCETYPE };

export type RunStatus = 'ok' | 'failed';

export interface RunSummary {
  stanza: string;
  events: number;
  batches: number;
  /** ERROR lines logged during the run (by the source or the runtime). */
  errors: number;
  durationMs: number;
  status: RunStatus;
  /** Why the run failed: config, auth, transient, protocol or unknown. */
  errorKind?: ErrorKind | 'unknown';
  /** The run stopped early because the signal was aborted (SIGTERM); not a failure. */
  interrupted: boolean;
  /** Epoch seconds of the newest event delivered by this run (the checkpoint's position). */
  newestEventTime?: number;
  /** Another run of this stanza held its lock/lease; this one collected nothing. */
  skipped?: boolean;
}

/** `scheme://name` → `name` */
export function stanzaShortName(stanza: string): string {
  const i = stanza.indexOf('://');
  return i < 0 ? stanza : stanza.slice(i + 3);
}

interface LogGuard {
  errors: number;
  /** The last ERROR message, already redacted, for the health event. */
  lastError?: string;
  /** Set once the secrets are known: the logger was made before they were resolved. */
  redact: Redactor;
}

function guardMeta(meta: Record<string, unknown> | undefined, redact: Redactor): Record<string, unknown> | undefined {
  if (!meta) return meta;
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
}

/**
 * The run's logger: counts ERROR lines for the summary and removes the stanza's secrets from
 * every message, whatever the source or the given logger does.
 */
function guardedLogger(log: Logger, guard: LogGuard): Logger {
  return {
    debug: (m, meta) => log.debug(guard.redact(m), guardMeta(meta, guard.redact)),
    info: (m, meta) => log.info(guard.redact(m), guardMeta(meta, guard.redact)),
    warn: (m, meta) => log.warn(guard.redact(m), guardMeta(meta, guard.redact)),
    error: (m, meta) => {
      guard.errors += 1;
      guard.lastError = guard.redact(m);
      log.error(guard.lastError, guardMeta(meta, guard.redact));
    },
    child: (meta) => guardedLogger(log.child(meta), guard),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Validation sees the form's values before splunkd saves the stanza: a secret typed in clear
 * must not be written to storage/passwords yet (the edit may still be refused), while a masked
 * one (an edit that left it alone) or a reference (src/core/secret-ref.ts) is read, never written.
 */
async function resolveMaskedOnly(
  desc: InputDescription,
  stanza: string,
  params: StanzaParams,
  store: SecretStore | undefined,
  log: Logger,
): Promise<StanzaParams> {
  const clear: StanzaParams = {};
  const masked: StanzaParams = { ...params };
  for (const arg of desc.args) {
    const v = params[arg.name];
    if (arg.secret && v !== undefined && v !== MASK && parseSecretRef(Array.isArray(v) ? v.join(',') : v) === undefined) {
      clear[arg.name] = params[arg.name];
      delete masked[arg.name];
    }
  }
  const resolved = await resolveSecrets(desc, stanza, masked, { ...(store ? { store } : {}), log, readOnly: true });
  return { ...resolved, ...clear };
}

interface Prepared {
  config: TypedConfig;
  ctx: SourceContext;
  close(): Promise<void>;
}

type ContextEnv = Omit<RunEnv, 'sink'>;

/** Secrets, typed config and the SourceContext; shared by run and validate. */
async function prepare(
  desc: InputDescription,
  stanza: string,
  params: StanzaParams,
  env: ContextEnv,
  log: Logger,
  guard: LogGuard,
  signal: AbortSignal,
  masker: RunEnv['masker'],
  validating = false,
): Promise<Prepared> {
  const ownSecrets = (d: InputDescription, p: StanzaParams) => resolveSecrets(d, stanza, p, {
    ...(env.secrets ? { store: env.secrets } : {}),
    ...(masker ? { masker } : {}),
    log,
  });
  // The account first: it decides which settings are the input's own.
  const withAccount = await resolveAccount(desc, stanza, params, {
    ...(env.accounts ? { accounts: env.accounts } : {}),
    ...(env.secrets ? { store: env.secrets } : {}),
    log,
    readOnly: validating,
    moveOwnSecrets: async (fields) => {
      await ownSecrets({ ...desc, args: desc.args.filter((a) => fields.includes(a.name)) }, params);
    },
  });
  // The account's secrets are in clear now: they must not be stored again under the input's realm.
  const own = withAccount.inUse ? withoutAccountArgs(desc) : desc;
  if (withAccount.inUse) {
    log.debug(`${stanza}: connection settings from ${withAccount.inUse.stanza}`);
    guard.redact = rawSecretRedactor(desc, withAccount.params);
  }
  const resolved = validating
    ? await resolveMaskedOnly(own, stanza, withAccount.params, env.secrets, log)
    : await ownSecrets(own, withAccount.params);
  const config = parseConfig(desc, resolved, stanza);
  const secretValues = desc.args
    .filter((a) => a.secret)
    .map((a) => config[a.name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  guard.redact = stanzaRedactor(desc, config);
  const base: HttpClientOptions = {
    ...connectionOptions(config, { secrets: secretValues, logger: log }),
    redact: guard.redact,
    // The admin waits on the form: one quick retry at most, for every input alike.
    ...(validating ? { retry: VALIDATION_RETRY } : {}),
  };
  const clients: HttpClient[] = [];
  const makeHttp = (o: Partial<HttpClientOptions>): HttpClient => {
    const c = env.makeHttp({ ...base, ...o, secrets: [...secretValues, ...(o.secrets ?? [])] });
    clients.push(c);
    return c;
  };
  await fsp.mkdir(env.stateDir, { recursive: true, mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError(`${stanza}: cannot create the input's state directory ${env.stateDir} (${e.code ?? e.message}). Make it writable by the user Splunk runs as.`);
  });
  const ctx: SourceContext = {
    stanza,
    name: stanzaShortName(stanza),
    http: makeHttp({}),
    makeHttp,
    checkpoint: env.checkpoint,
    stateDir: env.stateDir,
    log,
    signal,
    now: env.now ?? Date.now,
    ...(env.kvstore ? { kvstore: env.kvstore } : {}),
    ...(withAccount.inUse ? { account: withAccount.inUse } : {}),
  };
  return {
    config,
    ctx,
    close: async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}

/**
 * The stanza's one redactor: each secret in every shape it travels in (see log/redact), and the
 * Basic-style `id:secret` pairs with every identity-like setting of the stanza.
 */
export function stanzaRedactor(desc: InputDescription, config: TypedConfig): Redactor {
  const secrets = desc.args.filter((a) => a.secret).map((a) => config[a.name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  const ids = desc.args.filter((a) => !a.secret && a.type === 'string' && !a.list).map((a) => config[a.name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  return makeRedactor([...secrets, ...pairedForms(ids, secrets)]);
}

/**
 * Makes an error safe to show anywhere (Splunk Web, splunkd.log, the add-on log): message and
 * stack pass through the redactor. The object and its class stay, so callers still dispatch on it.
 */
export function redactError<E>(e: E, redact: Redactor): E {
  if (e instanceof Error) {
    try {
      e.message = redact(e.message);
      if (e.stack) e.stack = redact(e.stack);
    } catch {
      // A frozen error keeps its text; the caller's own redaction still applies.
    }
  }
  return e;
}

/** The secrets as typed in the stanza, for messages written before the config is parsed. */
function rawSecretRedactor(desc: InputDescription, params: StanzaParams): Redactor {
  return makeRedactor(desc.args.filter((a) => a.secret).flatMap((a) => {
    const v = params[a.name];
    // A masked value or a reference to a staged secret is not the secret itself.
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== MASK && parseSecretRef(x) === undefined);
  }));
}

/** A failure that is only the abort we asked for (SIGTERM), possibly wrapped by a client. */
function isAbort(e: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  for (let cur = e as { name?: string; code?: string; cause?: unknown } | undefined, depth = 0; cur && depth < 4; depth++) {
    if (cur === signal.reason || cur.name === 'AbortError' || cur.code === 'ABORT_ERR') return true;
    cur = cur.cause as typeof cur;
  }
  return false;
}

/** key=value with quotes only where a value needs them, for the Add-on health dashboard. */
function kv(fields: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const s = String(v);
      return /[\s"=]/.test(s) || s === '' ? `${k}="${s.replace(/["\\]/g, '\\$&')}"` : `${k}=${s}`;
    })
    .join(' ');
}

/** Checkpoints waiting for the sink's confirmation before the runtime waits for the oldest. */
const MAX_PENDING_COMMITS = 256;

export async function runStanza(
  source: Source,
  stanzaName: string,
  params: StanzaParams,
  env: RunEnv,
): Promise<RunSummary> {
  const started = Date.now();
  // What a stopped run leaves for the next one: an input without a checkpoint (a state read
  // whole each run) must not promise to resume from one.
  const resumes = source.checkpoint
    ? 'the checkpoint stays at the last delivered batch and the next run resumes from there.'
    : 'this input keeps no checkpoint: the next run reads the whole state again.';
  const guard: LogGuard = { errors: 0, redact: rawSecretRedactor(source.description, params) };
  const log = guardedLogger(env.log, guard);
  const desc = source.description;
  const summary: RunSummary = {
    stanza: stanzaName, events: 0, batches: 0, errors: 0, durationMs: 0, status: 'ok', interrupted: false,
  };
  const defaults = {
    sourcetype: desc.sourcetype,
    source: env.defaults?.source ?? stanzaName,
    index: str(params.index) ?? env.defaults?.index,
    host: str(params.host) ?? env.defaults?.host,
  };
  // In place: a batch's events belong to the run once yielded, and a copy per event was a
  // fifth of the run's allocations.
  const withDefaults = (ev: OutEvent): OutEvent => {
    ev.sourcetype ??= defaults.sourcetype;
    ev.source ??= defaults.source;
    if (defaults.index !== undefined) ev.index ??= defaults.index;
    if (defaults.host !== undefined) ev.host ??= defaults.host;
    return ev;
  };
  // The one way a state reaches the store: through the format the source declares.
  const saveCheckpoint = async (state: unknown): Promise<void> => {
    if (!source.checkpoint) {
      throw new Error(`${stanzaName}: the input yielded a checkpoint but declares no checkpoint format (Source.checkpoint); nothing was saved. This is a defect of the add-on.`);
    }
    await env.checkpoint.save(source.checkpoint, state);
  };
  // With a sink that confirms late, checkpoints and commits run in a chain, in batch order, each
  // after the sink confirmed every event up to its batch; collection goes on meanwhile. After a
  // failed confirmation nothing later is committed (at-least-once).
  const pipelined = typeof env.sink.taken === 'function';
  let commits: Promise<void> = Promise.resolve();
  /** Set when this run's lock expired and another run took it: no checkpoint moves after that. */
  let leaseLost: string | undefined;
  let commitFailure: unknown;
  let pendingCommits = 0;
  /** The summary counts what was delivered. */
  const delivered = (events: number, newest: number | undefined, batches = 1): void => {
    summary.events += events;
    summary.batches += batches;
    if (newest !== undefined && !(newest <= (summary.newestEventTime ?? -Infinity))) summary.newestEventTime = newest;
  };
  const newestOf = (events: OutEvent[]): number | undefined => {
    let newest: number | undefined;
    for (const ev of events) if (ev.time !== undefined && !(ev.time <= (newest ?? -Infinity))) newest = ev.time;
    return newest;
  };
  // Batches without a checkpoint ride on the next one that has one (asking the sink to confirm
  // each would cut its batches short).
  const unconfirmed = { events: 0, batches: 0, newest: undefined as number | undefined };
  const commitLater = (batch: Batch): Promise<void> => {
    const n = newestOf(batch.events);
    unconfirmed.events += batch.events.length;
    unconfirmed.batches += 1;
    if (n !== undefined && !(n <= (unconfirmed.newest ?? -Infinity))) unconfirmed.newest = n;
    if (batch.checkpoint === undefined && !batch.committed) return Promise.resolve();
    const taken = env.sink.taken!();
    taken.catch(() => undefined);
    pendingCommits += 1;
    // Only what the commit needs is kept, not the batch's events.
    const { checkpoint, committed } = batch;
    const { events: count, batches, newest } = unconfirmed;
    unconfirmed.events = 0;
    unconfirmed.batches = 0;
    unconfirmed.newest = undefined;
    commits = commits.then(async () => {
      if (commitFailure !== undefined || leaseLost) return;
      await taken;
      // A run that lost its lock must not move a checkpoint another run now owns.
      if (leaseLost) return;
      if (checkpoint !== undefined) await saveCheckpoint(checkpoint);
      await committed?.();
      delivered(count, newest, batches);
    }).catch((e: unknown) => { commitFailure ??= e; }).finally(() => { pendingCommits -= 1; });
    // Bounded: each pending commit holds its checkpoint state.
    return pendingCommits >= MAX_PENDING_COMMITS ? commits : Promise.resolve();
  };

  let prepared: Prepared | undefined;
  // The source's signal: SIGTERM, or the run's own deadline (max_runtime, when the input has
  // one) so that a read in flight ends too, not only the checks between requests.
  const run = new AbortController();
  const onStop = () => run.abort(env.signal.reason);
  if (env.signal.aborted) onStop();
  else env.signal.addEventListener('abort', onStop, { once: true });
  let runTimer: NodeJS.Timeout | undefined;
  let overRun: string | undefined;
  let lease: RunLease | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  try {
    prepared = await prepare(desc, stanzaName, params, env, log, guard, run.signal, env.masker);
    const { config, ctx } = prepared;
    if (typeof config.max_runtime === 'number') {
      const graceMs = Math.min(RUN_GRACE_MS, config.max_runtime * 500);
      runTimer = setTimeout(() => {
        overRun = `${stanzaName}: the run reached max_runtime (${config.max_runtime} s, plus ${graceMs / 1000} s for the request in flight) and was stopped; ${resumes}`;
        run.abort(new Error('max_runtime'));
      }, config.max_runtime * 1000 + graceMs);
      runTimer.unref?.();
    }
    if (env.checkpoint.acquire) {
      const ttl = env.leaseTtlMs ?? RUN_LEASE_TTL_MS;
      const got = await env.checkpoint.acquire(ttl);
      if (!got.held) {
        // Two runs of one stanza would each deliver the same events (a run longer than its
        // interval, or two forwarders sharing the KV store checkpoint).
        log.info(`${stanzaName}: skipped: another run of this input holds its lock (${got.holder}). It collects; this run takes over when that lock is released or expires.`);
        summary.skipped = true;
      } else {
        lease = got;
        leaseTimer = setInterval(() => {
          got.renew().then((ok) => ok, () => false).then((ok) => {
            if (ok || leaseLost) return;
            leaseLost = `${stanzaName}: this run lost its lock (it expired and another run took it over); ${source.checkpoint ? 'it stopped without moving the checkpoint further, and the other run continues from there' : 'it stopped, and the other run collects'}.`;
            run.abort(new Error('lease lost'));
          }).catch(() => undefined);
        }, Math.max(1000, Math.floor(ttl / 3)));
        leaseTimer.unref?.();
      }
    }
    if (config.verify_tls === false) {
      log.warn(`${stanzaName}: TLS certificate verification is off (verify_tls=false). Anyone on the network path can read and change this input's traffic; turn it back on outside of tests.`);
    }
    for await (const batch of summary.skipped ? [] : source.collect(config, ctx)) {
      if (commitFailure !== undefined) throw commitFailure;
      if (batch.events.length) await env.sink.write(stanzaName, batch.events.map(withDefaults));
      if (pipelined) {
        await commitLater(batch);
      } else {
        await env.sink.flush();
        // A run that lost its lock must not move a checkpoint another run now owns.
        if (leaseLost) break;
        // Only now is the batch delivered; the checkpoint may move past it.
        if (batch.checkpoint !== undefined) await saveCheckpoint(batch.checkpoint);
        await batch.committed?.();
        delivered(batch.events.length, newestOf(batch.events));
      }
      // The batch in hand is finished; stop before asking the source for the next one.
      if (run.signal.aborted) break;
    }
    if (pipelined) {
      await env.sink.flush();
      await commits;
      if (commitFailure !== undefined) throw commitFailure;
      delivered(unconfirmed.events, unconfirmed.newest, unconfirmed.batches);
    }
    summary.interrupted = env.signal.aborted;
    if (overRun) log.warn(overRun);
    if (leaseLost) {
      summary.status = 'failed';
      log.error(leaseLost);
    }
  } catch (e) {
    // Batches confirmed before the failure still move the checkpoint.
    await commits;
    if (leaseLost && isAbort(e, run.signal)) {
      summary.status = 'failed';
      log.error(leaseLost);
    } else if (overRun && isAbort(e, run.signal)) {
      log.warn(overRun);
    } else if (isAbort(e, env.signal)) {
      summary.interrupted = true;
    } else if ((e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') {
      // The sink's pipe closed under us: splunkd stopped reading, which is not a defect of ours.
      summary.status = 'failed';
      summary.errorKind = 'transient';
      log.error(`${stanzaName}: splunkd stopped reading this input's events (EPIPE: splunkd is restarting, or the input was disabled or removed). The run stopped after ${summary.events} events in ${summary.batches} batches; ${resumes}`);
    } else {
      summary.status = 'failed';
      summary.errorKind = isTaError(e) ? e.kind : 'unknown';
      if (e instanceof TransientError) {
        log.error(`${e.message} The run stopped after ${summary.events} events in ${summary.batches} batches; ${resumes}`);
      } else if (isTaError(e)) {
        log.error(e.message);
      } else {
        log.error(`${stanzaName}: unexpected error: ${errorMessage(e)}. The run stopped; ${source.checkpoint ? 'the checkpoint stays at the last delivered batch' : 'this input keeps no checkpoint'}.`);
        // The stack helps a developer, not an admin reading splunkd.log: INFO reaches the
        // add-on's log file only (stderr takes WARN and above).
        if (e instanceof Error && e.stack) log.info(`stack of the unexpected error: ${e.stack}`);
      }
    }
  } finally {
    clearTimeout(runTimer);
    clearInterval(leaseTimer);
    await lease?.release().catch(() => undefined);
    env.signal.removeEventListener('abort', onStop);
    await prepared?.close();
  }
  summary.durationMs = Date.now() - started;
  summary.errors = guard.errors;
  log.info(`run_summary ${kv({
    stanza: stanzaName,
    events: summary.events,
    batches: summary.batches,
    errors: summary.errors,
    duration_ms: summary.durationMs,
    status: summary.status,
    error_kind: summary.errorKind,
    interrupted: summary.interrupted || undefined,
    skipped: summary.skipped || undefined,
    // The Add-on health dashboard derives each input's lag from this: now() - newest_event_time.
    newest_event_time: summary.newestEventTime?.toFixed(3),
  })}`);
  if (env.health) await writeHealth(env, log, summary, params, defaults, guard.lastError);
  return summary;
}

/** Most time past max_runtime a source gets to finish the request in hand (at most half of max_runtime). */
export const RUN_GRACE_MS = 15_000;
/** Seconds between runs when `interval` is a number (a cron expression gives undefined). */
function intervalSeconds(v: StanzaParams[string]): number | undefined {
  const s = typeof v === 'string' ? v.trim() : undefined;
  return s && /^\d+$/.test(s) ? Number(s) : undefined;
}

async function writeHealth(
  env: RunEnv, log: Logger, summary: RunSummary, params: StanzaParams, defaults: { index?: string; host?: string }, lastError: string | undefined,
): Promise<void> {
  const now = (env.now ?? Date.now)() / 1000;
  const i = summary.stanza.indexOf('://');
  const body = {
    stanza: summary.stanza,
    input: i < 0 ? summary.stanza : summary.stanza.slice(0, i),
    status: summary.status,
    error_kind: summary.errorKind,
    events: summary.events,
    batches: summary.batches,
    errors: summary.errors,
    duration_ms: summary.durationMs,
    interrupted: summary.interrupted,
    skipped: summary.skipped,
    newest_event_time: summary.newestEventTime === undefined ? undefined : Number(summary.newestEventTime.toFixed(3)),
    lag_seconds: summary.newestEventTime === undefined ? undefined : Math.max(0, Math.round(now - summary.newestEventTime)),
    interval_seconds: intervalSeconds(params.interval),
    last_error: lastError?.slice(0, 1000),
  };
  const ev: OutEvent = { time: Number(now.toFixed(3)), data: JSON.stringify(body), sourcetype: HEALTH_SOURCETYPE, source: summary.stanza };
  if (defaults.index !== undefined) ev.index = defaults.index;
  if (defaults.host !== undefined) ev.host = defaults.host;
  try {
    await env.sink.write(summary.stanza, [ev]);
    await env.sink.flush();
  } catch (e) {
    // The run's events were delivered or not on their own; a lost summary is only logged.
    log.warn(`${summary.stanza}: could not deliver the run's health event: ${errorMessage(e)}`);
  }
}

export { VALIDATE_TIMEOUT_MS };

/**
 * The check behind --validate-arguments and the configuration page: typed config, then the
 * source's live connection check, bounded in time. Throws ConfigError/AuthError (or anything
 * else) with the message to show; never writes events or checkpoints.
 */
export async function validateStanza(
  source: Source,
  stanzaName: string,
  params: StanzaParams,
  env: ContextEnv,
  timeoutMs = VALIDATE_TIMEOUT_MS,
): Promise<void> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(env.signal.reason);
  env.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctrl.abort();
      reject(new TransientError(`${stanzaName}: the connection check did not finish within ${Math.round(timeoutMs / 1000)} s. Check the URL, the proxy settings and that this Splunk host can reach the service.`));
    }, timeoutMs);
  });
  let prepared: Prepared | undefined;
  const guard: LogGuard = { errors: 0, redact: rawSecretRedactor(source.description, params) };
  try {
    // Secrets typed in the form arrive in clear; nothing is moved to storage/passwords here
    // because the stanza is not saved yet.
    const check = (async () => {
      prepared = await prepare(source.description, stanzaName, params, env, guardedLogger(env.log, guard), guard, ctrl.signal, undefined, true);
      await source.validate(prepared.config, prepared.ctx);
    })();
    check.catch(() => undefined);
    await Promise.race([check, timeout]);
  } catch (e) {
    // The message goes to Splunk Web, splunkd.log and the add-on log: never a secret, whatever
    // the server echoed. Secrets typed in the form are known here even though nothing is saved.
    throw redactError(e, guard.redact);
  } finally {
    clearTimeout(timer);
    env.signal.removeEventListener('abort', onAbort);
    await prepared?.close();
  }
}
