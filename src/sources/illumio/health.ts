/**
 * PCE health (GET [api_version]/health) as events for the coming `illumio_pce_health` input
 * (sourcetype `illumio:pce:health`): one event per cluster, per node and per service on a node,
 * each with a status an alert can test.
 *
 * The guide documents what the answer tells (uptime, runlevel, overall status normal/warning/
 * error; per node hostname, IP, uptime, runlevel, core or data, primary or replica database and
 * replication delay; degraded or failed services) and that the API exists only on PCEs installed
 * on-premises, but not the field names. ASSUMPTION: the names below follow Illumio's public
 * docs (an array of clusters with `fqdn`, `status`, `available_seconds`, `nodes[]` with
 * `hostname`, `ip_address`, `type`, `runlevel`, `uptime_seconds`, `services` {status, running,
 * partial, not_running, optional}); every field is read defensively, so a PCE that names one
 * differently yields an event without it rather than none.
 */
import { ConfigError, ProtocolError } from '../../core/errors';
import type { OutEvent, SourceContext } from '../../core/types';
import { apiBase, PceClient, type PceSettings } from './client';

export const HEALTH_SOURCETYPE = 'illumio:pce:health';

/** What each list in a node's `services` means, as the status an analyst searches for. */
const SERVICE_STATES: Record<string, string> = { running: 'running', partial: 'degraded', not_running: 'failed', optional: 'optional' };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.map((s) => (typeof s === 'string' ? s : str(obj(s)?.name) ?? JSON.stringify(s))) : []);

/** Drops undefined so events carry only what the PCE said. */
function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The events for one health answer; `nowMs` stamps them when the PCE gives no generated_at. */
export function healthEvents(body: unknown, nowMs: number): OutEvent[] {
  const clusters = Array.isArray(body) ? body : obj(body) ? [body] : [];
  const out: OutEvent[] = [];
  const push = (o: Obj, t: number) => out.push({ time: t / 1000, data: JSON.stringify(compact(o)), sourcetype: HEALTH_SOURCETYPE });
  for (const raw of clusters) {
    const c = obj(raw);
    if (!c) continue;
    const generated = Date.parse(String(c.generated_at));
    const t = Number.isNaN(generated) ? nowMs : generated;
    const fqdn = str(c.fqdn);
    const nodes = Array.isArray(c.nodes) ? c.nodes.map(obj).filter((n): n is Obj => !!n) : [];
    let degraded = 0;
    let failed = 0;
    for (const n of nodes) {
      const s = obj(n.services) ?? {};
      degraded += names(s.partial).length;
      failed += names(s.not_running).length;
    }
    push({
      kind: 'cluster', fqdn, type: str(c.type), status: str(c.status), runlevel: num(c.runlevel), available_seconds: num(c.available_seconds),
      generated_at: str(c.generated_at), nodes: nodes.length, degraded_services: degraded, failed_services: failed,
      notifications: Array.isArray(c.notifications) ? c.notifications : undefined,
    }, t);
    for (const n of nodes) {
      const s = obj(n.services) ?? {};
      const db = obj(n.database);
      const disks = Array.isArray(n.disk) ? n.disk.map((d) => num(obj(obj(d)?.value)?.percent)).filter((p): p is number => p !== undefined) : [];
      const hostname = str(n.hostname);
      const nodeType = str(n.type);
      push({
        kind: 'node', fqdn, generated_at: str(c.generated_at), hostname, ip_address: str(n.ip_address), node_type: nodeType, runlevel: num(n.runlevel), uptime_seconds: num(n.uptime_seconds),
        status: str(s.status), cpu_percent: num(obj(n.cpu)?.percent), memory_percent: num(obj(n.memory)?.percent),
        disk_percent: disks.length ? Math.max(...disks) : undefined,
        database_role: str(db?.role), replication_lag_seconds: num(db?.replication_lag_seconds),
        services_running: names(s.running).length, services_degraded: names(s.partial), services_failed: names(s.not_running),
      }, t);
      for (const [list, status] of Object.entries(SERVICE_STATES)) {
        for (const service of names(s[list])) push({ kind: 'service', fqdn, generated_at: str(c.generated_at), hostname, node_type: nodeType, service, status }, t);
      }
    }
  }
  return out;
}

/** GETs /api/v2/health through the events input's client and turns it into events. */
export async function fetchHealth(settings: PceSettings, ctx: SourceContext): Promise<OutEvent[]> {
  const client = new PceClient(ctx.http, settings);
  let body: unknown;
  try {
    const res = await client.request({ url: `${apiBase(settings.pceUrl)}/api/v2/health`, signal: ctx.signal }, 'health API');
    body = await res.json();
  } catch (e) {
    if (e instanceof ConfigError && /HTTP 404/.test(e.message)) {
      throw new ConfigError(`${e.message} The PCE health API exists only on PCEs installed on-premises, not on Illumio Cloud (SaaS); disable this input for a SaaS PCE.`, 'pce_url', { cause: e });
    }
    throw e;
  }
  const events = healthEvents(body, ctx.now());
  if (!events.length) {
    throw new ProtocolError(`${ctx.stanza}: the PCE ${client.where} answered /api/v2/health with no cluster object (${JSON.stringify(body).slice(0, 80)}).`);
  }
  return events;
}
