/**
 * The simulated PCE's Explorer (async traffic queries), health and policy-object endpoints.
 *
 * Documented (REST API guide 25.2, Explorer and PCE Health pages): POST
 * [org]/traffic_flows/async_queries answers 202 with `{status:"queued", href, created_by,
 * query_parameters, created_at, updated_at}` and a `content-location` of the uuid; GET
 * …/async_queries lists the user's queries, GET …/:uuid one of them; status goes queued → working
 * → completed (or failed/killed); a completed query carries `matches_count`, `flows_count` and
 * `result` (…/:uuid/download); PUT requests cancellation, DELETE removes a completed query;
 * `max_results` is at most 200 000; flows carry src/dst (ip, workload href/name/labels),
 * service (port, proto, process), num_connections, policy_decision, draft_policy_decision,
 * timestamp_range.first_detected/last_detected, caps. GET /api/v2/health reports uptime,
 * runlevel, overall status (normal/warning/error), nodes (hostname, ip, uptime, runlevel, core
 * or data, primary or replica database, replication delay) and degraded/failed services.
 *
 * Assumptions where the seed is silent (each marked ASSUMPTION below): which flows a window
 * matches, which flows a truncated query keeps, the download framing, the PUT body, the health
 * and object body field names (taken from Illumio's public docs and SDK, not from the seed).
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

export type TrafficOutcome = 'completed' | 'failed' | 'killed';

export interface TrafficOptions {
  /** Status polls answered `queued`, then `working`, before the outcome. */
  queuedPolls?: number;
  workingPolls?: number;
  /** Retry-After (seconds) sent with queued/working answers. */
  retryAfterSec?: number;
  /** Outcomes for the next queries, consumed one per POST; then `completed`. */
  outcomes?: TrafficOutcome[];
  /** ASSUMPTION: the guide shows the download's elements but not its framing; both are served. */
  downloadFormat?: 'json' | 'ndjson';
  /**
   * Overall health status and a degraded service, for the health endpoint; `generatedAt` fixes
   * the report's time (default: now), `note` adds a notification with that message.
   */
  health?: { status?: 'normal' | 'warning' | 'error'; degraded?: { node: string; service: string }; generatedAt?: string; note?: string };
  /**
   * Element texts sent as they are in an object listing (by its last path segment: labels,
   * workloads, ip_lists, services, rule_sets), after its first object and counted in
   * X-Total-Count: what a PCE with a broken serialiser sends every time it lists.
   */
  brokenObjects?: Partial<Record<string, string[]>>;
}

/** A body fault the server applies to a listing, a download or the health answer. */
export type BodyFault = 'truncate' | 'malformed';

/**
 * The first of certain string values left unquoted, so the text is not JSON while its element
 * count and its brackets stay as they were: what a broken serialiser on the PCE would send.
 */
export function corruptElement(text: string): string {
  const out = text.replace(/"(policy_decision|name|key|fqdn)":"([^"]*)"/, '"$1":$2');
  return out === text ? `${text.slice(0, -1)},oops${text.slice(-1)}` : out;
}

/** Writes `text` as the answer, or half of it and a dropped connection, or with one element corrupted. */
export async function sendWithFault(res: http.ServerResponse, status: number, text: string, headers: Record<string, string | number>, fault: BodyFault | undefined): Promise<void> {
  if (fault === 'truncate') {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.write(text.slice(0, Math.floor(text.length / 2)));
    // Give the client the bytes, then drop the connection mid-body.
    await new Promise((r) => setTimeout(r, 20));
    res.socket?.destroy();
    return;
  }
  const body = fault === 'malformed' ? corruptElement(text) : text;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}


export interface FlowSegment { seed: number; count: number; fromMs: number; toMs: number }

export interface TrafficQuery {
  id: string;
  params: Record<string, unknown>;
  polls: number;
  outcome: TrafficOutcome;
  status: string;
  matches: number;
  /** Indices of the flows kept (at most max_results): [segment, index]. */
  kept: [number, number][];
  createdAt: string;
  updatedAt: string;
}

export interface TrafficLog {
  created: string[];
  deleted: string[];
  cancelled: string[];
  downloaded: string[];
}

export const TRAFFIC_MAX_RESULTS = 200_000;
const RAW_FLOWS = -1;

