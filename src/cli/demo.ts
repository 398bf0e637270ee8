/**
 * `npm start`: the add-on working end to end on one machine, in one command.
 *
 * Starts every vendor's simulator (SourceModule.demo) and a splunkd stand-in on loopback, then
 * runs every input through its real launcher (bin/<scheme>.sh) exactly as splunkd does: `<input>` XML
 * on stdin with server_uri/session_key and a checkpoint_dir, the `<stream>` of events read from
 * stdout. Shows progress, a summary (events per input and sourcetype, errors, time) and a
 * `preview` of a few events of each sourcetype: the search-time fields Splunk would show.
 *
 * Everything stays under ./var/demo: checkpoints, the launchers' log files, the event streams,
 * and the simulators' history (state.json). The simulators replay that history on the next start
 * and add what "happened" since, so a second run collects only the new events, as a scheduled
 * input would. Ctrl-C stops the launchers (they finish the batch in hand) and the simulators.
 *
 *   npm start [-- --dir ./var/demo] [--profile full|short] [--no-preview]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SaxesParser } from 'saxes';
import { bundle } from '../build/bundle';
import { parseConf } from '../core/conf/parse';
import { escapeXmlAttr, escapeXmlText } from '../core/protocol';
import { ACCOUNTS_CONF, accountStanza, type AccountDescription } from '../core/account';
import { MASK, type ArgumentDescription } from '../core/description';
import type { DemoAccount, DemoProfileName } from '../core/source-hooks';
import { SOURCE_MODULES } from '../sources';
import {
  countEvent, newInputRun, nextRun, printPreview, PROFILES, shownDir, startSimulators, summaryTable, type InputRun, type Options,
} from './demo-run';
import { startSplunkd, type SplunkdStandIn } from './splunkd-standin';
import { descriptionOf } from './standalone-params';

const ROOT = path.resolve(__dirname, '..', '..');
import { APP_ID as APP } from '../core/app';

const USAGE = 'usage: npm start [-- --standalone] [--dir DIR] [--profile full|short] [--no-preview]';

/** The help text: the vendors and what their simulators hold come from the modules. */
async function help(): Promise<string> {
  const demos = await Promise.all(SOURCE_MODULES.map(async (m) => ({ m, part: await m.demo?.() })));
  const holds = (p: DemoProfileName) => demos.map(({ m, part }) => `${m.title} ${part?.firstRun[p].text ?? 'no demo'}`).join(', ');
  return `${USAGE}
The add-on end to end on this machine: a simulator per vendor (${SOURCE_MODULES.map((m) => m.title).join(', ')})
on 127.0.0.1, every input, a summary table and a preview of the search-time fields of a few
events. Run it again to collect only what is new since.
  (default)        the inputs run through their launchers (bin/<scheme>.sh) as splunkd runs them,
                   against a splunkd stand-in; state under ./var/demo
  --standalone     the standalone collector (the bundle of dist/ta-zerotrust-collector-*.tgz,
                   run with node) delivers into a loopback HEC receiver with indexer
                   acknowledgement; state under ./var/demo-standalone
  --dir DIR        where state, events, checkpoints and logs go
  --profile P      full (default) or short; a first run holds
                     full:  ${holds('full')}
                     short: ${holds('short')}
  --no-preview     skip the preview of search-time fields
`;
}

function parseArgs(argv: string[]): Options | undefined {
  let dir: string | undefined;
  let profile = PROFILES[process.env.TA_ZEROTRUST_DEMO_PROFILE ?? 'full'] ?? PROFILES.full;
  let preview = true;
  let standalone = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return undefined;
    if (a === '--dir') dir = path.resolve(argv[++i] ?? '.');
    else if (a === '--profile') {
      const p = PROFILES[argv[++i] ?? ''];
      if (!p) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
      profile = p;
    } else if (a === '--no-preview') preview = false;
    else if (a === '--standalone') standalone = true;
    else throw new Error(`unknown argument "${a}"; ${USAGE}`);
  }
  return { dir: dir ?? path.join(ROOT, 'var', standalone ? 'demo-standalone' : 'demo'), profile, preview, standalone };
}

