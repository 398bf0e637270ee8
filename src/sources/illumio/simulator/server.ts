/**
 * A loopback Illumio PCE serving the events API as documented: Basic auth with an API key,
 * `timestamp[gte]`/`timestamp[lte]`, `event_type`/`severity`/`status` filters, the
 * `max_results` cap (default 100, maximum 10000) returning the newest events, `X-Total-Count`,
 * the asynchronous GET collection (`Prefer: respond-async` → 202 + Location → job polling with
 * Retry-After → datafile), a per-key rate limit answered with 429, and a fault plan.
 *
 * Events are generated on demand from (seed, index) so a window can hold hundreds of thousands
 * of them; datafiles are streamed with backpressure so the simulator stays small too.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listen } from '../../../core/net/listen';
import { defaultEventTypes, GenerateOptions, makeEvent } from './generate';
import { createTrafficServer, healthBody, sendWithFault, trafficEndpoint, type TrafficEndpoint, type TrafficOptions, type TrafficServer } from './traffic';

export type Endpoint = 'events' | 'async' | 'job' | 'datafile' | 'event' | 'health' | 'any' | TrafficEndpoint;

export interface FaultRule {
  on: Endpoint;
  /** Fires from the nth matching request on (1-based; default 1). */
  nth?: number;
  /** How many times it fires (default 1; Infinity for always). */
  times?: number;
  kind: 'status' | 'reset' | 'slow' | 'truncate' | 'malformed';
  status?: number;
  /** Seconds, sent as Retry-After with `status`. */
  retryAfter?: number;
  /** `slow`: milliseconds before the headers (and between body chunks for datafiles). */
  delayMs?: number;
}

export interface SimulatorOptions {
  port?: number;
  tls?: boolean;
  org?: number;
  keys?: Record<string, string>;
  pceFqdn?: string;
  eventTypes?: readonly string[];
  legacyNames?: boolean;
  /** Requests per window per API key before 429 (the PCE's documented default is 500/min). */
  rateLimit?: { requests: number; windowMs: number };
  /** Job polls answered `running` before the outcome. */
  jobPolls?: number;
  jobRetryAfterSec?: number;
  jobOutcome?: 'done' | 'failed' | 'cancelled';
  /** An older PCE ignores `Prefer: respond-async` and answers the capped page. */
  supportsAsync?: boolean;
  /** Result order; the PCE does not document one, collectors must not rely on it. */
  order?: 'desc' | 'asc' | 'shuffle';
  faults?: FaultRule[];
  /** Keep each event's JSON once rendered, so a bench measures the collector, not the generator. */
  cacheRendered?: boolean;
  /** Initial generated events. */
  events?: { count: number; fromMs: number; toMs: number; seed?: number }[];
  /** Explorer async traffic queries, health and policy objects (simulator/traffic.ts). */
  traffic?: TrafficOptions;
  /** Initial generated traffic flows (last_detected spread evenly over the range). */
  flows?: { count: number; fromMs: number; toMs: number; seed?: number }[];
}

export interface ServedEntry {
  endpoint: Endpoint;
  status: number;
  query: Record<string, string>;
  /** Events in the body (events pages and datafiles). */
  count?: number;
  fault?: FaultRule['kind'];
}

interface Segment { seed: number; count: number; fromMs: number; toMs: number }
interface Ref { ts: number; seg: number; i: number }
interface Job { id: string; refs: Ref[]; polls: number; outcome: 'done' | 'failed' | 'cancelled'; requestedAt: string }

