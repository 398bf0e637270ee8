/**
 * The four inputs as the fault matrix sees them: a simulator with a generic fault vocabulary
 * mapped onto each simulator's own fault plan, the ids the vendor holds (what must arrive), and
 * how to read those ids back out of delivered events. Only the outside world is stood in for.
 */
import type { KvStore, Source } from '../../src/core/types';
import type { FaultKind } from './matrix';
import { SCHEMES } from '../support/modules';
import { createHttpClient } from '../../src/core/http';
import { splunkdKvStore } from '../../src/core/kvstore';
import { healthSource, objectsSource, source as illumioSource, trafficSource } from '../../src/sources/illumio';
import { OBJECT_COLLECTIONS } from '../../src/sources/illumio/objects';
import { healthBody, makeFlow, startIllumioSimulator, type Endpoint, type FaultRule, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { flowKey } from '../../src/sources/illumio/traffic';
import { startSplunkd } from '../support/splunkd';
import { alertsSource, auditSource } from '../../src/sources/lacework';
import { startLaceworkSimulator, type SimFault } from '../../src/sources/lacework/simulator';
import { source as prismaSource } from '../../src/sources/prisma';
import { startPrismaSimulator, type Fault as PrismaFault, type PrismaEvent } from '../../src/sources/prisma/simulator';

/** One fault in the simulator, in words every simulator understands. `after`: requests let through first. */
export type ApiFault =
  | { kind: 'status'; status: number; retryAfter?: number; times: number; after: number }
  | { kind: 'reset'; times: number; after: number }
  | { kind: 'slow'; delayMs: number; times: number; after: number }
  | { kind: 'truncate'; after: number }
  | { kind: 'malformed'; after: number }
  | { kind: 'token-expiry'; after: number };

/** Payloads built to hurt: a 10 MB event, markup that tries to close the XML stream, bytes that are not UTF-8. */
export type Payload = 'huge' | 'xml-hostile' | 'invalid-utf8';

export const HUGE_BYTES = 10 * 1024 * 1024;
/** Replaced on the wire by as many bytes that are not UTF-8 (see mangler.ts). */
export const BAD_UTF8_MARKER = '@@BAD-UTF8-MARKER@@';
export const XML_HOSTILE = ']]></data><done/></event></stream><?xml version="1.0"?><stream><event><data>&amp;&#0;\u0000\u0007\u001b\uD800\uFFFE'
  + '<![CDATA[x]]>"\'&nosuch; <!DOCTYPE x [<!ENTITY a "b">]>';

export interface SimHandle {
  url: string;
  /** Secrets the collector is given (for the hygiene checks). */
  secrets: string[];
  /** The CA file to trust when the simulator made its own certificate. */
  caPath?: string;
  /** The secret's parameter, and the non-secret id an auth error should name instead. */
  secretParam: string;
  keyId?: string;
  /** Ids of the last answer taken off a destructive queue (empty for APIs that can be read again). */
  lastDequeued(): string[];
  /** Data requests answered so far (a kill "between fetch and emit" waits for one). */
  dataRequests(): number;
  params(extra?: Record<string, string>): Record<string, string>;
  /** n new events stamped by the vendor's clock at vendorMs. */
  add(n: number, vendorMs: number): void;
  /** Adds one hurtful event; returns its id, or undefined when this API cannot carry it. */
  addPayload(p: Payload, vendorMs: number): string | undefined;
  inject(f: ApiFault): void;
  /** Ids the vendor handed out or still holds: every one must be delivered. */
  expected(): string[];
  /** Ids the service itself dropped (a destructive read whose answer never arrived): no client can deliver them. */
  serviceLost(): string[];
  /** What the input left behind on the vendor that it should have removed (e.g. traffic queries not deleted). */
  residue?(): string[];
  /** Makes the input's own sink (its KV store) fail during the next run, variant n; says how, and what the ERROR must say. */
  sinkFault?(n: number): { how: string; said: RegExp };
  /** The app's KV store (a splunkd stand-in) for inputs that write one, and its records by collection. */
  kvstore?: KvStore;
  kv?(collection: string): Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface InputUnderTest {
  scheme: string;
  stanza: string;
  source: Source;
  /** The parameter holding the API's URL (to route the input through a proxy). */
  urlParam: 'pce_url' | 'base_url';
  /** A destructive queue: a body fault must hit the first read (later reads meet an empty queue). */
  destructive?: boolean;
  /** Faults this input handles as routine, without a WARN (with the reason, for the report). */
  routine?: Partial<Record<string, string>>;
  /** false when the API cannot carry a hurtful payload (the matrix plans more API faults instead). */
  payloads?: boolean;
  /** Whether runs end on their own with a clock the test sets (false: the source reads Date.now for deadlines). */
  injectableClock: boolean;
  /** small: answers of a few events each, so one run takes several reads (for kills mid-run). */
  start(opts?: { tls?: { key: string; cert: string }; port?: number; small?: boolean }): Promise<SimHandle>;
  /** Ids an event carries (a raw-kept body can carry several). */
  idsOf(data: string): string[];
  /** An event kept raw because the vendor's record was not JSON: it counts as arriving, not as a repeat of a later intact copy. */
  keptRaw?(data: string): boolean;
  /**
   * Faults that cannot happen to this input, each with the reason; the report shows the reason
   * and the plan puts API faults in their place. Every other kind is run.
   */
  notApplicable?: Partial<Record<FaultKind, string>>;
  /**
   * A state input (a snapshot per run, not a stream of records): what the vendor holds now must
   * be in the state the last run left, its events (`last`) or the KV store (`kv`); returns the
   * texts to read ids from. Repeats are then counted within that state.
   */
  snapshot?(last: string[], kv: (collection: string) => Record<string, unknown>[]): string[];
  /**
   * A state input that skips one record it cannot read: a 'malformed body' (one element broken)
   * must leave the faulted run ok, with a WARN matching this.
   */
  skipsBadRecord?: RegExp;
  /** KV store collections the input writes (declared on the splunkd stand-in). */
  collections?: string[];
  /** Stanza settings of the kill -9 sessions over spawned.ts's small pages, where this input's differ. */
  spawnParams?: Record<string, string>;
}

const MIN = 60_000;

function jsonField(data: string, field: string): string[] {
  try {
    const v = (JSON.parse(data) as Record<string, unknown>)[field];
    return typeof v === 'string' ? [v] : [];
  } catch {
    // A body kept raw because it did not parse: its ids are still in the text.
    return [...data.matchAll(new RegExp(`"${field}"\\s*:\\s*"([^"]+)"`, 'g'))].map((m) => m[1]);
  }
}

let serial = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++serial}`;

const illumio: InputUnderTest = {
  scheme: 'illumio_pce_events',
  stanza: 'illumio_pce_events://reliability',
  source: illumioSource,
  urlParam: 'pce_url',
  injectableClock: true,
  idsOf: (d) => jsonField(d, 'href'),
  async start(opts = {}) {
    // The PCE simulator makes its own self-signed certificate; caPath is that certificate.
    const sim = await startIllumioSimulator({ jobRetryAfterSec: 0, tls: !!opts.tls, ...(opts.port ? { port: opts.port } : {}) });
    let template: Record<string, unknown> | undefined;
    return pceHandle(sim, 'events', {
      dataRequests: () => sim.served.filter((x) => x.endpoint !== 'health').length,
      params: pceParams(sim, { start_date: '-3h' }),
      add: (n, at) => sim.addEvents(n, at - 20_000, at),
      addPayload(p, at) {
        if (!template) {
          sim.addEvents(1, at, at);
          template = [...sim.eventsBetween(at, at)][0];
        }
        const href = `/orgs/1/events/${uniq(p)}`;
        const ev = JSON.parse(JSON.stringify(template)) as Record<string, unknown> & { created_by: { user: { username: string } } };
        ev.href = href;
        ev.timestamp = new Date(at).toISOString();
        ev.created_by.user.username = hurtful(p);
        sim.addRaw([ev]);
        return href;
      },
      expected: () => sim.hrefsBetween(0, 8.64e15),
    });
  },
};

const prisma: InputUnderTest = {
  scheme: 'prisma_saas_log_events',
  stanza: 'prisma_saas_log_events://reliability',
  source: prismaSource,
  urlParam: 'base_url',
  injectableClock: false,
  destructive: true,
  routine: {
    'token expiry / revoked key': 'an expired token is refreshed and the read repeated (normal operation, DEBUG only)',
    timeout: 'data reads are long polls: their read timeout is max(timeout, 35 s), so the held answer is taken',
  },
  idsOf: (d) => jsonField(d, 'item_name'),
  async start(opts = {}) {
    const sim = await startPrismaSimulator({ longPollMs: 30, ...(opts.small ? { bulkMax: 4 } : {}), ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.port ? { port: opts.port } : {}) });
    let seq = 0;
    const enqueued: string[] = [];
    return {
      url: sim.url,
      secrets: [sim.clientSecret],
      secretParam: 'client_secret',
      keyId: sim.clientId,
      dataRequests: () => sim.requests.filter((x) => x.path.startsWith('/api/') && x.events > 0).length,
      lastDequeued: () => {
        const n = [...sim.requests].reverse().find((x) => x.events > 0)?.events ?? 0;
        return n ? sim.served.slice(-n).map((x) => String(x.event.item_name)) : [];
      },
      params: (extra = {}) => ({ region: 'us', base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret, max_runtime: '30', timeout: '5', ...extra }),
      add(n, at) {
        const events: PrismaEvent[] = [];
        for (let i = 0; i < n; i++) {
          events.push({ log_type: 'activity_monitoring', item_type: 'File', item_name: uniq('file'), serial: '007051000123456', user: 'Wei Chen', action: 'view', timestamp: new Date(at + ++seq).toISOString() });
        }
        enqueued.push(...events.map((e) => String(e.item_name)));
        sim.enqueue(events);
      },
      addPayload(p, at) {
        const id = uniq(p);
        const text = p === 'huge' ? 'x'.repeat(HUGE_BYTES) : p === 'xml-hostile' ? XML_HOSTILE : `before ${BAD_UTF8_MARKER} after`;
        enqueued.push(id);
        sim.enqueue([{ log_type: 'activity_monitoring', item_type: 'File', item_name: id, user: text, action: 'view', timestamp: new Date(at).toISOString() }]);
        return id;
      },
      inject(f) {
        const skip = Array.from({ length: f.after }, (): PrismaFault => ({ kind: 'delay', ms: 0 }));
        const times = (n: number, x: PrismaFault) => Array.from({ length: n }, () => x);
        switch (f.kind) {
          case 'status': sim.faults.push(...skip, ...times(f.times, { kind: 'status', status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) })); break;
          case 'reset': sim.faults.push(...skip, ...times(f.times, { kind: 'reset' })); break;
          case 'slow': sim.faults.push(...skip, ...times(f.times, { kind: 'delay', ms: f.delayMs })); break;
          case 'truncate': sim.faults.push(...skip, { kind: 'truncate' }); break;
          case 'malformed': sim.faults.push(...skip, { kind: 'invalid-json' }); break;
          case 'token-expiry': sim.faults.push(...skip, { kind: 'expire-tokens' }); break;
        }
      },
      // A destructive queue: everything queued except answers that never fully left the service
      // (a reset after dequeue, a truncated body), which no client can get back.
      expected: () => {
        const lost = new Set(sim.served.filter((s) => !s.sent).map((s) => String(s.event.item_name)));
        return enqueued.filter((id) => !lost.has(id));
      },
      serviceLost: () => sim.served.filter((s) => !s.sent).map((s) => String(s.event.item_name)),
      stop: () => sim.stop(),
    };
  },
};

function lacework(kind: 'audit' | 'alerts'): InputUnderTest {
  const scheme = kind === 'audit' ? 'lacework_edge_audit' : 'lacework_edge_alerts';
  return {
    scheme,
    stanza: `${scheme}://reliability`,
    source: kind === 'audit' ? auditSource : alertsSource,
    urlParam: 'base_url',
    injectableClock: true,
    ...(kind === 'alerts' ? { payloads: false } : {}),
    // Alerts: a new alert is one event; later changes are events of their own, keyed apart.
    idsOf: (d) => {
      if (kind === 'audit') return jsonField(d, 'uuid');
      try {
        const r = JSON.parse(d) as { uuid?: string; change_kind?: string };
        return r.change_kind === 'new' && r.uuid ? [r.uuid] : [];
      } catch {
        return [];
      }
    },
    async start(opts = {}) {
      const sim = await startLaceworkSimulator({ seed: 1 + serial, ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.port ? { port: opts.port } : {}) });
      const op = kind === 'audit' ? 'audit' as const : 'alerts' as const;
      return {
        url: sim.url,
        secrets: [sim.token],
        secretParam: 'api_token',
        dataRequests: () => sim.requests.filter((x) => x.status === 200).length,
        lastDequeued: () => [],
        params: (extra = {}) => ({
          base_url: sim.url, api_token: sim.token, auth_header: sim.options.authHeader, auth_scheme: sim.options.authScheme || 'none',
          time_unit: sim.options.timeUnit, start_date: '-3h', window: '1800', timeout: '5', ...extra,
        }),
        add: (n, at) => void (kind === 'audit' ? sim.addAuditEvents(n, at - 20_000, at) : sim.addAlerts(n, at - 20_000, at)),
        addPayload(p, at) {
          // The alert simulator builds its alerts itself; hurtful payloads go through the audit API.
          if (kind === 'alerts') return undefined;
          const [tpl] = sim.addAuditEvents(1, at, at);
          const id = uniq(p);
          const text = p === 'huge' ? 'x'.repeat(HUGE_BYTES) : p === 'xml-hostile' ? XML_HOSTILE : `before ${BAD_UTF8_MARKER} after`;
          sim.pushAuditRecords([{ ...tpl, uuid: id, user_display_name: text, create_time: at }]);
          return id;
        },
        inject(f) {
          const base = { op, after: f.after };
          const add = (x: SimFault) => sim.addFault(x);
          switch (f.kind) {
            case 'status': add({ ...base, times: f.times, kind: 'status', status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) }); break;
            case 'reset': add({ ...base, times: f.times, kind: 'reset' }); break;
            case 'slow': add({ ...base, times: f.times, kind: 'delay', delayMs: f.delayMs }); break;
            case 'truncate': add({ ...base, kind: 'truncate' }); break;
            case 'malformed': add({ ...base, kind: 'malformed' }); break;
            // The token is static; a rotated token answers 401 until the stanza is fixed.
            case 'token-expiry': add({ ...base, kind: 'status', status: 401 }); break;
          }
        },
        expected: () => (kind === 'audit' ? sim.auditEvents().map((e) => e.uuid) : sim.alerts().map((a) => a.uuid)),
        serviceLost: () => [],
        stop: () => sim.stop(),
      };
    },
  };
}

