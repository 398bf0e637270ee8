/**
 * CIM `src` is the client address of an event. Prisma SaaS incidents, policy violations and
 * remediations name the cloud app the asset lives in; that app is `dest` (and `app`), never `src`.
 */
import { isIP } from 'node:net';
import { appKnowledge, goldenLines } from './support';

describe('Prisma SaaS src', () => {
  const kb = appKnowledge();
  const events = goldenLines('pan:prisma_saas').map((raw) => kb.evaluate(raw, { sourcetype: 'pan:prisma_saas' }).fields);

  it('is a client address or absent on every golden event', () => {
    const bad = events.map((f) => f.get('src')?.[0]).filter((s) => s !== undefined && !isIP(s));
    expect(bad).toEqual([]);
  });

  it('leaves an incident the cloud app as dest and app, with no src', () => {
    const incidents = events.filter((f) => ['incident', 'policy_violation', 'remediation'].includes(f.get('log_type')?.[0] ?? ''));
    expect(incidents.length).toBeGreaterThan(0);
    for (const f of incidents) {
      expect({ src: f.get('src'), dest: f.get('dest'), app: f.get('app') }).toEqual({ src: undefined, dest: f.get('cloud_app_instance'), app: f.get('cloud_app_instance') });
    }
  });
});
