/**
 * `npm run bench -- hec`: the standalone collector (`ta-zerotrust run --once`, its own process)
 * collecting Illumio events from the simulator (a third process) into a loopback HEC stand-in with
 * indexer acknowledgement on, answering and acknowledging as Splunk documents (test/support/hec.ts,
 * in this process). Target: >= 20 000 events/s from the first event POST to the last ack, with
 * every event stored and confirmed; the whole run (start-up and download included) is reported too.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { startHecStandIn } from '../../test/support/hec';
import { atLeast, type Bench, type BenchResult } from './bench';
import { ROOT, startSim, workspace } from './bench-launcher';

const TARGET = 20_000;

export async function hecBench(events = Math.max(50, Math.round(100_000 * Number(process.env.BENCH_SCALE ?? 1)))): Promise<BenchResult[]> {
  const ws = await workspace();
  const sim = await startSim(ws, 'illumio', events);
  const hec = await startHecStandIn();
  try {
    await fsp.writeFile(path.join(ws.dir, 'hec_token'), hec.token, { mode: 0o600 });
    await fsp.writeFile(path.join(ws.dir, 'api_secret'), sim.params.api_secret, { mode: 0o600 });
    const { api_secret: _secret, ...params } = sim.params;
    const config = {
      state_dir: path.join(ws.dir, 'collector'),
      log_level: 'WARN',
      sink: { type: 'hec', endpoints: [hec.url], token_file: path.join(ws.dir, 'hec_token'), ack: true },
      inputs: [{ name: 'bench', scheme: 'illumio_pce_events', params: { ...params, org_id: Number(params.org_id), api_secret_file: path.join(ws.dir, 'api_secret') } }],
    };
    const cfgFile = path.join(ws.dir, 'collector.json');
    await fsp.writeFile(cfgFile, JSON.stringify(config));
    const started = process.hrtime.bigint();
    let firstPost: bigint | undefined;
    const watch = setInterval(() => { if (firstPost === undefined && hec.stored.length) firstPost = process.hrtime.bigint(); }, 2);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'ta-zerotrust.js'), 'run', '--config', cfgFile, '--once'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const ended = process.hrtime.bigint();
    clearInterval(watch);
    if (code !== 0) throw new Error(`ta-zerotrust run --once exited ${code}: ${output.slice(0, 2000)}`);
    const stored = new Set(hec.events().map((e) => (JSON.parse(String(e.event)) as { href: string }).href));
    const unconfirmed = hec.stored.filter((r) => !r.confirmed).length;
    if (stored.size !== events || unconfirmed) throw new Error(`hec bench: ${stored.size} of ${events} events stored, ${unconfirmed} requests unconfirmed`);
    const delivery = events / (Number(ended - (firstPost ?? started)) / 1e9);
    const whole = events / (Number(ended - started) / 1e9);
    return [
      { name: `standalone → HEC (acks on) ${events}: first POST to last ack`, value: delivery, unit: 'events/s', ...atLeast(Math.round(delivery), TARGET) },
      { name: `standalone → HEC (acks on) ${events}: whole run incl. start-up and download`, value: whole, unit: 'events/s' },
      { name: `standalone → HEC (acks on) ${events}: ack polls`, value: hec.ackPolls, unit: 'polls' },
    ];
  } finally {
    await hec.close();
    await sim.stop();
    await ws.close();
  }
}

export const benches: Bench[] = [() => hecBench()];
