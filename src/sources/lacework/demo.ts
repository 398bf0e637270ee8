/** Lacework Edge's part of `npm start` (SourceModule.demo): one tenant, its audit log and alerts. */
import type { DemoContext, DemoPart, DemoRunCounts, RunningDemo } from '../../core/source-hooks';
import { startLaceworkSimulator } from './simulator';

const DAY = 86_400_000;
const FIRST = { full: { audit: 1500, alerts: 80 }, short: { audit: 150, alerts: 12 } };

/**
 * What the alert events were: an alert event is written when an alert is first seen and again
 * whenever its status, owner or incident status changes, so events and alerts differ.
 */
export function alertsLine(runs: readonly DemoRunCounts[], tenant: { alerts: number; open: number }): string {
  const n = (k: string) => runs.reduce((sum, r) => sum + (r.changes.get(k) ?? 0), 0);
  const events = n('new') + n('updated');
  const closed = tenant.alerts - tenant.open;
  return `alerts: ${events} alert event${events === 1 ? '' : 's'} = ${n('new')} new alert${n('new') === 1 ? '' : 's'} + ${n('updated')} update${n('updated') === 1 ? '' : 's'} of alerts collected before (status, owner or incident status changed).`
    + ` The tenant has ${tenant.alerts} alerts, ${tenant.open} open${closed ? ` (its alerts API lists open alerts: an alert closed before its first collection is never seen; a later closure is reported as an update)` : ''}.`;
}

export const laceworkDemo: DemoPart = {
  // Alert events depend on the changes the tenant made: only the audit count is known in advance.
  firstRun: {
    full: { text: `${FIRST.full.audit} audit events, ${FIRST.full.alerts} alerts`, events: { lacework_edge_audit: FIRST.full.audit } },
    short: { text: `${FIRST.short.audit} audit events, ${FIRST.short.alerts} alerts`, events: { lacework_edge_audit: FIRST.short.audit } },
  },
  /** The tenant replayed with its own clock, so alert changes keep their times. */
  async start(ctx: DemoContext): Promise<RunningDemo> {
    const first = FIRST[ctx.profile];
    let clock: number | undefined;
    const sim = await startLaceworkSimulator({ seed: 4242, now: () => clock ?? Date.now() });
    ctx.runs.forEach((t, i) => {
      clock = t;
      if (i === 0) {
        sim.addAuditEvents(first.audit, t - DAY, t - 1000);
        sim.addAlerts(first.alerts, t - DAY, t - 1000);
        sim.randomChanges(Math.ceil(first.alerts / 4));
      } else {
        const prev = ctx.runs[i - 1];
        const n = ctx.newCount(prev, t);
        if (n) sim.addAuditEvents(n, prev, t - 1000);
        sim.addAlerts(Math.max(1, Math.round(n / 50)), prev, t - 1000);
        sim.randomChanges(3);
      }
    });
    clock = undefined;
    const alerts = sim.alerts();
    const tenant = { alerts: alerts.length, open: alerts.filter((a) => !a.closed_time).length };
    const params = { base_url: sim.url, api_token: sim.token, start_date: '-25h' };
    return {
      line: `${sim.url} (${sim.auditEvents().length} audit events; ${tenant.alerts} alerts, ${tenant.open} open)`,
      inputs: [
        { scheme: 'lacework_edge_audit', label: 'Lacework Edge audit', name: 'lw_audit', params: { ...params } },
        { scheme: 'lacework_edge_alerts', label: 'Lacework Edge alerts', name: 'lw_alerts', params: { ...params } },
      ],
      summary: (runs) => [alertsLine(runs.filter((r) => r.scheme === 'lacework_edge_alerts'), tenant)],
      stop: () => sim.stop(),
    };
  },
};
