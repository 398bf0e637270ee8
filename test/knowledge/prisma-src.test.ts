/**
 * Prisma SaaS `src`: a client address where the event has one. Incidents, policy violations and
 * remediations (tagged alert) have none; CIM's Alerts model requires src ("the source involved in
 * the alert"), and for them that is the cloud app instance the asset lives in, also their dest and
 * app. Nothing else ever becomes src.
 */
import { isIP } from 'node:net';
import { appKnowledge, goldenLines } from './support';

const ALERT_TYPES = ['incident', 'policy_violation', 'remediation'];

describe('Prisma SaaS src', () => {
  const kb = appKnowledge();
  const events = goldenLines('pan:prisma_saas').map((raw) => kb.evaluate(raw, { sourcetype: 'pan:prisma_saas' }).fields);

  it('is a client address, or absent, on every event that is not an alert', () => {
    const others = events.filter((f) => !ALERT_TYPES.includes(f.get('log_type')?.[0] ?? ''));
    expect(others.length).toBeGreaterThan(0);
    const bad = others.map((f) => f.get('src')?.[0]).filter((s) => s !== undefined && !isIP(s));
    expect(bad).toEqual([]);
  });

  it('gives an alert without a client address the cloud app as src, dest and app', () => {
    const alerts = events.filter((f) => ALERT_TYPES.includes(f.get('log_type')?.[0] ?? '') && !isIP(f.get('source_ip')?.[0] ?? '') && !isIP(f.get('ip')?.[0] ?? ''));
    expect(alerts.length).toBeGreaterThan(0);
    for (const f of alerts) {
      const appInstance = f.get('cloud_app_instance');
      expect(appInstance).toBeDefined();
      expect({ src: f.get('src'), dest: f.get('dest'), app: f.get('app') }).toEqual({ src: appInstance, dest: appInstance, app: appInstance });
    }
  });
});
