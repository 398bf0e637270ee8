/**
 * The standalone collector: the same sources, runtime and file checkpoints as on splunkd, with
 * node-cron in place of splunkd's scheduler and HEC or NDJSON in place of stdout. Vendor-free:
 * the CLI passes the descriptions and the source loader in.
 *
 * Each run gets its own sink, so a failed delivery of one input can never be mistaken for a
 * success by another input's flush (and so never moves the wrong checkpoint).
 */
import * as path from 'node:path';
import { createTask, type ScheduledTask } from 'node-cron';
import { accountNamed } from '../account';
import { checkpointKey, fileCheckpointStore } from '../checkpoint';
import type { InputDescription } from '../description';
import { ConfigError } from '../errors';
import { createHttpClient } from '../http';
import { createLogger } from '../log';
import { runStanza, type RunSummary } from '../runtime';
import { HecSink } from '../sinks/hec';
import { NdjsonSink } from '../sinks/ndjson';
import type { HttpClient, HttpClientOptions, Logger, Sink, Source } from '../types';
import type { CollectorConfig, InputConfig } from './config';
import { accountKinds } from './config';
import { hecProxyPassword, hecToken, inputSecretStore, stanzaParams, standaloneAccountSource, type StandaloneSecrets } from './secrets';

export interface CollectorDeps {
  descriptions: readonly InputDescription[];
  loadSource(scheme: string): Promise<Source>;
  env?: NodeJS.ProcessEnv;
  makeHttp?: (opts: HttpClientOptions) => HttpClient;
  /** Called after every run (the CLI prints a line). */
  onRun?: (summary: RunSummary) => void;
  /** Where WARN and ERROR lines go besides the log file (default stderr). */
  stderr?: NodeJS.WritableStream;
}

export const LOG_NAME = 'standalone';

export class Collector {
  private readonly ctrl = new AbortController();
  private readonly running = new Map<string, Promise<RunSummary>>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly lastStart = new Map<string, number>();
  private readonly secrets: StandaloneSecrets;
  private readonly token: string;
  private readonly proxyPassword: string | undefined;
  readonly log: Logger;

  constructor(readonly cfg: CollectorConfig, private readonly deps: CollectorDeps) {
    this.log = this.logger();
    const env = deps.env ?? process.env;
    this.secrets = inputSecretStore(cfg.inputs, (s) => this.desc(s), env, this.log, cfg.accounts ?? []);
    this.token = hecToken(cfg, env, this.log);
    this.proxyPassword = hecProxyPassword(cfg, env, this.log);
  }

  get signal(): AbortSignal {
    return this.ctrl.signal;
  }

  /** The inputs of collector.json, enabled or not, that name the account `kind://name`. */
  private inputsNaming(kind: string, name: string): number {
    return this.cfg.inputs.filter((i) => {
      const d = this.deps.descriptions.find((x) => x.scheme === i.scheme);
      return d?.account?.kind === kind && accountNamed(d, i.params) === name;
    }).length;
  }

  private desc(scheme: string): InputDescription {
    const d = this.deps.descriptions.find((x) => x.scheme === scheme);
    if (!d) throw new ConfigError(`Unknown input scheme "${scheme}".`, 'scheme');
    return d;
  }

  private logger(stanza?: string): Logger {
    return createLogger({
      input: LOG_NAME,
      ...(stanza ? { stanza } : {}),
      level: this.cfg.log_level ?? 'INFO',
      logDir: this.cfg.log_dir ?? path.join(this.cfg.state_dir, 'log'),
      ...(this.deps.stderr ? { stderr: this.deps.stderr } : {}),
      ...(this.token ? { secrets: [this.token, ...(this.proxyPassword ? [this.proxyPassword] : [])] } : {}),
    });
  }

  private makeSink(log: Logger): Sink {
    const s = this.cfg.sink;
    if (s.type === 'ndjson') return new NdjsonSink(s.path);
    return new HecSink({
      endpoints: s.endpoints,
      token: this.token,
      log,
      // No stop signal: on SIGTERM the batch in hand is still delivered and acknowledged, so its
      // checkpoint can move; a second signal exits at once (the batch is then resent next time).
      ...(s.ack !== undefined ? { ack: s.ack } : {}),
      ...(s.gzip !== undefined ? { gzip: s.gzip } : {}),
      ...(s.verify_tls !== undefined ? { verifyTls: s.verify_tls } : {}),
      ...(s.ca_cert_path ? { caCertPath: s.ca_cert_path } : {}),
      ...(s.proxy_url ? { proxyUrl: s.proxy_url } : {}),
      ...(s.proxy_username ? { proxyUsername: s.proxy_username } : {}),
      ...(this.proxyPassword ? { proxyPassword: this.proxyPassword } : {}),
      ...(s.batch_events ? { batchEvents: s.batch_events } : {}),
      ...(s.batch_bytes ? { batchBytes: s.batch_bytes } : {}),
      ...(s.max_in_flight ? { maxInFlight: s.max_in_flight } : {}),
      ...(s.retries !== undefined ? { retry: { retries: s.retries } } : {}),
      ...(s.timeout ? { timeoutMs: s.timeout * 1000 } : {}),
      ...(s.ack_timeout ? { ackTimeoutMs: s.ack_timeout * 1000 } : {}),
      ...(s.channel ? { channel: s.channel } : {}),
    });
  }

