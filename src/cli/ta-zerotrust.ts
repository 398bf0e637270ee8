/**
 * `ta-zerotrust`: the standalone collector, for teams that run collection outside a heavy
 * forwarder (containers, several collectors feeding the indexer tier over HEC).
 *
 *   ta-zerotrust run   --config collector.json [--once]   schedule the inputs (or run each once)
 *   ta-zerotrust check --config collector.json            validate the file and the secrets
 *
 * Secrets come from the environment or from files the config names, never from argv: the
 * command line of a process is readable by every user of the host.
 */
import { displayUrl } from '../core/log/redact';
import { closeLoggers } from '../core/log';
import type { RunSummary } from '../core/runtime';
import { Collector } from '../core/standalone/collector';
import { loadCollectorConfig } from '../core/standalone/config';
import { errorMessage } from '../core/errors';
import { descriptionsOf, loadSource as loadFrom } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';

const descriptions = descriptionsOf(SOURCE_MODULES);
const loadSource = (scheme: string) => loadFrom(SOURCE_MODULES, scheme);

/** How the command is started: the bundle of the collector artefact, or `npx ta-zerotrust` in a checkout. */
const PROG = process.env.TA_ZEROTRUST_COLLECTOR_VERSION ? 'node ta-zerotrust-collector.js' : 'ta-zerotrust';

const USAGE = `usage: ${PROG} run --config <collector.json> [--once]
       ${PROG} check --config <collector.json>
       ${PROG} --help | <command> --help | --version`;

const HELP: Record<'top' | 'run' | 'check', string> = {
  top: `ta-zerotrust: the standalone collector of TA-zerotrust-events. Runs the add-on's inputs
(${descriptions.map((d) => d.title).join(', ')}) outside Splunk and
sends their events to Splunk's HTTP Event Collector (HEC) or to NDJSON files.

${USAGE}

commands:
  run     schedule the inputs of the config file (cron "schedule" or "interval" seconds) until
          SIGINT/SIGTERM; with --once, run every enabled input once and exit (0 when all succeeded)
  check   validate the config file and that every secret can be read; print the schedule and sink

The config file: see collector.example.json (errors name the field, e.g. inputs[1].params.org_id).
Secrets are never read from the config file or the command line:
  HEC token           TA_ZEROTRUST_SECRET_HEC_TOKEN, or a file named by sink.token_file
  input secrets       TA_ZEROTRUST_SECRET_<INPUT NAME>_<PARAM> (upper case, other characters as _),
                      e.g. TA_ZEROTRUST_SECRET_PCE_PROD_API_SECRET, or a file named by params.<param>_file
Checkpoints, state and logs go under state_dir (default ./var/collector); a checkpoint moves only
after the sink took the events (HEC: after the indexers acknowledged them when sink.ack is true).
`,
  run: `usage: ${PROG} run --config <collector.json> [--once]
Runs the inputs of the config file on their schedules until SIGINT or SIGTERM (the batch in hand
is delivered first; a second signal quits at once). Prints one line per finished run.
  --config FILE   the collector config (see collector.example.json)
  --once          run every enabled input once, then exit: 0 when every run succeeded, 1 otherwise
`,
  check: `usage: ${PROG} check --config <collector.json>
Validates the config file against the inputs' parameters and reads every secret it needs
(environment or files), without contacting any server. Exit 0 when the collector could start.
  --config FILE   the collector config (see collector.example.json)
`,
};

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface Args {
  command: 'run' | 'check';
  config: string;
  once: boolean;
}

class UsageError extends Error {}

const isHelp = (a: string | undefined) => a === '--help' || a === '-h' || a === 'help';

/** The help text asked for by argv, if any (`--help`, `help`, `<command> --help`). */
export function helpFor(argv: string[]): string | undefined {
  if (!argv.some(isHelp)) return undefined;
  const cmd = argv.find((a) => a === 'run' || a === 'check');
  return cmd ? HELP[cmd] : HELP.top;
}

export function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'check') throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  let config: string | undefined;
  let once = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const m = /^--config(?:=(.*))?$/.exec(a);
    if (m) {
      config = m[1] ?? rest[++i];
      if (!config) throw new UsageError('--config needs a file');
    } else if (a === '--once' && command === 'run') once = true;
    else if (/^--(token|secret|password|api[-_]?(secret|token|key))/i.test(a)) {
      throw new UsageError(`${a.split('=')[0]}: secrets are not taken from the command line (other users of this host can read it); use the environment or a file named in the config`);
    } else throw new UsageError(`unknown argument "${a.replace(/=.*/, '=…')}"`);
  }
  if (!config) throw new UsageError('--config is required');
  return { command, config, once };
}

function summaryLine(s: RunSummary): string {
  const status = s.interrupted ? 'interrupted' : s.status === 'ok' ? 'ok' : `failed (${s.errorKind})`;
  return `${new Date().toISOString()} ${s.stanza}: ${status}, ${s.events} events in ${s.batches} batches, ${s.errors} errors, ${(s.durationMs / 1000).toFixed(1)} s\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === '--version') {
    io.stdout.write(`${process.env.TA_ZEROTRUST_COLLECTOR_VERSION ?? 'development (run from the source tree)'}\n`);
    return 0;
  }
  const help = helpFor(argv);
  if (help) {
    io.stdout.write(help);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`ta-zerotrust: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let collector: Collector;
  try {
    const cfg = loadCollectorConfig(args.config, descriptions);
    collector = new Collector(cfg, {
      descriptions,
      loadSource,
      env: io.env,
      stderr: io.stderr,
      onRun: (s) => io.stdout.write(summaryLine(s)),
    });
  } catch (e) {
    io.stderr.write(`ta-zerotrust: ${errorMessage(e)}\n`);
    return 1;
  }
  if (args.command === 'check') {
    for (const i of collector.cfg.inputs) {
      const when = i.disabled ? 'disabled' : i.schedule ? `cron "${i.schedule}"` : `every ${i.interval ?? descriptions.find((d) => d.scheme === i.scheme)!.defaultInterval} s`;
      io.stdout.write(`${i.scheme}://${i.name}: ${when}\n`);
    }
    // Shown without credentials or query (a token pasted into an endpoint URL stays out of terminals and CI logs).
    io.stdout.write(`sink: ${collector.cfg.sink.type === 'hec' ? `HEC ${collector.cfg.sink.endpoints.map((u) => displayUrl(u)).join(', ')}` : `NDJSON ${collector.cfg.sink.path}`}; state in ${collector.cfg.state_dir}\n`);
    await closeLoggers();
    return 0;
  }
  let signals = 0;
  let stopping: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    io.stderr.write(`ta-zerotrust: ${sig}: finishing the batches in hand, then stopping (again to quit at once)\n`);
    stopping = collector.stop(`stopped by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (args.once) {
      const summaries = await collector.runOnce();
      return summaries.some((s) => s.status === 'failed') ? 1 : 0;
    }
    await collector.start();
    io.stdout.write(`ta-zerotrust: ${collector.enabled().length} inputs scheduled; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => collector.signal.addEventListener('abort', () => resolve(), { once: true }));
    await stopping;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeLoggers();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
    // Explicit exit: keep-alive sockets of finished runs must not hold the process.
    .then((code) => process.exit(code))
    .catch((e: unknown) => {
      process.stderr.write(`ta-zerotrust: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
