/**
 * Run and validate modes of the splunkd entry, loaded only when splunkd asks for one of them
 * (see modinput.ts): this is where HTTP, logging, secrets and checkpoints come in. The bundle of
 * each input's run (src/cli/modinput-run.ts) binds it to the module list.
 */
import * as os from 'os';
import * as path from 'path';
import { ACCOUNTS_CONF } from '../core/account';
import { confAccountSource } from '../core/accounts';
import { APP_ID } from '../core/app';
import { checkpointKey, fileCheckpointStore, kvCheckpointStore, KV_COLLECTION } from '../core/checkpoint';
import { ConfigError, errorMessage, isTaError } from '../core/errors';
import { fsp } from '../core/fs-async';
import { createHttpClient, withDefaultProxy } from '../core/http';
import { closeLoggers, createLogger, logFilePath } from '../core/log';
import { parseInputXml, parseValidationXml, type SplunkdSession } from '../core/protocol/input';
import { runStanza, validateStanza } from '../core/runtime';
import { splunkdConfMasker, splunkdSecretStore } from '../core/secrets';
import { PROXY_PASSWORD_REALM, PROXY_PASSWORD_USERNAME, readSettings, type Settings } from '../core/settings';
import { splunkdKvStore } from '../core/kvstore';
import { listenForStop } from '../core/stop';
import { XmlStreamSink } from '../core/sinks/xml';
import { loadSource, type SourceModule } from '../core/source-module';
import type { CheckpointStore, HttpClient, HttpClientOptions, KvStore, Logger, SecretStore } from '../core/types';
import type { ModinputIo, RunModes } from './modinput';

/** HTTP clients with the add-on-wide proxy unless the input sets its own. */
async function httpFactory(settings: Settings, store: SecretStore | undefined, log: Logger): Promise<(opts: HttpClientOptions) => HttpClient> {
  const proxy = settings.proxy;
  let proxyPassword: string | undefined;
  if (proxy.url && proxy.username && store) {
    proxyPassword = await store.get(PROXY_PASSWORD_REALM, PROXY_PASSWORD_USERNAME);
    if (!proxyPassword) log.warn(`[proxy] proxy_username is set but storage/passwords has no proxy password (realm ${PROXY_PASSWORD_REALM}); connecting to the proxy without one.`);
  }
  return (opts) => createHttpClient(withDefaultProxy(opts, { url: proxy.url, username: proxy.username, password: proxyPassword }));
}

function kvstore(session: SplunkdSession): KvStore | undefined {
  if (!session.serverUri || !session.sessionKey) return undefined;
  return splunkdKvStore({ serverUri: session.serverUri, sessionKey: session.sessionKey, app: APP_ID });
}

function secretStore(session: SplunkdSession): SecretStore | undefined {
  if (!session.serverUri || !session.sessionKey) return undefined;
  return splunkdSecretStore({ serverUri: session.serverUri, sessionKey: session.sessionKey, app: APP_ID });
}

/** A cache hit is the steady state; anything else (first run after an install or upgrade) is worth a line. */
function logCodeCache(log: Logger, note: string): void {
  if (note === 'hit') log.debug('run bundle compiled from its V8 code cache');
  else log.info(`run bundle V8 code cache: ${note}`);
}

/** Read-only on purpose: a validation must never move a checkpoint. */
const noCheckpoint: CheckpointStore = {
  load: async () => undefined,
  save: async () => undefined,
};

/** Returns undefined when the item is valid, else the message for the admin. */
export async function runValidate(modules: readonly SourceModule[], scheme: string, input: Buffer, io: ModinputIo): Promise<string | undefined> {
  const def = parseValidationXml(input);
  const settings = readSettings(io.appDir);
  const stanza = def.item.name.includes('://') ? def.item.name : `${scheme}://${def.item.name}`;
  const log = createLogger({ input: scheme, stanza, level: settings.logging.level });
  for (const w of settings.warnings) log.warn(w);
  if (io.codeCache) logCodeCache(log, io.codeCache.note);
  const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ta-zerotrust-validate-'));
  try {
    const source = await loadSource(modules, scheme);
    const store = secretStore(def);
    const kv = kvstore(def);
    await validateStanza(source, stanza, def.item.params, {
      checkpoint: noCheckpoint,
      accounts: confAccountSource(io.appDir),
      ...(kv ? { kvstore: kv } : {}),
      ...(store ? { secrets: store } : {}),
      log,
      makeHttp: await httpFactory(settings, store, log),
      signal: new AbortController().signal,
      stateDir,
    });
    return undefined;
  } catch (e) {
    if (isTaError(e)) {
      log.warn(`validation failed: ${e.message}`);
      return e.message;
    }
    log.error(`validation failed with an unexpected error: ${errorMessage(e)}`, { stack: (e as Error)?.stack });
    return `${stanza}: the check failed with an unexpected error (${errorMessage(e)}). Details are in ${logFilePath(scheme, '$SPLUNK_HOME/var/log/splunk')}.`;
  } finally {
    await fsp.rm(stateDir, { recursive: true, force: true });
    await closeLoggers();
  }
}