  /** One run of one input; never two at once for the same input. */
  runInput(input: InputConfig): Promise<RunSummary> {
    const busy = this.running.get(input.name);
    if (busy) return busy;
    const p = this.doRun(input).finally(() => this.running.delete(input.name));
    this.running.set(input.name, p);
    return p;
  }

  private async doRun(input: InputConfig): Promise<RunSummary> {
    this.lastStart.set(input.name, Date.now());
    const stanza = `${input.scheme}://${input.name}`;
    const desc = this.desc(input.scheme);
    const log = this.logger(stanza);
    const sink = this.makeSink(log);
    const checkpointDir = path.join(this.cfg.state_dir, 'checkpoints');
    let summary: RunSummary;
    try {
      const source = await this.deps.loadSource(input.scheme);
      summary = await runStanza(source, stanza, stanzaParams(input, desc, this.secrets), {
        sink,
        checkpoint: fileCheckpointStore(checkpointDir, stanza),
        secrets: this.secrets,
        accounts: standaloneAccountSource(this.cfg.accounts ?? [], this.secrets, accountKinds(this.deps.descriptions), (kind, name) => this.inputsNaming(kind, name)),
        log,
        makeHttp: this.deps.makeHttp ?? createHttpClient,
        signal: this.ctrl.signal,
        stateDir: path.join(this.cfg.state_dir, 'state', checkpointKey(stanza)),
        defaults: { ...(this.cfg.defaults ?? {}) },
      });
    } finally {
      await sink.close().catch((e: unknown) => log.error(`${stanza}: closing the sink failed: ${(e as Error).message}`));
    }
    this.deps.onRun?.(summary);
    return summary;
  }

  enabled(): InputConfig[] {
    return this.cfg.inputs.filter((i) => !i.disabled);
  }

  /** Every enabled input once, concurrently; resolves with their summaries. */
  async runOnce(): Promise<RunSummary[]> {
    await this.ensureDirs();
    return Promise.all(this.enabled().map((i) => this.runInput(i)));
  }

  private async ensureDirs(): Promise<void> {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(this.cfg.state_dir, 'checkpoints'), { recursive: true });
  }

  /**
   * Schedules every enabled input: a cron `schedule` as given; an `interval` (default the
   * input's splunkd default) as a run at start and then once the interval has passed since the
   * last run started, checked every second, so any number of seconds works and a long run is
   * never overlapped.
   */
  async start(): Promise<void> {
    await this.ensureDirs();
    let tickNeeded = false;
    for (const input of this.enabled()) {
      if (input.schedule) {
        const task = createTask(input.schedule, () => this.fire(input), { name: input.name, noOverlap: true });
        this.tasks.push(task);
      } else {
        tickNeeded = true;
        this.fire(input);
      }
    }
    if (tickNeeded) {
      this.tasks.push(createTask('* * * * * *', () => {
        for (const input of this.enabled()) {
          if (input.schedule || this.running.has(input.name)) continue;
          const every = (input.interval ?? this.desc(input.scheme).defaultInterval) * 1000;
          if (Date.now() - (this.lastStart.get(input.name) ?? 0) >= every) this.fire(input);
        }
      }, { name: 'interval-inputs' }));
    }
    for (const t of this.tasks) await t.start();
  }

  /** A scheduled run: nobody awaits it, so a failure outside runStanza's own handling is logged here. */
  private fire(input: InputConfig): void {
    this.runInput(input).catch((e: unknown) => {
      this.log.error(`${input.scheme}://${input.name}: the run could not start: ${(e as Error)?.message ?? String(e)}`);
    });
  }

  /** Stops scheduling, lets each running input finish its batch in hand, and waits for it. */
  async stop(reason = 'stopped'): Promise<void> {
    for (const t of this.tasks.splice(0)) await t.destroy();
    this.ctrl.abort(new Error(reason));
    await Promise.allSettled([...this.running.values()]);
  }
}