function rng(seed: number, i: number): () => number {
  let a = (Math.imul(seed ^ 0x5bd1e995, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next(); next();
  return next;
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

// ---- policy objects (a fixed, consistent estate the flows refer to) -------------------------

const LABEL_DIMS: [string, string[]][] = [
  ['role', ['web', 'db', 'app', 'dc', 'jump']],
  ['app', ['payments', 'crm', 'hr']],
  ['env', ['prod', 'staging']],
  ['loc', ['eu', 'us']],
];
const HOSTNAMES = ['web-prod-01', 'web-prod-02', 'db-prod-01', 'db-prod-02', 'app-prod-01', 'app-stg-03', 'win-dc-01', 'jump-01',
  'k8s-node-07', 'pos-store-114', 'crm-web-01', 'hr-db-01'];
const SERVICES: { name: string; port?: number; proto?: number; process?: string }[] = [
  { name: 'HTTPS', port: 443, proto: 6, process: 'nginx' },
  { name: 'SSH', port: 22, proto: 6, process: 'sshd' },
  { name: 'DNS', port: 53, proto: 17, process: 'named' },
  { name: 'RDP', port: 3389, proto: 6, process: 'svchost.exe' },
  { name: 'PostgreSQL', port: 5432, proto: 6, process: 'postgres' },
  { name: 'MS-RPC', port: 135, proto: 6, process: 'svchost.exe' },
];

export interface Estate {
  labels: { href: string; key: string; value: string; created_at: string; updated_at: string }[];
  workloads: Record<string, unknown>[];
  ipLists: { href: string; name: string; description: string; ip_ranges: { from_ip: string; exclusion: boolean }[]; fqdns: { fqdn: string }[] }[];
  services: Record<string, unknown>[];
  ruleSets: Record<string, unknown>[];
}

export function makeEstate(org: number): Estate {
  const stamp = '2026-01-05T09:00:00.000Z';
  const labels: Estate['labels'] = [];
  for (const [key, values] of LABEL_DIMS) for (const value of values) labels.push({ href: `/orgs/${org}/labels/${labels.length + 1}`, key, value, created_at: stamp, updated_at: stamp });
  const byKey = (key: string) => labels.filter((l) => l.key === key);
  const workloads = HOSTNAMES.map((hostname, n) => {
    const r = rng(99, n);
    const wl = [pick(r, byKey('role')), pick(r, byKey('app')), pick(r, byKey('env')), pick(r, byKey('loc'))];
    // Two VENs offline and one suspended, so the VENs dashboard has something to show.
    const online = n !== 3 && n !== 9;
    const venStatus = n === 9 ? 'suspended' : 'active';
    return {
      href: `/orgs/${org}/workloads/${(n + 1).toString(16).padStart(8, '0')}-f6c6-4cce-ac57-642c66f1498f`,
      name: hostname,
      hostname: `${hostname}.corp.example`,
      description: null,
      public_ip: null,
      interfaces: [{ name: 'eth0', address: `10.20.${n}.${10 + n}`, cidr_block: 24, default_gateway_address: `10.20.${n}.1` }],
      labels: wl.map((l) => ({ href: l.href, key: l.key, value: l.value })),
      online,
      enforcement_mode: n % 4 === 0 ? 'visibility_only' : 'full',
      ven: { href: `/orgs/${org}/vens/${(n + 1).toString(16).padStart(8, '0')}-7e1f-4b61-9c3e-0d5c2f4a8e11`, hostname: `${hostname}.corp.example`, status: venStatus, version: '23.2.10-345' },
      agent: { status: { status: venStatus, last_heartbeat_on: online ? '2026-11-20T11:58:00.000Z' : '2026-11-18T03:12:00.000Z' } },
      created_at: stamp,
      updated_at: stamp,
    };
  });
  const ipLists = [
    { href: `/orgs/${org}/sec_policy/draft/ip_lists/1`, name: 'Any (0.0.0.0/0 and ::/0)', description: '', ip_ranges: [{ from_ip: '0.0.0.0/0', exclusion: false }, { from_ip: '::/0', exclusion: false }], fqdns: [] },
    { href: `/orgs/${org}/sec_policy/draft/ip_lists/2`, name: 'Corporate', description: 'Internal address space', ip_ranges: [{ from_ip: '10.0.0.0/8', exclusion: false }], fqdns: [] },
    { href: `/orgs/${org}/sec_policy/draft/ip_lists/3`, name: 'Internet scanners', description: 'TEST-NET-3', ip_ranges: [{ from_ip: '203.0.113.0/24', exclusion: false }], fqdns: [{ fqdn: 'scanner.example.net' }] },
  ];
  const services = SERVICES.map((s, n) => ({
    href: `/orgs/${org}/sec_policy/draft/services/${n + 1}`, name: s.name, description: null,
    service_ports: [{ port: s.port, proto: s.proto }], created_at: stamp, updated_at: stamp,
  }));
  const ruleSets = [0, 1, 2].map((n) => {
    const app = byKey('app')[n];
    return {
      href: `/orgs/${org}/sec_policy/draft/rule_sets/${n + 1}`, name: `${app.value}-ringfence`, description: null, enabled: n !== 2,
      scopes: [[{ label: { href: app.href } }, { label: { href: byKey('env')[0].href } }]],
      rules: [{ href: `/orgs/${org}/sec_policy/draft/rule_sets/${n + 1}/sec_rules/1`, enabled: true, providers: [{ actors: 'ams' }], consumers: [{ actors: 'ams' }], ingress_services: [{ href: services[0].href }] }],
      created_at: stamp, updated_at: stamp,
    };
  });
  return { labels, workloads, ipLists, services, ruleSets };
}

// ---- flows ----------------------------------------------------------------------------------

function flowEndpoint(estate: Estate, r: () => number, external: boolean): Record<string, unknown> {
  if (external) return { ip: `203.0.113.${1 + Math.floor(r() * 254)}` };
  const w = pick(r, estate.workloads) as { href: string; name: string; hostname: string; interfaces: { address: string }[]; labels: unknown[] };
  return { ip: w.interfaces[0].address, workload: { href: w.href, name: w.name, hostname: w.hostname, labels: w.labels } };
}

/** Flow i of a segment, a pure function of (seed, i, lastMs). Durations stay under 10 minutes. */
export function makeFlow(estate: Estate, seed: number, i: number, lastMs: number): Record<string, unknown> {
  const r = rng(seed, i);
  const src = flowEndpoint(estate, r, r() < 0.3);
  const dst = flowEndpoint(estate, r, false);
  const svc = pick(r, SERVICES);
  const x = r();
  const pd = x < 0.45 ? 'allowed' : x < 0.75 ? 'potentially_blocked' : x < 0.97 ? 'blocked' : 'unknown';
  const firstMs = lastMs - Math.floor(r() * 600_000);
  return {
    src, dst,
    service: { port: svc.port, proto: svc.proto, ...(svc.process ? { process_name: svc.process } : {}) },
    num_connections: 1 + Math.floor(r() * 40) + (i % 7),
    policy_decision: pd,
    draft_policy_decision: pd === 'potentially_blocked' ? 'blocked' : pd,
    timestamp_range: { first_detected: new Date(firstMs).toISOString(), last_detected: new Date(lastMs).toISOString() },
    caps: [],
    client_type: 'ven',
  };
}

// ---- the HTTP side --------------------------------------------------------------------------

export interface TrafficServer {
  segments: FlowSegment[];
  queries: Map<string, TrafficQuery>;
  log: TrafficLog;
  estate: Estate;
  options: TrafficOptions;
  addFlows(count: number, fromMs: number, toMs: number, seed?: number): void;
  /** Adds flows as given (e.g. with hostile field values); placed by timestamp_range.last_detected. */
  addRawFlows(flows: Record<string, unknown>[]): void;
  /** Every stored flow with fromMs <= last_detected <= toMs. */
  flowsBetween(fromMs: number, toMs: number): Record<string, unknown>[];
  /** Handles a request when it is ours; false otherwise. `fault`: a body fault for a listing or a download. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string, endpointLog: (status: number, count?: number) => void, fault?: BodyFault): Promise<boolean>;
}

export type TrafficEndpoint = 'traffic_query' | 'traffic_status' | 'traffic_download' | 'traffic_cancel' | 'traffic_delete' | 'objects';

const QUERY_RE = /^\/api\/v2\/orgs\/(\d+)\/traffic_flows\/async_queries(?:\/([0-9a-f-]{36})(\/download)?)?$/;
const OBJECT_RE = /^\/api\/v2\/orgs\/(\d+)\/(labels|workloads|sec_policy\/(?:draft|active)\/(?:ip_lists|services|rule_sets))$/;

/** Which of our endpoints a request is for (for fault rules and the served log). */
export function trafficEndpoint(method: string, path: string): TrafficEndpoint | undefined {
  const m = QUERY_RE.exec(path);
  if (m) {
    if (m[3]) return 'traffic_download';
    if (!m[2]) return method === 'POST' ? 'traffic_query' : 'traffic_status';
    return method === 'PUT' ? 'traffic_cancel' : method === 'DELETE' ? 'traffic_delete' : 'traffic_status';
  }
  return OBJECT_RE.test(path) ? 'objects' : undefined;
}

function ipv4(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  return m ? ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4] : undefined;
}
function inCidr(ip: string, cidr: string): boolean {
  const [net, bits = '32'] = cidr.split('/');
  const a = ipv4(ip); const b = ipv4(net);
  if (a === undefined || b === undefined) return false;
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

type Actor = { label?: { href?: string }; workload?: { href?: string }; ip_list?: { href?: string }; ip_address?: string };

export function createTrafficServer(org: number, initial: TrafficOptions): TrafficServer {
  const estate = makeEstate(org);
  const segments: FlowSegment[] = [];
  /** Flows added as given: segment index RAW in `kept`. */
  const raw: { last: number; flow: Record<string, unknown> }[] = [];
  const queries = new Map<string, TrafficQuery>();
  const log: TrafficLog = { created: [], deleted: [], cancelled: [], downloaded: [] };
  let nextSeed = 1000;

  const lastOf = (s: FlowSegment, i: number) => s.fromMs + Math.floor((i * (s.toMs - s.fromMs)) / s.count);
  const flowOf = (seg: number, i: number) => (seg === RAW_FLOWS ? raw[i].flow : makeFlow(estate, segments[seg].seed, i, lastOf(segments[seg], i)));

  function actorMatches(a: Actor, ep: { ip?: string; workload?: { href?: string; labels?: { href?: string }[] } }): boolean {
    if (a.label?.href) return !!ep.workload?.labels?.some((l) => l.href === a.label!.href);
    if (a.workload?.href) return ep.workload?.href === a.workload.href;
    if (a.ip_address) return ep.ip === a.ip_address || inCidr(String(ep.ip), a.ip_address);
    if (a.ip_list?.href) {
      const list = estate.ipLists.find((l) => l.href === a.ip_list!.href);
      return !!list?.ip_ranges.some((rg) => !rg.exclusion && inCidr(String(ep.ip), rg.from_ip));
    }
    return false;
  }
  /** include: [[a AND b], [c]] = OR of ANDs, empty (or [[]]) = any; exclude: a flat list, any match excludes. */
  function sideMatches(side: { include?: Actor[][]; exclude?: Actor[] } | undefined, ep: Record<string, unknown>): boolean {
    const inc = (side?.include ?? []).filter((g) => Array.isArray(g) && g.length);
    if (inc.length && !inc.some((g) => g.every((a) => actorMatches(a, ep)))) return false;
    return !(side?.exclude ?? []).some((a) => actorMatches(a, ep));
  }
  function serviceMatches(s: { port?: number; to_port?: number; proto?: number; process_name?: string; href?: string }, svc: { port?: number; proto?: number; process_name?: string }): boolean {
    if (s.href) {
      const def = estate.services.find((d) => d.href === s.href) as { service_ports: { port?: number; proto?: number }[] } | undefined;
      return !!def?.service_ports.some((p) => serviceMatches(p, svc));
    }
    if (s.proto !== undefined && s.proto !== svc.proto) return false;
    if (s.port !== undefined) {
      const hi = s.to_port ?? s.port;
      if (svc.port === undefined || svc.port < s.port || svc.port > hi) return false;
    }
    if (s.process_name !== undefined && s.process_name !== svc.process_name) return false;
    return true;
  }

  /** The documented request checks; a message for 406 when something is off. */
  function badQuery(p: Record<string, unknown>): string | undefined {
    for (const k of ['start_date', 'end_date']) {
      if (typeof p[k] !== 'string' || Number.isNaN(Date.parse(p[k] as string))) return `${k} must be an RFC 3339 date`;
    }
    const max = p.max_results;
    if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1 || (max as number) > TRAFFIC_MAX_RESULTS)) return `max_results must be an integer from 1 to ${TRAFFIC_MAX_RESULTS}`;
    for (const side of ['sources', 'destinations']) {
      const s = p[side] as { include?: unknown } | undefined;
      if (!s || !Array.isArray(s.include)) return `${side}.include is required`;
    }
    const services = p.services as { include?: unknown; exclude?: unknown } | undefined;
    if (!services || !Array.isArray(services.include) || !Array.isArray(services.exclude)) return 'services.include and services.exclude are required';
    const pds = p.policy_decisions;
    if (!Array.isArray(pds) || pds.some((d) => !['allowed', 'potentially_blocked', 'blocked', 'unknown'].includes(String(d)))) return 'policy_decisions must list allowed, potentially_blocked, blocked or unknown';
    return undefined;
  }

  function run(p: Record<string, unknown>): { matches: number; kept: [number, number][] } {
    const a = Date.parse(p.start_date as string);
    const b = Date.parse(p.end_date as string);
    const pds = p.policy_decisions as string[];
    const svc = p.services as { include: Parameters<typeof serviceMatches>[0][]; exclude: Parameters<typeof serviceMatches>[0][] };
    const all: { last: number; seg: number; i: number }[] = [];
    segments.forEach((s, seg) => {
      for (let i = 0; i < s.count; i++) {
        const last = lastOf(s, i);
        // ASSUMPTION: a window matches the flows whose detection range overlaps it (a flow first
        // seen before start_date and still seen after it is in); the seed does not say.
        if (last < a || last - 600_000 > b) continue;
        const f = makeFlow(estate, s.seed, i, last);
        const first = Date.parse((f.timestamp_range as { first_detected: string }).first_detected);
        if (first > b) continue;
        if (pds.length && !pds.includes(String(f.policy_decision))) continue;
        if (!sideMatches(p.sources as never, f.src as Record<string, unknown>)) continue;
        if (!sideMatches(p.destinations as never, f.dst as Record<string, unknown>)) continue;
        const fs = f.service as { port?: number; proto?: number; process_name?: string };
        if (svc.include.length && !svc.include.some((x) => serviceMatches(x, fs))) continue;
        if (svc.exclude.some((x) => serviceMatches(x, fs))) continue;
        all.push({ last, seg, i });
      }
    });
    raw.forEach((x, i) => {
      const first = Date.parse(String((x.flow.timestamp_range as { first_detected?: unknown } | undefined)?.first_detected ?? x.last));
      if (x.last < a || first > b) return;
      if (pds.length && !pds.includes(String(x.flow.policy_decision))) return;
      all.push({ last: x.last, seg: RAW_FLOWS, i });
    });
    // ASSUMPTION: a truncated query keeps the most recent flows (undocumented, like events).
    all.sort((x, y) => y.last - x.last || x.seg - y.seg || x.i - y.i);
    const max = (p.max_results as number | undefined) ?? TRAFFIC_MAX_RESULTS;
    return { matches: all.length, kept: all.slice(0, max).map((f) => [f.seg, f.i]) };
  }

  function view(q: TrafficQuery): Record<string, unknown> {
    const href = `/orgs/${org}/traffic_flows/async_queries/${q.id}`;
    return {
      ...(q.status === 'completed' ? { matches_count: q.matches, flows_count: q.kept.length } : {}),
      status: q.status,
      href,
      ...(q.status === 'completed' ? { result: `${href}/download` } : {}),
      created_by: { href: '/users/1' },
      query_parameters: q.params,
      created_at: q.createdAt,
      updated_at: q.updatedAt,
    };
  }

  function advance(q: TrafficQuery): void {
    if (q.status !== 'queued' && q.status !== 'working') return;
    q.polls++;
    const queued = server.options.queuedPolls ?? 1;
    const working = server.options.workingPolls ?? 1;
    const next = q.polls < queued ? 'queued' : q.polls < queued + working ? 'working' : q.outcome;
    if (next !== q.status) { q.status = next; q.updatedAt = new Date().toISOString(); }
  }

  const readBody = async (req: http.IncomingMessage): Promise<string> => {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 1 << 20) throw new Error('request body too large');
      parts.push(c);
    }
    return Buffer.concat(parts).toString('utf8');
  };
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  async function streamFlows(res: http.ServerResponse, q: TrafficQuery, fault: BodyFault | undefined): Promise<void> {
    const nd = server.options.downloadFormat === 'ndjson';
    res.writeHead(200, { 'content-type': nd ? 'application/x-ndjson' : 'application/json' });
    const write = (s: string) => (res.write(s) ? Promise.resolve() : new Promise<void>((r) => res.once('drain', r)));
    const cut = fault ? Math.floor(q.kept.length / 2) : -1;
    let buf = nd ? '' : '[';
    if (fault && !q.kept.length) {
      // Nothing to cut or corrupt: a body that breaks off, or one that is not JSON.
      if (fault === 'truncate') { await write(buf); res.socket?.destroy(); } else res.end(nd ? 'oops\n' : '[oops]');
      return;
    }
    for (let k = 0; k < q.kept.length; k++) {
      if (k === cut && fault === 'truncate') {
        await write(buf);
        // Give the client the bytes, then drop the connection mid-body.
        await new Promise((r) => setTimeout(r, 20));
        res.socket?.destroy();
        return;
      }
      const flow = JSON.stringify(flowOf(q.kept[k][0], q.kept[k][1]));
      const text = k === cut ? corruptElement(flow) : flow;
      buf += nd ? `${text}\n` : (k ? ',' : '') + text;
      if (buf.length > 65536) { await write(buf); buf = ''; }
    }
    res.end(nd ? buf : `${buf}]`);
  }

  const server: TrafficServer = {
    segments, queries, log, estate, options: initial,
    addFlows(count, fromMs, toMs, seed) {
      if (count > 0) segments.push({ seed: seed ?? nextSeed++, count, fromMs, toMs: Math.max(toMs, fromMs) });
    },
    addRawFlows(flows) {
      for (const flow of flows) raw.push({ last: Date.parse(String((flow.timestamp_range as { last_detected?: unknown } | undefined)?.last_detected)), flow });
    },
    flowsBetween(fromMs, toMs) {
      const out: Record<string, unknown>[] = [];
      segments.forEach((s, seg) => {
        for (let i = 0; i < s.count; i++) {
          const last = lastOf(s, i);
          if (last >= fromMs && last <= toMs) out.push(flowOf(seg, i));
        }
      });
      for (const x of raw) if (x.last >= fromMs && x.last <= toMs) out.push(x.flow);
      return out;
    },
    async handle(req, res, path, served, fault) {
      const method = req.method ?? 'GET';
      const ep = trafficEndpoint(method, path);
      if (!ep) return false;
      if (Number(/^\/api\/v2\/orgs\/(\d+)\//.exec(path)?.[1]) !== org) {
        served(403); send(res, 403, [{ token: 'forbidden_error', message: 'Not authorized for this org' }]); return true;
      }
      if (ep === 'objects') {
        if (method !== 'GET') { served(405); send(res, 405, [{ token: 'method_not_allowed' }]); return true; }
        const kind = path.replace(/^.*\//, '');
        const list = kind === 'labels' ? estate.labels : kind === 'workloads' ? estate.workloads
          : kind === 'ip_lists' ? estate.ipLists : kind === 'services' ? estate.services : estate.ruleSets;
        const max = Number(new URL(req.url ?? '/', 'http://sim').searchParams.get('max_results') ?? 500);
        const broken = server.options.brokenObjects?.[kind] ?? [];
        const items = [...list.slice(0, 1).map((x) => JSON.stringify(x)), ...broken, ...list.slice(1).map((x) => JSON.stringify(x))];
        const page = items.slice(0, Number.isFinite(max) && max > 0 ? max : 500);
        served(200, page.length);
        await sendWithFault(res, 200, `[${page.join(',')}]`, { 'content-type': 'application/json', 'x-total-count': String(items.length) }, fault);
        return true;
      }
      const m = QUERY_RE.exec(path)!;
      if (ep === 'traffic_query') {
        let p: Record<string, unknown>;
        try {
          p = JSON.parse(await readBody(req)) as Record<string, unknown>;
        } catch {
          served(400); send(res, 400, [{ token: 'input_validation_error', message: 'The request body is not JSON' }]); return true;
        }
        const bad = badQuery(p);
        if (bad) { served(406); send(res, 406, [{ token: 'input_validation_error', message: bad }]); return true; }
        const { matches, kept } = run(p);
        const at = new Date().toISOString();
        const q: TrafficQuery = { id: randomUUID(), params: p, polls: 0, outcome: server.options.outcomes?.shift() ?? 'completed', status: 'queued', matches, kept, createdAt: at, updatedAt: at };
        queries.set(q.id, q);
        log.created.push(q.id);
        served(202);
        send(res, 202, view(q), { 'content-location': q.id, ...(server.options.retryAfterSec !== undefined ? { 'retry-after': String(server.options.retryAfterSec) } : {}) });
        return true;
      }
      if (ep === 'traffic_status' && !m[2]) { served(200, queries.size); send(res, 200, [...queries.values()].map(view)); return true; }
      const q = queries.get(m[2] ?? '');
      if (!q) { served(404); send(res, 404, [{ token: 'not_found', message: 'Async query not found' }]); return true; }
      if (ep === 'traffic_status') {
        advance(q);
        served(200);
        const busy = q.status === 'queued' || q.status === 'working';
        send(res, 200, view(q), busy ? { 'retry-after': String(server.options.retryAfterSec ?? 1) } : {});
        return true;
      }
      if (ep === 'traffic_cancel') {
        // ASSUMPTION: the guide says PUT requests cancellation of a queued query; the body is
        // taken to be {"status":"cancel_requested"} and the query then reads as killed.
        const body = await readBody(req);
        if (!/"status"\s*:\s*"cancel_requested"/.test(body)) { served(406); send(res, 406, [{ token: 'input_validation_error', message: 'status must be cancel_requested' }]); return true; }
        if (q.status === 'queued' || q.status === 'working') { q.status = 'killed'; q.updatedAt = new Date().toISOString(); }
        log.cancelled.push(q.id);
        served(204); send(res, 204, undefined); return true;
      }
      if (ep === 'traffic_delete') {
        if (q.status === 'queued' || q.status === 'working') { served(406); send(res, 406, [{ token: 'async_query_in_progress', message: 'Only a finished query can be deleted; cancel it first' }]); return true; }
        queries.delete(q.id);
        log.deleted.push(q.id);
        served(204); send(res, 204, undefined); return true;
      }
      // download
      if (q.status !== 'completed') { served(404); send(res, 404, [{ token: 'not_found', message: `The query is ${q.status}` }]); return true; }
      log.downloaded.push(q.id);
      served(200, q.kept.length);
      await streamFlows(res, q, fault);
      return true;
    },
  };
  return server;
}

/**
 * ASSUMPTION (field names from Illumio's public docs, the seed lists only what they mean): an
 * array with one object per PCE cluster: fqdn, type, status, available_seconds, generated_at,
 * nodes[] (hostname, ip_address, type core0/core1/data0/data1, runlevel, uptime_seconds,
 * services {status, running, partial, not_running, optional}, database role and replication lag).
 */
export function healthBody(fqdn: string, opts: TrafficOptions['health'] = {}): unknown[] {
  const nodes = ['core0', 'core1', 'data0', 'data1'].map((type, n) => {
    const hostname = `${type}.${fqdn}`;
    const running = type.startsWith('core')
      ? ['agent_service', 'auditable_events_service', 'collector_service', 'executor', 'login_service', 'search_index', 'traffic_worker']
      : ['database_service', 'traffic_query_service', 'set_server_redis', 'fileserver_service'];
    const degraded = opts.degraded?.node === type ? opts.degraded.service : undefined;
    return {
      hostname, ip_address: `10.0.0.${11 + n}`, type, runlevel: 5, uptime_seconds: 864_000 + n * 60,
      cpu: { percent: 12 + n }, disk: [{ location: '/var/lib/illumio-pce', value: { size: 500_000_000_000, used: 120_000_000_000, percent: 24 } }],
      memory: { size: 64_000_000_000, percent: 41 },
      ...(type.startsWith('data') ? { database: { role: type === 'data0' ? 'primary' : 'replica', replication_lag_seconds: type === 'data0' ? 0 : 2 } } : {}),
      services: {
        status: degraded ? 'degraded' : 'running',
        running: running.filter((s) => s !== degraded),
        partial: degraded ? [degraded] : [],
        not_running: [],
        optional: [],
      },
    };
  });
  const status = opts.status ?? (opts.degraded ? 'warning' : 'normal');
  const notifications = [
    ...(opts.degraded ? [{ token: 'service_degraded', message: `${opts.degraded.service} on ${opts.degraded.node} is degraded`, severity: 'warning' }] : []),
    ...(opts.note !== undefined ? [{ token: 'notice', message: opts.note, severity: 'info' }] : []),
  ];
  return [{
    fqdn, type: 'pce', status, available_seconds: 864_000, generated_at: opts.generatedAt ?? new Date().toISOString(), runlevel: 5,
    nodes, notifications,
  }];
}
