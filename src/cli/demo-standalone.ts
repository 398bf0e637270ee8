/**
 * `npm start -- --standalone`: the standalone collector as a Splunk Cloud or container customer
 * runs it, on one machine. The vendors' simulators as in the normal demo; a loopback HEC receiver
 * (src/core/standalone/hec-receiver.ts) with indexer acknowledgement in place of Splunk; and the
 * collector's bundle — the file dist/ta-zerotrust-collector-<version>.tgz ships — run with node
 * on a collector.json written under the demo folder, secrets passed in its environment only.
 *
 * Progress is what HEC received and acknowledged; the summary counts per input and sourcetype
 * what the receiver acknowledged, and the events go to out/hec.run<N>.events.ndjson. Checkpoints
 * stay in the collector's state_dir, so a second run sends only new events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleCollector, COLLECTOR_JS } from '../build/collector-package';
import { startHecReceiver, type HecEventRecord } from '../core/standalone/hec-receiver';
import { accountSecretEnvName, secretEnvName } from '../core/standalone/config';
import { SOURCE_MODULES } from '../sources';
import {
  countEvent, newInputRun, nextRun, printPreview, shownDir, startSimulators, summaryTable, type InputRun, type Options,
} from './demo-run';
import { descriptionOf, standaloneParams } from './standalone-params';

/** `<time> <scheme>://<name>: ok, 120 events in 1 batches, 0 errors, 2.3 s` (src/cli/ta-zerotrust.ts) */
const RUN_LINE = /^\S+ ([a-z_]+):\/\/(\S+): (ok|interrupted|failed \([^)]*\)), (\d+) events in \d+ batches, (\d+) errors, ([\d.]+) s$/;

