/**
 * `npm run bench -- hec`: the standalone collector as it ships (the one-file bundle of
 * src/build/collector-package.ts, `run --once`, its own process) collecting the first vendor's
 * first bench input (SourceModule.benches) from its simulator (a third process) into a loopback HEC receiver with indexer acknowledgement on,
 * answering and acknowledging as Splunk documents (src/core/standalone/hec-receiver.ts, in this
 * process). Target: >= 20 000 events/s from the first event POST to the last ack, with every
 * event stored and confirmed; the whole run (start-up and download included) is reported too.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { bundleCollector, COLLECTOR_JS } from '../build/collector-package';
import { startHecReceiver } from '../core/standalone/hec-receiver';
import { atLeast, type Bench, type BenchResult } from '../core/bench';
import { SOURCE_MODULES } from '../sources';
import { startSim, workspace } from './bench-launcher';
import { descriptionOf, standaloneParams } from './standalone-params';

const TARGET = 20_000;

export async function hecBench(events = Math.max(50, Math.round(100_000 * Number(process.env.BENCH_SCALE ?? 1)))): Promise<BenchResult[]> {
  let vendor: { name: string; scheme: string } | undefined;
  for (const m of SOURCE_MODULES) {
    const first = (await m.benches?.())?.launchers[0];
    if (first) { vendor = { name: m.name, scheme: first.input.scheme }; break; }
  }
  if (!vendor) throw new Error('hec bench: no source module has a launcher bench to collect from');
  const ws = await workspace();
  const sim = await startSim(ws, vendor.name, events);
  let firstPost: bigint | undefined;
  let stored = 0;
  let confirmed = 0;
  const hec = await startHecReceiver({
    token: '11111111-2222-3333-4444-555555555555',
    onStore: (rec) => { firstPost ??= process.hrtime.bigint(); stored += rec.events.length; },
    onConfirm: (rec) => { confirmed += rec.events.length; },
  });
  try {
    const collectorJs = path.join(ws.dir, COLLECTOR_JS);
    await bundleCollector(collectorJs);
    await fsp.writeFile(path.join(ws.dir, 'hec_token'), hec.token, { mode: 0o600 });
    const { params, secrets } = standaloneParams(descriptionOf(SOURCE_MODULES, vendor.scheme), sim.params);
    for (const [k, v] of Object.entries(secrets)) {
      await fsp.writeFile(path.join(ws.dir, k), v, { mode: 0o600 });
      params[`${k}_file`] = path.join(ws.dir, k);
    }
    const config = {
      state_dir: path.join(ws.dir, 'collector'),
      log_level: 'WARN',
      sink: { type: 'hec', endpoints: [hec.url], token_file: path.join(ws.dir, 'hec_token'), ack: true },
      inputs: [{ name: 'bench', scheme: vendor.scheme, params }],
    };
    const cfgFile = path.join(ws.dir, 'collector.json');
    await fsp.writeFile(cfgFile, JSON.stringify(config));
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [collectorJs, 'run', '--config', cfgFile, '--once'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const ended = process.hrtime.bigint();
    if (code !== 0) throw new Error(`ta-zerotrust run --once exited ${code}: ${output.slice(0, 2000)}`);
    // At-least-once: a resend may store a batch twice; none may be missing or unconfirmed.
    if (stored < events || confirmed < events) throw new Error(`hec bench: ${stored} events stored, ${confirmed} confirmed, of ${events}`);
    const delivery = events / (Number(ended - (firstPost ?? started)) / 1e9);
    const whole = events / (Number(ended - started) / 1e9);
    return [
      { name: `standalone → HEC (acks on) ${events}: first POST to last ack`, value: delivery, unit: 'events/s', ...atLeast(Math.round(delivery), TARGET) },
      { name: `standalone → HEC (acks on) ${events}: whole run incl. start-up and download`, value: whole, unit: 'events/s' },
      { name: `standalone → HEC (acks on) ${events}: ack polls`, value: hec.ackPolls, unit: 'polls' },
      { name: `standalone → HEC (acks on) ${events}: events stored beyond one copy (resends)`, value: stored - events, unit: 'events' },
    ];
  } finally {
    await hec.close();
    await sim.stop();
    await ws.close();
  }
}

export const benches: Bench[] = [() => hecBench()];
