/** The PCE's part of `npm start` (SourceModule.demo): its simulator replaying the demo's history. */
import type { DemoContext, DemoPart, RunningDemo } from '../../core/source-hooks';
import { illumioPceAccount } from './description';
import { startIllumioSimulator } from './simulator';

const DAY = 86_400_000;
const FIRST = { full: 5000, short: 300 };
/** The input stays 30 s behind "now"; a segment ends a second before that. */
const LAG = 31_000;

export const illumioDemo: DemoPart = {
  firstRun: {
    full: { text: `${FIRST.full} events`, events: { illumio_pce_events: FIRST.full } },
    short: { text: `${FIRST.short} events`, events: { illumio_pce_events: FIRST.short } },
  },
  /**
   * The first run's day of history, then per later run the events between the previous run's
   * collection end and this one's, each segment with its own seed so hrefs are the same on every replay.
   */
  async start(ctx: DemoContext): Promise<RunningDemo> {
    const { runs } = ctx;
    const events = runs.map((t, i) => (i === 0
      ? { count: FIRST[ctx.profile], fromMs: t - DAY, toMs: t - LAG, seed: 1000 }
      : { count: ctx.newCount(runs[i - 1], t), fromMs: runs[i - 1] - LAG + 2000, toMs: t - LAG, seed: 1000 + i }))
      .filter((s) => s.count > 0 && s.toMs > s.fromMs);
    // Traffic flows over the same segments (the traffic input stays 10 minutes behind; what it has
    // not reached yet it asks for on the next run).
    const flows = events.map((e) => ({ ...e, seed: e.seed + 500 }));
    const sim = await startIllumioSimulator({ events, flows, traffic: { retryAfterSec: 0 }, jobRetryAfterSec: 0, rateLimit: { requests: 100_000, windowMs: 60_000 } });
    // One PCE connection (the Accounts tab) named by every Illumio input; its secret typed once.
    const pce = { pce_connection: 'pce' };
    return {
      line: `${sim.url} (${sim.size()} events)`,
      accounts: [{ kind: illumioPceAccount.kind, name: 'pce', params: { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret } }],
      inputs: [
        { scheme: 'illumio_pce_events', label: 'Illumio PCE events', name: 'pce', params: { ...pce, start_date: '-25h' } },
        { scheme: 'illumio_pce_traffic', label: 'Illumio PCE traffic flows', name: 'pce-traffic', params: { ...pce, start_date: '-25h', policy_decisions: 'blocked,potentially_blocked,allowed' } },
        { scheme: 'illumio_pce_health', label: 'Illumio PCE health', name: 'pce-health', params: pce },
        { scheme: 'illumio_pce_objects', label: 'Illumio PCE objects (KV store)', name: 'pce-objects', params: pce, splunkdOnly: true },
      ],
      stop: () => sim.stop(),
    };
  },
};