export async function runStandalone(opts: Options, out: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const where = shownDir(opts.dir);
  const tty = !!out.isTTY;
  const { state, stateFile, run } = nextRun(opts.dir, out, 'standalone collector demo');
  const bundle = path.join(opts.dir, 'collector', COLLECTOR_JS);
  out.write(`building ${path.join(where, 'collector', COLLECTOR_JS)} (the bundle of the collector artefact)…\n`);
  await bundleCollector(bundle);

  const closers: (() => Promise<void>)[] = [];
  let child: ChildProcess | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out.write('\nstopping: the collector delivers the batch in hand (Ctrl-C again to quit at once)…\n');
    child?.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runs = new Map<string, InputRun>();
  const outDir = path.join(opts.dir, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const eventsFile = path.join(outDir, `hec.run${run}.events.ndjson`);
  const sink = fs.createWriteStream(eventsFile);
  const progress = { received: 0, acked: 0 };
  try {
    const sims = await startSimulators(state, opts.profile, closers);
    const standaloneInputs = sims.inputs.filter((i) => !i.splunkdOnly);
    for (const i of standaloneInputs) runs.set(`${i.scheme}://${i.name}`, newInputRun(i.scheme, i.label));
    const hec = await startHecReceiver({
      token: randomUUID(),
      ack: true,
      onStore: (r) => {
        progress.received += r.events.length;
      },
      // Counted when acknowledged: what the collector's checkpoints now stand behind.
      onConfirm: (r) => {
        progress.acked += r.events.length;
        for (const e of r.events) record(e);
      },
    });
    closers.push(() => hec.close());
    const record = (e: HecEventRecord) => {
      const data = typeof e.event === 'string' ? e.event : JSON.stringify(e.event);
      const r = runs.get(e.source ?? '');
      if (r) countEvent(r, e.sourcetype ?? '', data, opts.profile.previewPerSourcetype);
      sink.write(`${JSON.stringify({ time: e.time, source: e.source, sourcetype: e.sourcetype, index: e.index, event: data })}\n`);
    };
    if (interrupted) return 130;
    fs.writeFileSync(stateFile, `${JSON.stringify(state)}\n`);
    out.write(`simulators: ${sims.line}\nHEC receiver: ${hec.url} (indexer acknowledgement on; token only in the collector's environment)\n`);

    // Each input's parameters as collector.json takes them; its secrets go to the environment.
    const secretEnv: Record<string, string> = {};
    const inputs = standaloneInputs.map((i) => {
      const { params, secrets } = standaloneParams(descriptionOf(SOURCE_MODULES, i.scheme), i.params);
      for (const [k, v] of Object.entries(secrets)) secretEnv[secretEnvName(i.name, k)] = v;
      return { name: i.name, scheme: i.scheme, interval: 300, params };
    });
    // The connections the inputs name, their secrets in the environment like the inputs'.
    const accounts = sims.accounts.map((a) => {
      const kind = SOURCE_MODULES.flatMap((m) => m.accounts ?? []).find((k) => k.kind === a.kind);
      if (!kind) throw new Error(`no module declares the account kind ${a.kind}`);
      const { params, secrets } = standaloneParams(kind, a.params);
      for (const [k, v] of Object.entries(secrets)) secretEnv[accountSecretEnvName(a.kind, a.name, k)] = v;
      return { name: a.name, kind: a.kind, params };
    });
    const config = {
      state_dir: './state',
      defaults: { index: 'zerotrust', host: 'demo-collector' },
      sink: { type: 'hec', endpoints: [hec.url], ack: true, ack_timeout: 60 },
      accounts,
      inputs,
    };
    const configFile = path.join(opts.dir, 'collector.json');
    fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TA_ZEROTRUST_SECRET_HEC_TOKEN: hec.token,
      ...secretEnv,
    };
    out.write(`collector: node ${path.join(where, 'collector', COLLECTOR_JS)} run --config ${path.join(where, 'collector.json')} --once\n`);

    const started = Date.now();
    const proc = spawn(process.execPath, [bundle, 'run', '--config', 'collector.json', '--once'], { cwd: opts.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    let pending = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      pending += c;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const m = RUN_LINE.exec(line);
        const r = m && runs.get(`${m[1]}://${m[2]}`);
        if (!m || !r) continue;
        r.ms = Number(m[6]) * 1000;
        r.errors = Number(m[5]);
        r.code = m[3] === 'ok' ? 0 : 1;
        if (tty) out.write('\r\x1b[K');
        out.write(`  ${r.label}: ${m[3]}, ${m[4]} events acknowledged by HEC in ${m[6]} s\n`);
      }
    });
    const ticker = tty ? setInterval(() => {
      out.write(`\r  ${((Date.now() - started) / 1000).toFixed(1)} s: HEC received ${progress.received} events, acknowledged ${progress.acked}   `);
    }, 250) : undefined;
    const code = await new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
    if (ticker) clearInterval(ticker);
    if (tty) out.write('\r\x1b[K');
    const results = [...runs.values()];
    for (const r of results) {
      if (r.code === null) r.code = code;
      r.stderr = stderr;
    }
    out.write(`\n${[summaryTable(results), ...sims.summary(results)].join('\n')}\n`);
    out.write(`HEC: ${progress.received} events received, ${progress.acked} acknowledged, ${hec.ackPolls} ack polls; the collector exited ${code}\n`);
    if (stderr.trim()) out.write(`\nthe collector said on stderr:\n${stderr.trim().split('\n').slice(0, 8).map((l) => `  ${l.slice(0, 300)}`).join('\n')}\n`);
    if (opts.preview && !interrupted) await printPreview(out, results, opts.dir);
    out.write(`\nevents: ${where}/out/hec.run${run}.events.ndjson  config: ${where}/collector.json  checkpoints and logs: ${where}/state/\n`);
    if (interrupted) {
      out.write('stopped by Ctrl-C; the checkpoints hold what HEC acknowledged, the next run goes on from there.\n');
      return 130;
    }
    out.write('run `npm start -- --standalone` again to collect only what is new.\n');
    return code === 0 ? 0 : 1;
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await new Promise((r) => sink.end(r));
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
