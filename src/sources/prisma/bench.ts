/**
 * Prisma SaaS single-event mode on loopback, in this process (one event per request: the HTTP
 * round trip is the cost). Bulk mode is measured through its launcher as splunkd runs it, with
 * its 5 000 events/s target: src/cli/bench-launchers.ts.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchRun } from '../../core/bench-run';
import type { Bench, BenchResult } from '../../core/bench';
import type { SourceBenches } from '../../core/source-hooks';
import { source } from './index';
import { startPrismaSimulator } from './simulator';

const STANZA = 'prisma_saas_log_events://bench';

async function drain(mode: 'bulk' | 'single', events: number): Promise<{ perSecond: number; bytes: number }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'prisma-bench-'));
  const sim = await startPrismaSimulator({ events, longPollMs: 50 });
  try {
    const { summary, seconds, bytes } = await benchRun(source, STANZA, {
      base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret, api_mode: mode, max_runtime: '3600',
    }, dir);
    if (summary.status !== 'ok' || summary.events !== events) {
      throw new Error(`prisma bench: run ${summary.status}, ${summary.events} of ${events} events`);
    }
    return { perSecond: events / seconds, bytes };
  } finally {
    await sim.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function bench(): Promise<BenchResult[]> {
  // A warm-up run so JIT and page cache do not count against the figure.
  await drain('single', 200);
  const single = await drain('single', 2_000);
  return [{ name: 'prisma single drain, in-process (loopback → XML sink)', value: single.perSecond, unit: 'events/s' }];
}

export const benches: Bench[] = [bench];

export const prismaBenches: SourceBenches = {
  benches,
  // Bulk mode as splunkd runs it: a drain of 50 000 queued events at >= 5 000 events/s.
  launchers: [{ input: { scheme: 'prisma_saas_log_events', timeField: 'timestamp' }, events: 50_000, mode: 'bulk', minRate: 5_000 }],
};