export interface IllumioSimulator {
  url: string;
  host: string;
  port: number;
  org: number;
  keyId: string;
  secret: string;
  /** PEM of the self-signed certificate when tls is on. */
  caPath?: string;
  served: ServedEntry[];
  options: Required<Pick<SimulatorOptions, 'jobPolls' | 'jobRetryAfterSec' | 'jobOutcome' | 'supportsAsync' | 'order'>> & SimulatorOptions;
  faults: FaultRule[];
  addEvents(count: number, fromMs: number, toMs: number, seed?: number): void;
  /** Explorer queries, flows, health and objects; its options can be changed between runs. */
  traffic: TrafficServer;
  addFlows(count: number, fromMs: number, toMs: number, seed?: number): void;
  /** Adds events as given (e.g. schema-invalid ones); time from `timestamp` or `time`. */
  addRaw(events: Record<string, unknown>[]): void;
  /** Every stored event with fromMs <= time <= toMs, in time order. */
  eventsBetween(fromMs: number, toMs: number): Iterable<Record<string, unknown>>;
  hrefsBetween(fromMs: number, toMs: number): string[];
  /** Number of stored events. */
  size(): number;
  stop(): Promise<void>;
}

const RAW = -1;

export async function startIllumioSimulator(opts: SimulatorOptions = {}): Promise<IllumioSimulator> {
  const org = opts.org ?? 1;
  const keys = opts.keys ?? { api_1a2b3c4d5e6f7a8b9: 'sim-secret-0f9e8d7c6b5a' };
  const [keyId, secret] = Object.entries(keys)[0];
  const gen: GenerateOptions = {
    seed: 0, org, pceFqdn: opts.pceFqdn ?? 'pce.example.com',
    eventTypes: opts.eventTypes ?? defaultEventTypes(), legacyNames: opts.legacyNames,
  };
  const options = {
    jobPolls: 1, jobRetryAfterSec: 1, jobOutcome: 'done' as const, supportsAsync: true, order: 'desc' as const, ...opts,
  };
  const rate = opts.rateLimit ?? { requests: 500, windowMs: 60_000 };
  const segments: Segment[] = [];
  const raw: { ts: number; event: Record<string, unknown> }[] = [];
  const jobs = new Map<string, Job>();
  const served: ServedEntry[] = [];
  const faults: FaultRule[] = [...(opts.faults ?? [])];
  const faultSeen = new Map<FaultRule, { matched: number; fired: number }>();
  const calls = new Map<string, number[]>();
  let nextSeed = 1;
  const traffic = createTrafficServer(org, opts.traffic ?? {});

  const tsOf = (s: Segment, i: number) => s.fromMs + Math.floor((i * (s.toMs - s.fromMs)) / s.count);
  const firstAtOrAfter = (s: Segment, t: number) => {
    let lo = 0; let hi = s.count;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (tsOf(s, m) < t) lo = m + 1; else hi = m; }
    return lo;
  };
  const eventOf = (ref: Ref): Record<string, unknown> =>
    ref.seg === RAW ? raw[ref.i].event : makeEvent({ ...gen, seed: segments[ref.seg].seed }, ref.i, ref.ts);

  const rendered = new Map<number, string>();
  const renderOf = (ref: Ref): string => {
    if (!opts.cacheRendered || ref.seg === RAW) return JSON.stringify(eventOf(ref));
    const k = ref.seg * 2 ** 32 + ref.i;
    let text = rendered.get(k);
    if (text === undefined) { text = JSON.stringify(eventOf(ref)); rendered.set(k, text); }
    return text;
  };

  function refsBetween(fromMs: number, toMs: number): Ref[] {
    const out: Ref[] = [];
    segments.forEach((s, seg) => {
      const a = firstAtOrAfter(s, fromMs);
      const b = firstAtOrAfter(s, toMs + 1);
      for (let i = a; i < b; i++) out.push({ ts: tsOf(s, i), seg, i });
    });
    raw.forEach((r, i) => { if (r.ts >= fromMs && r.ts <= toMs) out.push({ ts: r.ts, seg: RAW, i }); });
    out.sort((x, y) => x.ts - y.ts || x.seg - y.seg || x.i - y.i);
    return out;
  }

  function matching(q: URLSearchParams): Ref[] {
    const gte = q.get('timestamp[gte]');
    const lte = q.get('timestamp[lte]');
    const refs = refsBetween(gte ? Date.parse(gte) : -8.64e15, lte ? Date.parse(lte) : 8.64e15);
    const type = q.get('event_type'); const sev = q.get('severity'); const status = q.get('status');
    if (!type && !sev && !status) return refs;
    return refs.filter((r) => {
      const e = eventOf(r);
      return (!type || e.event_type === type) && (!sev || e.severity === sev) && (!status || e.status === status);
    });
  }

  function ordered(refs: Ref[]): Ref[] {
    if (options.order === 'asc') return refs;
    const out = refs.slice().reverse();
    if (options.order === 'shuffle') {
      let s = 12345;
      for (let i = out.length - 1; i > 0; i--) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const j = s % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
    }
    return out;
  }

  /** Every rule counts every request it matches; the first one due fires. */
  function takeFault(endpoint: Endpoint): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    for (const f of faults) {
      if (f.on !== endpoint && f.on !== 'any') continue;
      const st = faultSeen.get(f) ?? { matched: 0, fired: 0 };
      faultSeen.set(f, st);
      st.matched++;
      if (!chosen && st.matched >= (f.nth ?? 1) && st.fired < (f.times ?? 1)) {
        st.fired++;
        chosen = f;
      }
    }
    return chosen;
  }

  function rateLimited(key: string): number | undefined {
    const now = Date.now();
    const list = (calls.get(key) ?? []).filter((t) => t > now - rate.windowMs);
    calls.set(key, list);
    if (list.length >= rate.requests) return Math.max(1, Math.ceil((list[0] + rate.windowMs - now) / 1000));
    list.push(now);
    return undefined;
  }

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://sim');
    const q = u.searchParams;
    const query = Object.fromEntries(q.entries());
    const p = u.pathname;
    const orgM = /^\/api\/v2\/orgs\/(\d+)\/(events|jobs|datafiles)(?:\/([^/]+))?$/.exec(p);
    const endpoint: Endpoint = trafficEndpoint(req.method ?? 'GET', p) ?? (p === '/api/v2/health' ? 'health'
      : !orgM ? 'any'
        : orgM[2] === 'jobs' ? 'job'
          : orgM[2] === 'datafiles' ? 'datafile'
            : orgM[3] ? 'event'
              : /respond-async/i.test(String(req.headers.prefer ?? '')) && options.supportsAsync ? 'async' : 'events');
    const log = (status: number, extra: Partial<ServedEntry> = {}) => served.push({ endpoint, status, query, ...extra });

    const auth = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''));
    const [user, ...rest] = auth ? Buffer.from(auth[1], 'base64').toString('utf8').split(':') : [];
    if (!auth || keys[user] === undefined || keys[user] !== rest.join(':')) {
      log(401);
      res.writeHead(401, { 'www-authenticate': 'Basic realm="PCE"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Authentication required' }));
      return;
    }
    const wait = rateLimited(user);
    if (wait !== undefined) {
      log(429);
      sendJson(res, 429, [{ token: 'too_many_requests_error', message: 'API rate limit exceeded' }], { 'retry-after': String(wait) });
      return;
    }
    const fault = takeFault(endpoint);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 2000));
    if (fault?.kind === 'reset') { log(0, { fault: 'reset' }); req.socket.destroy(); return; }
    if (fault?.kind === 'status') {
      log(fault.status ?? 503, { fault: 'status' });
      sendJson(res, fault.status ?? 503, [{ token: 'service_unavailable', message: 'Simulated failure' }],
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      return;
    }
    const bodyFault = fault?.kind === 'truncate' || fault?.kind === 'malformed' ? fault.kind : undefined;
    if (await traffic.handle(req, res, p, (status, count) => log(status, { ...(count === undefined ? {} : { count }), ...(bodyFault ? { fault: bodyFault } : {}) }), bodyFault)) return;
    if (req.method !== 'GET') { log(405); sendJson(res, 405, [{ token: 'method_not_allowed' }]); return; }
    if (endpoint === 'health') {
      log(200, bodyFault ? { fault: bodyFault } : {});
      await sendWithFault(res, 200, JSON.stringify(healthBody(gen.pceFqdn, traffic.options.health)), { 'content-type': 'application/json' }, bodyFault);
      return;
    }
    if (!orgM) { log(404); sendJson(res, 404, [{ token: 'not_found', message: 'Not found' }]); return; }
    if (Number(orgM[1]) !== org) {
      log(403);
      sendJson(res, 403, [{ token: 'forbidden_error', message: `Not authorized for org ${orgM[1]}` }]);
      return;
    }

    if (endpoint === 'job') {
      const job = jobs.get(orgM[3] ?? '');
      if (!job) { log(404); sendJson(res, 404, [{ token: 'not_found' }]); return; }
      job.polls++;
      const base = { href: `/orgs/${org}/jobs/${job.id}`, job_type: 'async_collection', description: `/orgs/${org}/events`, requested_at: job.requestedAt, requested_by: { href: '/users/1' } };
      if (job.polls <= options.jobPolls) {
        log(200);
        sendJson(res, 200, { ...base, status: 'running', result: {} }, { 'retry-after': String(options.jobRetryAfterSec) });
        return;
      }
      log(200);
      sendJson(res, 200, {
        ...base, status: job.outcome, terminated_at: new Date().toISOString(),
        result: job.outcome === 'done' ? { href: `/orgs/${org}/datafiles/${job.id}` } : {},
      });
      return;
    }

    if (endpoint === 'datafile') {
      const job = jobs.get(orgM[3] ?? '');
      if (!job || job.outcome !== 'done' || job.polls <= options.jobPolls) { log(404); sendJson(res, 404, [{ token: 'not_found' }]); return; }
      log(200, { count: job.refs.length, ...(fault ? { fault: fault.kind } : {}) });
      await streamArray(res, ordered(job.refs), fault);
      return;
    }

    if (endpoint === 'event') {
      const href = `/orgs/${org}/events/${orgM[3]}`;
      const found = findByHref(href);
      if (!found) { log(404); sendJson(res, 404, [{ token: 'not_found' }]); return; }
      log(200, { count: 1 });
      sendJson(res, 200, found);
      return;
    }

    const bad = badQuery(q);
    if (bad) { log(406); sendJson(res, 406, [{ token: 'invalid_uri', message: bad }]); return; }
    const refs = matching(q);
    if (endpoint === 'async') {
      const job: Job = { id: randomUUID(), refs, polls: 0, outcome: options.jobOutcome, requestedAt: new Date().toISOString() };
      jobs.set(job.id, job);
      log(202);
      res.writeHead(202, { location: `/orgs/${org}/jobs/${job.id}`, 'retry-after': String(options.jobRetryAfterSec), 'content-length': 0 });
      res.end();
      return;
    }
    const max = q.has('max_results') ? Number(q.get('max_results')) : 100;
    // When more match than max_results, the newest come back (what third parties report).
    const page = ordered(refs.slice(Math.max(0, refs.length - max)));
    log(200, { count: page.length, ...(fault ? { fault: fault.kind } : {}) });
    res.setHeader('x-total-count', String(refs.length));
    await streamArray(res, page, fault);
  }

  function badQuery(q: URLSearchParams): string | undefined {
    if (q.has('max_results')) {
      const m = q.get('max_results') ?? '';
      if (!/^\d+$/.test(m) || Number(m) < 1 || Number(m) > 10000) return 'max_results must be an integer from 1 to 10000';
    }
    for (const k of ['timestamp[gte]', 'timestamp[lte]']) {
      const v = q.get(k);
      if (v !== null && (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v)))) return `${k} must be an RFC 3339 timestamp`;
    }
    if (q.has('severity') && !['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'].includes(q.get('severity') ?? '')) {
      return 'severity is not a valid value';
    }
    return undefined;
  }

  function findByHref(href: string): Record<string, unknown> | undefined {
    const r = raw.find((x) => x.event.href === href);
    if (r) return r.event;
    const m = /-([0-9a-f]{4})-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})$/.exec(href);
    if (!m) return undefined;
    const i = parseInt(m[2], 16);
    const seg = segments.findIndex((s) => (s.seed & 0xffff) === parseInt(m[1], 16) && i < s.count);
    if (seg < 0) return undefined;
    const e = eventOf({ seg, i, ts: tsOf(segments[seg], i) });
    return e.href === href ? e : undefined;
  }

  async function streamArray(res: http.ServerResponse, refs: Ref[], fault: FaultRule | undefined): Promise<void> {
    res.setHeader('content-type', 'application/json');
    const cut = fault?.kind === 'truncate' || fault?.kind === 'malformed' ? Math.floor(refs.length / 2) : -1;
    const write = (s: string) => (res.write(s) ? Promise.resolve() : new Promise<void>((r) => res.once('drain', r)));
    let buf = '[';
    for (let k = 0; k < refs.length; k++) {
      if (k === cut) {
        if (fault?.kind === 'truncate') {
          await write(buf);
          // Give the client the bytes, then drop the connection mid-array.
          await new Promise((r) => setTimeout(r, 20));
          res.socket?.destroy();
          return;
        }
        buf += '{"href": "/orgs/1/events/broken", "timestamp": 2019-13-45, ';
      }
      buf += (k ? ',' : '') + renderOf(refs[k]);
      if (buf.length > 65536) {
        await write(buf);
        buf = '';
        if (fault?.kind === 'slow' && fault.delayMs) await new Promise((r) => setTimeout(r, Math.min(fault.delayMs!, 200)));
      }
    }
    if (refs.length === 0 && cut === 0 && fault?.kind === 'malformed') buf += '{"href":';
    res.end(`${buf}]`);
  }

  let certDir: string | undefined;
  let server: http.Server | https.Server;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, [{ token: 'internal_error', message: String(e) }]);
      else res.destroy();
    });
  };
  if (opts.tls) {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'illumio-sim-tls-'));
    const key = path.join(certDir, 'key.pem'); const cert = path.join(certDir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, handler);
  } else {
    server = http.createServer(handler);
  }
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await listen(server, opts.port ?? 0, '127.0.0.1', 'Illumio PCE simulator');
  const port = (server.address() as AddressInfo).port;

  const sim: IllumioSimulator = {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    org,
    keyId,
    secret,
    caPath: certDir ? path.join(certDir, 'cert.pem') : undefined,
    served,
    options,
    faults,
    addEvents(count, fromMs, toMs, seed) {
      if (count <= 0) return;
      segments.push({ seed: seed ?? nextSeed++, count, fromMs, toMs: Math.max(toMs, fromMs) });
    },
    traffic,
    addFlows: (count, fromMs, toMs, seed) => traffic.addFlows(count, fromMs, toMs, seed),
    addRaw(events) {
      for (const event of events) {
        const t = Date.parse(String(event.timestamp ?? event.time));
        raw.push({ ts: Number.isNaN(t) ? 0 : t, event });
      }
    },
    *eventsBetween(fromMs, toMs) {
      for (const r of refsBetween(fromMs, toMs)) yield eventOf(r);
    },
    hrefsBetween(fromMs, toMs) {
      return Array.from(sim.eventsBetween(fromMs, toMs), (e) => String(e.href));
    },
    size: () => segments.reduce((n, s) => n + s.count, 0) + raw.length,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
    },
  };
  for (const e of opts.events ?? []) sim.addEvents(e.count, e.fromMs, e.toMs, e.seed);
  for (const f of opts.flows ?? []) sim.addFlows(f.count, f.fromMs, f.toMs, f.seed);
  return sim;
}
