/**
 * A vendor simulator in its own process for the launcher benches (src/cli/bench-launcher.ts), so
 * the input's process is measured alone:
 *   node --import tsx src/cli/bench-sim.ts <illumio|prisma|lacework> <events> <floor file>
 * Prints one JSON line (the input's parameters, without the stanza name) once listening, and
 * writes the vendor's events as one JSON array to <floor file> (the floor process's input).
 * Illumio renders every body once (its cache); Prisma's queue is refilled with the same events by
 * a `fill` line on stdin (answered `filled`), since a drain empties it.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { connectionOptions, createHttpClient } from '../core/http';
import { PceClient } from '../sources/illumio/client';
import { startIllumioSimulator } from '../sources/illumio/simulator/server';
import { startLaceworkSimulator } from '../sources/lacework/simulator';
import { startPrismaSimulator } from '../sources/prisma/simulator';
import { eventGenerator } from '../sources/prisma/simulator/events';

const DAY = 86_400_000;

async function illumioDatafile(p: Record<string, string>): Promise<string> {
  const http = createHttpClient(connectionOptions({ timeout: 60 }));
  try {
    const pce = new PceClient(http, { pceUrl: p.pce_url, org: Number(p.org_id), keyId: p.api_key_id, secret: p.api_secret, stanza: 'illumio_pce_events://bench' });
    const now = Date.now();
    const { job, retryAfterMs } = await pce.startAsync({ gte: now - 3 * 3600e3, lte: now - 30_000 });
    const href = await pce.waitForJob(job, retryAfterMs);
    return await (await pce.request({ url: `${p.pce_url}/api/v2${href}` }, 'datafile')).text();
  } finally {
    await http.close();
  }
}

async function main(): Promise<void> {
  const [kind, countArg, floorFile] = process.argv.slice(2);
  const n = Number(countArg);
  if (!floorFile || !Number.isInteger(n) || n <= 0) throw new Error('usage: bench-sim.ts <illumio|prisma|lacework> <events> <floor file>');
  const now = Date.now();
  let params: Record<string, string>;
  let onFill = (): void => undefined;
  let stop: () => Promise<void>;
  if (kind === 'illumio') {
    const sim = await startIllumioSimulator({
      rateLimit: { requests: 100_000, windowMs: 60_000 }, cacheRendered: true, jobRetryAfterSec: 0,
      events: [{ count: n, fromMs: now - 2 * 3600e3, toMs: now - 60e3 }],
    });
    params = { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h' };
    stop = () => sim.stop();
    // The floor's bytes are the datafile's, fetched once through the async collection.
    fs.writeFileSync(floorFile, await illumioDatafile(params));
  } else if (kind === 'prisma') {
    const gen = eventGenerator();
    const events = Array.from({ length: n }, () => gen());
    const sim = await startPrismaSimulator({ events, longPollMs: 50 });
    params = { base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret, api_mode: 'bulk', max_runtime: '3600' };
    fs.writeFileSync(floorFile, JSON.stringify(events));
    let first = true;
    onFill = () => { if (!first) sim.enqueue(events); first = false; };
    stop = () => sim.stop();
  } else if (kind === 'lacework') {
    const sim = await startLaceworkSimulator({ seed: 5 });
    sim.addAuditEvents(n, now - DAY, now - 1000);
    params = { base_url: sim.url, api_token: sim.token, start_date: '-25h', window: '3600' };
    fs.writeFileSync(floorFile, JSON.stringify(sim.auditEvents()));
    stop = () => sim.stop();
  } else {
    throw new Error(`bench-sim: unknown simulator "${kind}" (illumio, prisma, lacework)`);
  }
  process.stdout.write(`${JSON.stringify(params)}\n`);
  readline.createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'fill') { onFill(); process.stdout.write('filled\n'); }
  }).on('close', () => { void stop().then(() => process.exit(0)); });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