/** The PCE simulator's fault plan in the matrix's words; body faults hit `bodies` (the endpoint whose body the input reads). */
function pceInject(faults: FaultRule[], f: ApiFault, bodies: Endpoint): void {
  const base = { on: 'any' as const, nth: f.after + 1 };
  switch (f.kind) {
    case 'status': faults.push({ ...base, times: f.times, kind: 'status', status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) }); break;
    case 'reset': faults.push({ ...base, times: f.times, kind: 'reset' }); break;
    case 'slow': faults.push({ ...base, times: f.times, kind: 'slow', delayMs: f.delayMs }); break;
    case 'truncate': faults.push({ ...base, on: bodies, kind: 'truncate' }); break;
    case 'malformed': faults.push({ ...base, on: bodies, kind: 'malformed' }); break;
    // An API key has no expiry; a key rotated under the input answers 401 until it is fixed.
    case 'token-expiry': faults.push({ ...base, kind: 'status', status: 401 }); break;
  }
}

const hurtful = (p: Payload) => (p === 'huge' ? 'x'.repeat(HUGE_BYTES) : p === 'xml-hostile' ? XML_HOSTILE : `before ${BAD_UTF8_MARKER} after`);

function pceHandle(sim: IllumioSimulator, bodies: Endpoint, extra: Partial<SimHandle> & Pick<SimHandle, 'params' | 'add' | 'addPayload' | 'expected'>): SimHandle {
  return {
    url: sim.url,
    secrets: [sim.secret],
    ...(sim.caPath ? { caPath: sim.caPath } : {}),
    secretParam: 'api_secret',
    keyId: sim.keyId,
    dataRequests: () => sim.served.filter((x) => x.endpoint === bodies).length,
    lastDequeued: () => [],
    inject: (f) => pceInject(sim.faults, f, bodies),
    serviceLost: () => [],
    stop: () => sim.stop(),
    ...extra,
  };
}

