/** Prisma SaaS's part of `npm start` (SourceModule.demo). */
import type { DemoContext, DemoPart, RunningDemo } from '../../core/source-hooks';
import { startPrismaSimulator } from './simulator';

const FIRST = { full: 3000, short: 200 };

export const prismaDemo: DemoPart = {
  firstRun: {
    full: { text: `${FIRST.full} queued events`, events: { prisma_saas_log_events: FIRST.full } },
    short: { text: `${FIRST.short} queued events`, events: { prisma_saas_log_events: FIRST.short } },
  },
  /** The queue is destructive: what earlier runs read is gone; only this run's events are queued. */
  async start(ctx: DemoContext): Promise<RunningDemo> {
    const { runs } = ctx;
    const i = runs.length - 1;
    const count = i === 0 ? FIRST[ctx.profile] : Math.max(20, ctx.newCount(runs[i - 1], runs[i]));
    const sim = await startPrismaSimulator({ events: count, longPollMs: 300, generator: { seed: 7000 + i } });
    return {
      line: `${sim.url} (${sim.stats().queued} queued)`,
      inputs: [{
        scheme: 'prisma_saas_log_events', label: 'Prisma SaaS log events', name: 'prisma',
        params: { base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret, max_runtime: '60' },
      }],
      stop: () => sim.stop(),
    };
  },
};
