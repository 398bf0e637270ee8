/**
 * The four inputs as the fault matrix sees them: a simulator with a generic fault vocabulary
 * mapped onto each simulator's own fault plan, the ids the vendor holds (what must arrive), and
 * how to read those ids back out of delivered events. Only the outside world is stood in for.
 */
import type { Source } from '../../src/core/types';
import { SCHEMES } from '../support/modules';
import { source as illumioSource } from '../../src/sources/illumio';
import { startIllumioSimulator, type FaultRule } from '../../src/sources/illumio/simulator';
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
    const faults: FaultRule[] = sim.faults;
    let template: Record<string, unknown> | undefined;
    const ids = new Set<string>();
    return {
      url: sim.url,
      secrets: [sim.secret],
      ...(sim.caPath ? { caPath: sim.caPath } : {}),
      secretParam: 'api_secret',
      keyId: sim.keyId,
      dataRequests: () => sim.served.filter((x) => x.endpoint !== 'health').length,
      lastDequeued: () => [],
      params: (extra = {}) => ({ pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h', timeout: '5', ...extra }),
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
        const text = p === 'huge' ? 'x'.repeat(HUGE_BYTES) : p === 'xml-hostile' ? XML_HOSTILE : `before ${BAD_UTF8_MARKER} after`;
        ev.created_by.user.username = text;
        sim.addRaw([ev]);
        ids.add(href);
        return href;
      },
      inject(f) {
        const base = { on: 'any' as const, nth: f.after + 1 };
        switch (f.kind) {
          case 'status': faults.push({ ...base, times: f.times, kind: 'status', status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) }); break;
          case 'reset': faults.push({ ...base, times: f.times, kind: 'reset' }); break;
          case 'slow': faults.push({ ...base, times: f.times, kind: 'slow', delayMs: f.delayMs }); break;
          case 'truncate': faults.push({ ...base, on: 'events', kind: 'truncate' }); break;
          case 'malformed': faults.push({ ...base, on: 'events', kind: 'malformed' }); break;
          // An API key has no expiry; a key rotated under the input answers 401 until it is fixed.
          case 'token-expiry': faults.push({ ...base, kind: 'status', status: 401 }); break;
        }
      },
      expected: () => sim.hrefsBetween(0, 8.64e15),
      serviceLost: () => [],
      stop: () => sim.stop(),
    };
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

/** The fault adapter of each scheme: every input of every module needs one (matrix.test.ts checks). */
export const ADAPTERS: ReadonlyMap<string, InputUnderTest> = new Map([illumio, prisma, lacework('audit'), lacework('alerts')].map((i) => [i.scheme, i]));

/**
 * Inputs the fault matrix does not run yet, each with the reason and where their faults are
 * tested instead. Every scheme of the vendor list is in ADAPTERS or here (matrix.test.ts).
 */
export const NOT_IN_MATRIX: ReadonlyMap<string, string> = new Map([
  ['illumio_pce_traffic', 'no adapter yet for flow ids of async traffic queries; faults (429, failed/killed queries, truncation, overlap, bounded waits) in test/illumio/traffic.test.ts'],
  ['illumio_pce_health', 'a state snapshot per run, no ids the vendor holds to deliver; launcher runs in test/illumio/inputs-launcher.test.ts'],
  ['illumio_pce_objects', 'writes the KV store, not the event stream the matrix reads; snapshot and failure cases in test/illumio/inputs-launcher.test.ts'],
]);

/** The inputs under test: every scheme of the vendor list (src/sources/index.ts) that has an adapter, in its order. */
export const INPUTS: readonly InputUnderTest[] = SCHEMES.flatMap((s) => ADAPTERS.get(s) ?? []);

export { MIN };