function followStop(stop: AbortSignal, ctrl: AbortController): () => void {
  const onAbort = () => ctrl.abort(stop.reason);
  if (stop.aborted) onAbort();
  else stop.addEventListener('abort', onAbort, { once: true });
  return () => stop.removeEventListener('abort', onAbort);
}

/** Runs every stanza in `<input>`; the exit code is 1 when any of them failed. */
export async function runInputs(modules: readonly SourceModule[], scheme: string, input: Buffer, io: ModinputIo): Promise<number> {
  const def = parseInputXml(input);
  const settings = readSettings(io.appDir);
  const ctrl = new AbortController();
  const unlisten = io.stop ? followStop(io.stop, ctrl) : listenForStop(ctrl);
  const sink = new XmlStreamSink(io.stdout);
  const store = secretStore(def);
  const kv = kvstore(def);
  let exitCode = 0;
  let firstLog: Logger | undefined;
  try {
    for (const st of def.stanzas) {
      if (ctrl.signal.aborted) break;
      const log = createLogger({ input: scheme, stanza: st.name, level: settings.logging.level });
      for (const w of settings.warnings) log.warn(w);
      if (!firstLog && io.codeCache) logCodeCache(log, io.codeCache.note);
      firstLog ??= log;
      if (!st.name.startsWith(`${scheme}://`)) {
        log.error(`${st.name}: this stanza was given to the ${scheme} input; it belongs to another input and is skipped.`);
        exitCode = 1;
        continue;
      }
      if (!def.checkpointDir) {
        throw new ConfigError('splunkd sent no <checkpoint_dir>; cannot keep checkpoints. Run this script only from splunkd.');
      }
      const checkpoint = settings.checkpoint.store === 'kvstore' && def.serverUri && def.sessionKey
        ? kvCheckpointStore({ serverUri: def.serverUri, sessionKey: def.sessionKey, app: APP_ID, collection: KV_COLLECTION, stanza: st.name })
        : fileCheckpointStore(def.checkpointDir, st.name);
      const masker = def.serverUri && def.sessionKey
        ? splunkdConfMasker({ serverUri: def.serverUri, sessionKey: def.sessionKey, app: APP_ID })
        : undefined;
      // An account's secret typed in clear is masked in its conf as an input's is in inputs.conf.
      const accountMasker = def.serverUri && def.sessionKey
        ? splunkdConfMasker({ serverUri: def.serverUri, sessionKey: def.sessionKey, app: APP_ID, file: ACCOUNTS_CONF })
        : undefined;
      const source = await loadSource(modules, scheme);
      const summary = await runStanza(source, st.name, st.params, {
        sink,
        checkpoint,
        ...(kv ? { kvstore: kv } : {}),
        ...(store ? { secrets: store } : {}),
        ...(masker ? { masker } : {}),
        accounts: confAccountSource(io.appDir, accountMasker),
        log,
        makeHttp: await httpFactory(settings, store, log),
        signal: ctrl.signal,
        stateDir: path.join(def.checkpointDir, 'state', checkpointKey(st.name)),
        health: true,
      });
      if (summary.status === 'failed') exitCode = 1;
    }
  } finally {
    await sink.close().catch(() => undefined);
    const saved = io.codeCache?.save?.();
    if (saved) firstLog?.info(saved);
    await closeLoggers();
    // Only now: a signal that arrives while the stream closes (a quick input finishing as splunkd
    // stops it) must not take node's default action and end the process mid-close.
    unlisten();
  }
  return exitCode;
}

/** The run modes over `modules`, as the entry's loader returns them. */
export function runModes(modules: readonly SourceModule[]): RunModes {
  return {
    runValidate: (scheme, input, io) => runValidate(modules, scheme, input, io),
    runInputs: (scheme, input, io) => runInputs(modules, scheme, input, io),
  };
}