const pceParams = (sim: IllumioSimulator, own: Record<string, string>) => (extra: Record<string, string> = {}) => ({
  pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, timeout: '5', ...own, ...extra,
});

/** A flow kept raw (its text is not JSON) read back leniently: the simulator's corruption leaves one string value unquoted. */
function flowIds(d: string): string[] {
  for (const text of [d, d.replace(/"(policy_decision|name|key|fqdn)":([^",}\]]*)/, '"$1":"$2"')]) {
    try {
      const f = JSON.parse(text) as Record<string, unknown>;
      if (f && typeof f === 'object' && f.timestamp_range) return [flowKey(f)];
    } catch {
      // Not JSON as it stands; the lenient reading is next.
    }
  }
  return [];
}

const traffic: InputUnderTest = {
  scheme: 'illumio_pce_traffic',
  stanza: 'illumio_pce_traffic://reliability',
  source: trafficSource,
  urlParam: 'pce_url',
  injectableClock: true,
  idsOf: flowIds,
  // One query per 15 min window, many windows a run; a query is never truncated here (test/illumio/traffic.test.ts splits).
  spawnParams: { max_results: '200000' },
  keptRaw: (d) => { try { JSON.parse(d); return false; } catch { return true; } },
  async start(opts = {}) {
    const sim = await startIllumioSimulator({ traffic: { retryAfterSec: 0 }, tls: !!opts.tls, ...(opts.port ? { port: opts.port } : {}) });
    return pceHandle(sim, 'traffic_download', {
      // Every decision, so every flow the PCE holds must arrive; a short lag so recovery runs reach
      // the newest; one window over the whole start, so body faults meet downloads that hold flows;
      // max_results below what it holds, so windows are split (matches_count > flows_count) under
      // every fault, while a second of flows always fits.
      params: pceParams(sim, { start_date: '-3h', policy_decisions: 'allowed,potentially_blocked,blocked,unknown', lag: '60', max_results: '40', window: opts.small ? '900' : '10800' }),
      add: (n, at) => sim.addFlows(n, at - 20_000, at),
      addPayload(p, at) {
        const flow = makeFlow(sim.traffic.estate, 7, serial++, at);
        (flow.dst as { workload: { name: string } }).workload.name = hurtful(p);
        sim.traffic.addRawFlows([flow]);
        return flowKey(flow);
      },
      expected: () => sim.traffic.flowsBetween(-8.64e15, 8.64e15).map(flowKey),
      residue: () => [...sim.traffic.queries.values()].map((q) => `traffic query ${q.id} (${q.status}) left on the PCE`),
    });
  },
};

const HEALTH_NODES = ['core0', 'core1', 'data0', 'data1'];
/** What the PCE's health answer says, as ids: the cluster, each node's status, each service's state. */
function healthIds(body: unknown): string[] {
  const state: Record<string, string> = { running: 'running', partial: 'degraded', not_running: 'failed', optional: 'optional' };
  return (body as { fqdn: string; nodes: { hostname: string; services: Record<string, unknown> }[] }[]).flatMap((c) => [
    `cluster|${c.fqdn}`,
    ...c.nodes.flatMap((n) => [
      `node|${n.hostname}|${String(n.services.status)}`,
      ...Object.entries(state).flatMap(([list, st]) => ((n.services[list] ?? []) as string[]).map((svc) => `service|${n.hostname}|${svc}|${st}`)),
    ]),
  ]);
}

const health: InputUnderTest = {
  scheme: 'illumio_pce_health',
  stanza: 'illumio_pce_health://reliability',
  source: healthSource,
  urlParam: 'pce_url',
  injectableClock: true,
  notApplicable: {
    'clock skew': 'a report of the PCE\'s state now, read whole each run: no window, no cursor for a clock to move',
    'disk full (checkpoint)': 'keeps no checkpoint: each run reads the whole state',
    'read-only checkpoint dir': 'keeps no checkpoint: each run reads the whole state',
  },
  idsOf(d) {
    try {
      const e = JSON.parse(d) as Record<string, unknown>;
      if (e.kind === 'cluster') return [`cluster|${String(e.fqdn)}`];
      if (e.kind === 'node') return [`node|${String(e.hostname)}|${String(e.status)}`];
      if (e.kind === 'service') return [`service|${String(e.hostname)}|${String(e.service)}|${String(e.status)}`];
    } catch {
      // Not one of ours.
    }
    return [];
  },
  // The state is the last run's report: every part of what the PCE says now, once.
  snapshot: (last) => last,
  async start(opts = {}) {
    const sim = await startIllumioSimulator({ tls: !!opts.tls, ...(opts.port ? { port: opts.port } : {}) });
    let note: string | undefined;
    let changes = 0;
    const set = (at: number) => {
      // Each change degrades another node's service, so a stale report shows the wrong states.
      const node = HEALTH_NODES[changes++ % HEALTH_NODES.length];
      sim.traffic.options.health = {
        generatedAt: new Date(at).toISOString(), degraded: { node, service: node.startsWith('core') ? 'traffic_worker' : 'database_service' }, ...(note !== undefined ? { note } : {}),
      };
    };
    return pceHandle(sim, 'health', {
      params: pceParams(sim, {}),
      add: (_n, at) => set(at),
      addPayload(p, at) {
        note = hurtful(p);
        set(at);
        return `cluster|${'pce.example.com'}`;
      },
      expected: () => healthIds(healthBody('pce.example.com', sim.traffic.options.health)),
    });
  },
};

const objects: InputUnderTest = {
  scheme: 'illumio_pce_objects',
  stanza: 'illumio_pce_objects://reliability',
  source: objectsSource,
  urlParam: 'pce_url',
  injectableClock: true,
  collections: OBJECT_COLLECTIONS,
  // A listing capped below the estate fails by design (the snapshot would be partial).
  spawnParams: { max_results: '10000' },
  notApplicable: {
    'clock skew': 'a snapshot of the PCE\'s objects now, read whole each run: no window, no cursor for a clock to move',
    'disk full (checkpoint)': 'keeps no checkpoint: the KV store holds the snapshot, each run replaces it whole',
    'read-only checkpoint dir': 'keeps no checkpoint: the KV store holds the snapshot, each run replaces it whole',
  },
  idsOf: (d) => jsonField(d, 'href'),
  // The simulator's malformed body leaves one listed object's value unquoted: that object is skipped.
  skipsBadRecord: /1 \w+ from the PCE could not be stored and were skipped \(1 not JSON; the first unreadable one: /,
  // The state is the KV store: every object the PCE holds now, and none it no longer holds.
  snapshot: (_last, kv) => OBJECT_COLLECTIONS.flatMap((c) => kv(c).map((r) => JSON.stringify(r))),
  async start(opts = {}) {
    const sim = await startIllumioSimulator({ tls: !!opts.tls, ...(opts.port ? { port: opts.port } : {}) });
    const splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: OBJECT_COLLECTIONS });
    const estate = sim.traffic.estate;
    const label = (value: string) => {
      const href = `/orgs/${sim.org}/labels/${uniq('l')}`;
      estate.labels.push({ href, key: 'app', value, created_at: '2026-11-21T00:00:00.000Z', updated_at: '2026-11-21T00:00:00.000Z' });
      return href;
    };
    return pceHandle(sim, 'objects', {
      params: pceParams(sim, {}),
      // New labels appear and a workload is decommissioned: the snapshot must follow both ways.
      add(n) {
        for (let i = 0; i < Math.min(n, 5); i++) label(`app-${uniq('v')}`);
        if (estate.workloads.length > 4) estate.workloads.shift();
      },
      addPayload: (p) => label(hurtful(p)),
      expected: () => [...estate.labels, ...estate.workloads, ...estate.ipLists, ...estate.services, ...estate.ruleSets].map((o) => String(o.href)),
      // No retries of splunkd's answers here, so one injected 503 is one failed write.
      kvstore: splunkdKvStore({
        serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: 'TA-zerotrust-events',
        http: createHttpClient({ baseUrl: splunkd.url, verifyTls: true, timeoutMs: 5000, secrets: [splunkd.sessionKey], retry: { retries: 0 } }),
      }),
      sinkFault(n) {
        const data = '/storage/collections/data/';
        const [what, re] = ([
          ['the snapshot\'s first write (illumio_labels batch_save)', new RegExp(`${data}illumio_labels/batch_save$`)],
          ['a write midway, after illumio_labels was replaced (illumio_workloads batch_save)', new RegExp(`${data}illumio_workloads/batch_save$`)],
          ['the removal of the old illumio_ip_lists records', new RegExp(`${data}illumio_ip_lists$`)],
        ] as const)[n % 3];
        splunkd.failNext(re, 503);
        return {
          how: `the splunkd stand-in answers 503 (KV store unavailable) to ${what}`,
          said: /KV store collection illumio_\w+ of app TA-zerotrust-events[^]*KV store may be disabled[^]*lookups keep the previous objects/,
        };
      },
      kv: (c) => [...splunkd.kv(c).values()],
      async stop() {
        await sim.stop();
        await splunkd.close();
      },
    });
  },
};

/** The fault adapter of each scheme: every input of every module needs one (matrix.test.ts checks). */
export const ADAPTERS: ReadonlyMap<string, InputUnderTest> = new Map([illumio, traffic, health, objects, prisma, lacework('audit'), lacework('alerts')].map((i) => [i.scheme, i]));

/**
 * Inputs the fault matrix does not run, each with the reason and where their faults are tested
 * instead. Every scheme of the vendor list is in ADAPTERS or here (matrix.test.ts); today none is.
 */
export const NOT_IN_MATRIX: ReadonlyMap<string, string> = new Map();

/** The inputs under test: every scheme of the vendor list (src/sources/index.ts) that has an adapter, in its order. */
export const INPUTS: readonly InputUnderTest[] = SCHEMES.flatMap((s) => ADAPTERS.get(s) ?? []);

export { MIN };
