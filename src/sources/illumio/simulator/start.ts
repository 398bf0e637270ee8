/**
 * The PCE simulator as the benches start it (SourceModule.simulator): `events` events over the
 * last two hours, every body rendered once (its cache), no rate limit or job wait in the way.
 * Variant `traffic`: `events` traffic flows instead, last detected between two hours and a
 * quarter of an hour ago (older than the traffic input's lag), every policy decision asked for.
 */
import type { SimulatorHandle, SourceSimulator } from '../../../core/source-hooks';
import { connectionOptions, createHttpClient } from '../../../core/http';
import { PceClient } from '../client';
import { startIllumioSimulator } from './server';

/** The datafile of an async collection over the simulator's span: the bytes an input reads. */
async function datafile(p: Record<string, string>): Promise<string> {
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

/** The flows a traffic collection over the simulator's span reads, as one JSON array (the floor's input). */
function flowsFile(sim: Awaited<ReturnType<typeof startIllumioSimulator>>): string {
  return `[${sim.traffic.flowsBetween(-8.64e15, 8.64e15).map((f) => JSON.stringify(f)).join(',')}]`;
}

async function startTraffic(flows: number): Promise<SimulatorHandle> {
  const now = Date.now();
  const sim = await startIllumioSimulator({
    rateLimit: { requests: 100_000, windowMs: 60_000 }, traffic: { retryAfterSec: 0 },
    flows: [{ count: flows, fromMs: now - 2 * 3600e3, toMs: now - 15 * 60e3 }],
  });
  const params = {
    pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h',
    policy_decisions: 'allowed,potentially_blocked,blocked,unknown',
  };
  return { params, floorEvents: async () => flowsFile(sim), refill: () => undefined, stop: () => sim.stop() };
}

export const simulator: SourceSimulator = {
  async start(events: number, variant?: string): Promise<SimulatorHandle> {
    if (variant === 'traffic') return startTraffic(events);
    if (variant !== undefined) throw new Error(`the Illumio simulator has no variant "${variant}" (known: traffic)`);
    const now = Date.now();
    const sim = await startIllumioSimulator({
      rateLimit: { requests: 100_000, windowMs: 60_000 }, cacheRendered: true, jobRetryAfterSec: 0,
      events: [{ count: events, fromMs: now - 2 * 3600e3, toMs: now - 60e3 }],
    });
    const params = { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h' };
    return { params, floorEvents: () => datafile(params), refill: () => undefined, stop: () => sim.stop() };
  },
};
