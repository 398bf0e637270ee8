/**
 * The Prisma SaaS simulator as the benches start it (SourceModule.simulator): `events` generated
 * events queued for a bulk drain. The queue is destructive, so `refill` queues the same events
 * again before every run but the first.
 */
import type { SimulatorHandle, SourceSimulator } from '../../../core/source-hooks';
import { eventGenerator } from './events';
import { startPrismaSimulator } from './index';

export const simulator: SourceSimulator = {
  async start(n: number): Promise<SimulatorHandle> {
    const gen = eventGenerator();
    const events = Array.from({ length: n }, () => gen());
    const sim = await startPrismaSimulator({ events, longPollMs: 50 });
    let first = true;
    return {
      params: { base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret, api_mode: 'bulk', max_runtime: '3600' },
      floorEvents: async () => JSON.stringify(events),
      refill: () => {
        if (!first) sim.enqueue(events);
        first = false;
      },
      stop: () => sim.stop(),
    };
  },
};
