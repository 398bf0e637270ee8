/**
 * The Lacework Edge simulator as the benches start it (SourceModule.simulator): a tenant with
 * `events` audit events over the last day (and no alerts).
 */
import type { SimulatorHandle, SourceSimulator } from '../../../core/source-hooks';
import { startLaceworkSimulator } from './index';

const DAY = 86_400_000;

export const simulator: SourceSimulator = {
  async start(events: number): Promise<SimulatorHandle> {
    const now = Date.now();
    const sim = await startLaceworkSimulator({ seed: 5 });
    sim.addAuditEvents(events, now - DAY, now - 1000);
    return {
      params: { base_url: sim.url, api_token: sim.token, start_date: '-25h', window: '3600' },
      floorEvents: async () => JSON.stringify(sim.auditEvents()),
      refill: () => undefined,
      stop: () => sim.stop(),
    };
  },
};
