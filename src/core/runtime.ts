/**
 * Runs one stanza: secrets → typed config → source.collect → sink → checkpoint. Vendor-free and
 * transport-free: splunkd (XML sink on stdout), the demo and the standalone collector (HEC sink,
 * node-cron) pass their own collaborators. The one promise kept here: a checkpoint is saved only
 * after the sink has taken the batch's events.
 */
import { mkdir } from 'fs/promises';
import { MASK, parseConfig, type InputDescription, type TypedConfig } from './description';
import { ConfigError, errorMessage, isTaError, TransientError, type ErrorKind } from './errors';
import { makeRedactor, type Redactor } from './log/redact';
import { parseSecretRef } from './secret-ref';
import { resolveSecrets } from './secrets';
import type {
  CheckpointStore, HttpClient, HttpClientOptions, Logger, OutEvent, RetryPolicy, SecretStore, Sink, Source, SourceContext,
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
  log: Logger;
  makeHttp: (opts: HttpClientOptions) => HttpClient;
  signal: AbortSignal;
  now?: () => number;
  /** A directory private to this stanza; created when missing. */
  stateDir: string;
  /** Event fields used when neither the event nor the stanza sets them (HEC, demo). */
  defaults?: { index?: string; host?: string; source?: string };
  /**
   * Also deliver the run summary as an event of sourcetype ta_zerotrust:health into the input's
   * index, so analysts (whose roles cannot search _internal) see the add-on's health.
   */
  health?: boolean;
}

export const HEALTH_SOURCETYPE = 'ta_zerotrust:health';

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

/** HTTP settings every input shares (commonConnectionArgs); absent ones keep client defaults. */
function connectionOptions(config: TypedConfig, secrets: string[], log: Logger): HttpClientOptions {
  const opts: HttpClientOptions = {
    verifyTls: config.verify_tls !== false,
    timeoutMs: (typeof config.timeout === 'number' ? config.timeout : 60) * 1000,
    secrets,
    logger: log,
    caSettingName: 'ca_cert_path',
  };
  const ca = str(config.ca_cert_path);
  if (ca) opts.caCertPath = ca;
  const proxy = str(config.proxy_url);
  if (proxy) opts.proxyUrl = proxy;
  return opts;
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
  const resolved = validating
    ? await resolveMaskedOnly(desc, stanza, params, env.secrets, log)
    : await resolveSecrets(desc, stanza, params, {
      ...(env.secrets ? { store: env.secrets } : {}),
      ...(masker ? { masker } : {}),
      log,
    });
  const config = parseConfig(desc, resolved, stanza);
  const secretValues = desc.args
    .filter((a) => a.secret)
    .map((a) => config[a.name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  guard.redact = makeRedactor(secretValues);
  const base: HttpClientOptions = {
    ...connectionOptions(config, secretValues, log),
    // The admin waits on the form: one quick retry at most, for every input alike.
    ...(validating ? { retry: VALIDATION_RETRY } : {}),
  };
  const clients: HttpClient[] = [];
  const makeHttp = (o: Partial<HttpClientOptions>): HttpClient => {
    const c = env.makeHttp({ ...base, ...o, secrets: [...secretValues, ...(o.secrets ?? [])] });
    clients.push(c);
    return c;
  };
  await mkdir(env.stateDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
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
  };
  return {
    config,
    ctx,
    close: async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
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

export async function runStanza(
  source: Source,
  stanzaName: string,
  params: StanzaParams,
  env: RunEnv,
): Promise<RunSummary> {
  const started = Date.now();
  const guard: LogGuard = { errors: 0, redact: (t) => t };
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
  const withDefaults = (ev: OutEvent): OutEvent => {
    const out: OutEvent = { ...ev };
    out.sourcetype ??= defaults.sourcetype;
    out.source ??= defaults.source;
    if (defaults.index !== undefined) out.index ??= defaults.index;
    if (defaults.host !== undefined) out.host ??= defaults.host;
    return out;
  };

  let prepared: Prepared | undefined;
  try {
    prepared = await prepare(desc, stanzaName, params, env, log, guard, env.signal, env.masker);
    const { config, ctx } = prepared;
    if (config.verify_tls === false) {
      log.warn(`${stanzaName}: TLS certificate verification is off (verify_tls=false). Anyone on the network path can read and change this input's traffic; turn it back on outside of tests.`);
    }
    for await (const batch of source.collect(config, ctx)) {
      if (batch.events.length) await env.sink.write(stanzaName, batch.events.map(withDefaults));
      await env.sink.flush();
      // Only now is the batch delivered; the checkpoint may move past it.
      if (batch.checkpoint !== undefined) await env.checkpoint.save(batch.checkpoint);
      await batch.committed?.();
      summary.events += batch.events.length;
      summary.batches += 1;
      for (const ev of batch.events) {
        if (ev.time !== undefined && !(ev.time <= (summary.newestEventTime ?? -Infinity))) summary.newestEventTime = ev.time;
      }
      // The batch in hand is finished; stop before asking the source for the next one.
      if (env.signal.aborted) break;
    }
    summary.interrupted = env.signal.aborted;
  } catch (e) {
    if (isAbort(e, env.signal)) {
      summary.interrupted = true;
    } else {
      summary.status = 'failed';
      summary.errorKind = isTaError(e) ? e.kind : 'unknown';
      if (e instanceof TransientError) {
        log.error(`${e.message} The run stopped after ${summary.events} events in ${summary.batches} batches; the checkpoint stays at the last delivered batch and the next run resumes from there.`);
      } else if (isTaError(e)) {
        log.error(e.message);
      } else {
        log.error(`${stanzaName}: unexpected error: ${errorMessage(e)}. The run stopped; the checkpoint stays at the last delivered batch.`);
        // The stack helps a developer, not an admin reading splunkd.log: INFO reaches the
        // add-on's log file only (stderr takes WARN and above).
        if (e instanceof Error && e.stack) log.info(`stack of the unexpected error: ${e.stack}`);
      }
    }
  } finally {
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
    // The Add-on health dashboard derives each input's lag from this: now() - newest_event_time.
    newest_event_time: summary.newestEventTime?.toFixed(3),
  })}`);
  if (env.health) await writeHealth(env, log, summary, params, defaults, guard.lastError);
  return summary;
}

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

const VALIDATION_RETRY: Partial<RetryPolicy> = { retries: 1, baseDelayMs: 500, maxDelayMs: 1000, maxRetryAfterMs: 2000 };

/** How long the live check may take: splunkd's form waits on it. */
export const VALIDATE_TIMEOUT_MS = 10_000;

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
  try {
    // Secrets typed in the form arrive in clear; nothing is moved to storage/passwords here
    // because the stanza is not saved yet.
    const check = (async () => {
      const guard: LogGuard = { errors: 0, redact: (t) => t };
      prepared = await prepare(source.description, stanzaName, params, env, guardedLogger(env.log, guard), guard, ctrl.signal, undefined, true);
      await source.validate(prepared.config, prepared.ctx);
    })();
    check.catch(() => undefined);
    await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
    env.signal.removeEventListener('abort', onAbort);
    await prepared?.close();
  }
}