function inputXml(splunkd: SplunkdStandIn, checkpointDir: string, stanza: string, params: Record<string, string>): string {
  const ps = Object.entries(params).map(([k, v]) => `<param name="${escapeXmlAttr(k)}">${escapeXmlText(v)}</param>`).join('');
  return `<input><server_host>demo</server_host><server_uri>${escapeXmlText(splunkd.url)}</server_uri>`
    + `<session_key>${escapeXmlText(splunkd.sessionKey)}</session_key><checkpoint_dir>${escapeXmlText(checkpointDir)}</checkpoint_dir>`
    + `<configuration><stanza name="${escapeXmlAttr(stanza)}">${ps}</stanza></configuration></input>`;
}

/** Event metadata splunkd reads from `<event>` besides `<data>`. */
export interface StreamMeta {
  sourcetype: string;
  time?: string;
  source?: string;
  index?: string;
  host?: string;
}

/** Reads splunkd's `<stream>` as it arrives and reports each complete `<event>`. */
export class StreamReader {
  private readonly parser = new SaxesParser();
  private field: string | undefined;
  private meta: StreamMeta = { sourcetype: '' };
  private data = '';
  /** Set when the stream is not well-formed XML; splunkd would reject it too. */
  error: string | undefined;

  constructor(onEvent: (meta: StreamMeta, data: string) => void) {
    this.parser.on('opentag', (t) => {
      if (t.name === 'event') {
        this.meta = { sourcetype: '' };
        this.data = '';
      }
      this.field = t.name;
    });
    this.parser.on('text', (t) => {
      const f = this.field;
      if (f === 'data') this.data += t;
      else if (f === 'sourcetype' || f === 'time' || f === 'source' || f === 'index' || f === 'host') this.meta[f] = (this.meta[f] ?? '') + t;
    });
    this.parser.on('closetag', (t) => {
      this.field = undefined;
      if (t.name === 'event') onEvent(this.meta, this.data);
    });
    this.parser.on('error', (e) => {
      this.error ??= e.message;
    });
  }

  push(chunk: string): void {
    if (!this.error) this.parser.write(chunk);
  }
}

function launch(
  scheme: string, label: string, xml: string, dir: string, run: number, children: Set<ChildProcess>, samplesPer: number, appDir: string,
): Promise<InputRun> {
  const result = newInputRun(scheme, label);
  const started = Date.now();
  const outDir = path.join(dir, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const events = fs.createWriteStream(path.join(outDir, `${scheme}.run${run}.events.ndjson`));
  // The app as installed under the demo folder: its default/ is the repository's, its local/ what
  // the stand-in writes (the connections of the Accounts tab).
  const env: NodeJS.ProcessEnv = { ...process.env, SPLUNK_HOME: path.join(dir, 'splunk'), TA_ZEROTRUST_NODE: process.execPath, TA_ZEROTRUST_APP_DIR: appDir };
  // Each launcher is a process group leader so Ctrl-C handling reaches the node it execs.
  const child = spawn(path.join(ROOT, 'bin', `${scheme}.sh`), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const reader = new StreamReader((meta, data) => {
    countEvent(result, meta.sourcetype, data, samplesPer);
    events.write(`${JSON.stringify({ ...meta, event: data })}\n`);
  });
  child.stdout.setEncoding('utf8').on('data', (c: string) => reader.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    result.stderr += c;
  });
  child.stdin.end(xml);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      result.code = code;
      result.signal = signal;
      result.ms = Date.now() - started;
      result.errors = (result.stderr.match(/^ERROR /gm) ?? []).length + (reader.error ? 1 : 0);
      if (reader.error) result.stderr += `ERROR the event stream is not well-formed XML: ${reader.error}\n`;
      result.warnings = (result.stderr.match(/^WARN /gm) ?? []).length;
      events.end(() => resolve(result));
    });
  });
}

/** Whether every secret the admin typed was moved to storage/passwords and masked in inputs.conf or the accounts conf. */
function secretsMasked(splunkd: SplunkdStandIn, inputs: readonly { scheme: string; params: Record<string, string> }[], name: string, accounts: readonly DemoAccount[]): boolean {
  const masked = (file: string, stanza: string, args: readonly ArgumentDescription[], params: Record<string, string>) => args
    .filter((a) => a.secret && params[a.name] !== undefined)
    .every((a) => splunkd.conf(file, stanza)?.[a.name] === MASK);
  return inputs.every((i) => masked('inputs', `${i.scheme}://${name}`, descriptionOf(SOURCE_MODULES, i.scheme).args, i.params))
    && accounts.every((a) => masked(ACCOUNTS_CONF, accountStanza(a.kind, a.name), accountKindOf(a.kind).args, a.params));
}

function accountKindOf(kind: string): AccountDescription {
  const found = SOURCE_MODULES.flatMap((m) => m.accounts ?? []).find((a) => a.kind === kind);
  if (!found) throw new Error(`no module declares the account kind ${kind}`);
  return found;
}

/** The demo's app folder: the repository's default/ and a local/ of its own. */
function demoApp(dir: string): string {
  const appDir = path.join(dir, 'app');
  fs.mkdirSync(appDir, { recursive: true });
  const link = path.join(appDir, 'default');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, 'default'), link, 'dir');
  return appDir;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  const out = process.stdout;
  if (!parsed) {
    out.write(await help());
    return 0;
  }
  const opts = parsed;
  if (opts.standalone) return (await import('./demo-standalone')).runStandalone(opts, out);
  const where = shownDir(opts.dir);
  const tty = !!out.isTTY;
  const { state, stateFile, run } = nextRun(opts.dir, out, 'demo');
  out.write('building bin/lib (the bundle the launchers run)…\n');
  await bundle();

  const children = new Set<ChildProcess>();
  const closers: (() => Promise<void>)[] = [];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out.write('\nstopping: the inputs finish the batch in hand (Ctrl-C again to quit at once)…\n');
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  try {
    // The app's KV store collections, as default/collections.conf declares them.
    const collections = parseConf(fs.readFileSync(path.join(ROOT, 'default', 'collections.conf'), 'utf8'), 'collections.conf').stanzas.map((s) => s.name);
    const appDir = demoApp(opts.dir);
    const splunkd = await startSplunkd({ app: APP, collections, mirror: { appDir, files: [ACCOUNTS_CONF] } });
    closers.push(() => splunkd.close());
    const sims = await startSimulators(state, opts.profile, closers);
    if (interrupted) return 130;
    // Saved before collecting: the checkpoints of this run refer to this history.
    fs.writeFileSync(stateFile, `${JSON.stringify(state)}\n`);
    out.write(`simulators: ${sims.line}; splunkd stand-in ${splunkd.url}\n`);

    const cp = (scheme: string) => path.join(opts.dir, 'checkpoints', scheme);
    // Every input is named "demo" in inputs.conf, as an admin might.
    const inputs = sims.inputs.map((i) => ({ ...i, name: 'demo' }));
    for (const i of inputs) {
      fs.mkdirSync(cp(i.scheme), { recursive: true });
      // As in inputs.conf right after the admin created the input: secrets typed in clear, which
      // the input moves to storage/passwords and masks on its first run.
      splunkd.setConf('inputs', `${i.scheme}://${i.name}`, i.params);
    }
    fs.mkdirSync(path.join(opts.dir, 'splunk', 'var', 'log', 'splunk'), { recursive: true });

    const started = Date.now();
    // The connections as the Accounts tab left them: secrets typed in clear, which the first
    // input using each moves to storage/passwords and masks.
    for (const a of sims.accounts) splunkd.setConf(ACCOUNTS_CONF, accountStanza(a.kind, a.name), a.params);
    const pending = inputs.map((i) => launch(i.scheme, i.label, inputXml(splunkd, cp(i.scheme), `${i.scheme}://${i.name}`, i.params), opts.dir, run, children, opts.profile.previewPerSourcetype, appDir));
    const live: InputRun[] = [];
    // Progress: the launchers' events as they stream in.
    const progress = setInterval(() => {
      const counts = [...children].length;
      const line = `  running ${counts} input${counts === 1 ? '' : 's'}, ${((Date.now() - started) / 1000).toFixed(1)} s, ${live.length} done`;
      if (tty) out.write(`\r${line}   `);
    }, 250);
    const results = await Promise.all(pending.map((p) => p.then((r) => {
      live.push(r);
      if (tty) out.write('\r\x1b[K');
      out.write(`  ${r.label}: ${r.events} events in ${(r.ms / 1000).toFixed(1)} s${r.code === 0 ? '' : ` (exit ${r.signal ?? r.code})`}\n`);
      return r;
    })));
    clearInterval(progress);
    if (tty) out.write('\r\x1b[K');

    out.write(`\n${[summaryTable(results), ...sims.summary(results)].join('\n')}\n`);
    const kvDir = dumpKv(splunkd, collections, opts.dir);
    const secretsMoved = secretsMasked(splunkd, inputs, 'demo', sims.accounts);
    if (!interrupted) out.write(`secrets: ${secretsMoved ? 'moved to storage/passwords and masked in inputs.conf by each input' : 'NOT all masked (see the log files)'}\n`);
    for (const a of sims.accounts) {
      const users = inputs.filter((i) => i.params[accountKindOf(a.kind).param] === a.name).length;
      if (!interrupted) out.write(`connection ${accountStanza(a.kind, a.name)}: named by ${users} inputs, its secret stored once (${splunkd.passwords().filter((p) => p.realm === accountStanza(a.kind, a.name)).length} credential in storage/passwords)\n`);
    }
    for (const r of results) {
      if ((r.errors || r.code !== 0) && r.stderr.trim()) out.write(`\n${r.label} said on stderr:\n${r.stderr.trim().split('\n').slice(0, 5).map((l) => `  ${l.slice(0, 300)}`).join('\n')}\n`);
    }

    if (opts.preview && !interrupted) await printPreview(out, results, opts.dir, kvDir);
    out.write(`\nevents: ${where}/out/*.run${run}.events.ndjson  logs: ${where}/splunk/var/log/splunk/  checkpoints: ${where}/checkpoints/\n`);
    if (kvDir) out.write(`KV store: ${where}/kv/ (enrich with it: npm run preview -- --sourcetype <sourcetype> --kv ${where}/kv)\n`);
    if (interrupted) {
      out.write('stopped by Ctrl-C; the checkpoints hold what was delivered, the next run goes on from there.\n');
      return 130;
    }
    out.write('run `npm start` again to collect only what is new.\n');
    return results.every((r) => r.code === 0) ? 0 : 1;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/**
 * The stand-in's KV store as this run left it, one `<collection>.json` per collection with records:
 * what `preview --kv` and the SPL tests read in place of the KV lookups' collections.
 */
function dumpKv(splunkd: SplunkdStandIn, collections: string[], dir: string): string | undefined {
  const kvDir = path.join(dir, 'kv');
  fs.rmSync(kvDir, { recursive: true, force: true });
  const filled = collections.filter((c) => splunkd.kv(c).size > 0);
  if (!filled.length) return undefined;
  fs.mkdirSync(kvDir, { recursive: true });
  for (const c of filled) fs.writeFileSync(path.join(kvDir, `${c}.json`), `${JSON.stringify([...splunkd.kv(c).values()])}\n`);
  return kvDir;
}

if (require.main === module) {
  main().then((code) => process.exit(code)).catch((e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
