/**
 * A Prisma SaaS log-events service on loopback: the OAuth token endpoint with expiring tokens,
 * the single and bulk long-poll endpoints over a destructive queue, and a fault plan. It records
 * every event it handed out and whether the answer carrying it was fully sent, so tests can
 * assert that the collector lost nothing and duplicated nothing.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { listen } from '../../../core/net/listen';
import { eventGenerator, GeneratorOptions, PrismaEvent, seedStyleInvalid } from './events';

export type Fault =
  /** Answer with this status and no dequeue (429 with Retry-After seconds, 500, 503…). */
  | { kind: 'status'; status: number; retryAfter?: number; endpoint?: 'data' | 'token' }
  /** Drop the connection before dequeuing: nothing is lost. */
  | { kind: 'reset'; endpoint?: 'data' | 'token' }
  /** Dequeue, then drop the connection before answering: the service-side loss no client can prevent. */
  | { kind: 'reset-after-dequeue' }
  /** Dequeue, send half the body, drop the connection. */
  | { kind: 'truncate' }
  /** Dequeue and answer with the events written like the vendor docs' examples (not JSON). */
  | { kind: 'invalid-json' }
  /** Dequeue and answer with this exact body (e.g. a timestamp with a trailing space). */
  | { kind: 'raw'; body: string }
  /** Every issued token expires now; this request then gets 401. */
  | { kind: 'expire-tokens' }
  /** Hold the answer this long first. */
  | { kind: 'delay'; ms: number };

export interface PrismaSimulatorOptions {
  host?: string;
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** expires_in of issued tokens (default 7200 s, as reported for the service). */
  tokenTtlSeconds?: number;
  /** How long an empty queue holds a poll before 204 (the service: 20 s). */
  longPollMs?: number;
  bulkMax?: number;
  /** Events queued at start: a count to generate, or the events themselves. */
  events?: number | PrismaEvent[];
  /** Keep generating this many events per second (for the demo). */
  ratePerSecond?: number;
  generator?: GeneratorOptions;
  /** Faults applied to requests in order, one per request of the matching endpoint. */
  faults?: Fault[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface ServedEvent {
  event: PrismaEvent;
  /** The answer carrying it was completely written to the socket. */
  sent: boolean;
  /** It went out in a body the simulator deliberately corrupted (invalid JSON, raw, truncated). */
  corrupted: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  host: string | undefined;
  status: number | 'reset';
  /** Events dequeued by this request. */
  events: number;
}

export interface PrismaSimulatorStats {
  queued: number;
  dequeued: number;
  /** Dequeued in answers that never fully reached the client. */
  lost: number;
  tokensIssued: number;
  dataRequests: number;
  tokenRequests: number;
  /** TCP connections accepted: few for many requests means keep-alive works. */
  connections: number;
}

export interface PrismaSimulator {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Mutable: push faults at any time. */
  faults: Fault[];
  served: ServedEvent[];
  requests: RequestRecord[];
  enqueue(events: number | PrismaEvent[]): void;
  expireTokens(): void;
  stats(): PrismaSimulatorStats;
  stop(): Promise<void>;
}

export async function startPrismaSimulator(opts: PrismaSimulatorOptions = {}): Promise<PrismaSimulator> {
  const clientId = opts.clientId ?? 'sim-client';
  const clientSecret = opts.clientSecret ?? 'sim-secret-' + randomBytes(6).toString('hex');
  const ttlMs = (opts.tokenTtlSeconds ?? 7200) * 1000;
  const longPollMs = opts.longPollMs ?? 20_000;
  const bulkMax = opts.bulkMax ?? 100;
  const gen = eventGenerator(opts.generator);
  const queue: PrismaEvent[] = [];
  const tokens = new Map<string, number>();
  const waiters = new Set<() => void>();
  const served: ServedEvent[] = [];
  const requests: RequestRecord[] = [];
  const faults: Fault[] = [...(opts.faults ?? [])];
  const sockets = new Set<Socket>();
  let tokensIssued = 0;
  let connections = 0;
  let stopped = false;

  const enqueue = (events: number | PrismaEvent[]) => {
    if (typeof events === 'number') for (let i = 0; i < events; i++) queue.push(gen());
    else queue.push(...events);
    for (const w of [...waiters]) w();
  };
  if (opts.events !== undefined) enqueue(opts.events);

  const takeFault = (endpoint: 'data' | 'token'): Fault | undefined => {
    const i = faults.findIndex((f) => (('endpoint' in f && f.endpoint) || 'data') === endpoint);
    return i >= 0 ? faults.splice(i, 1)[0] : undefined;
  };

  const waitForEvents = (ms: number) =>
    new Promise<void>((resolve) => {
      if (queue.length || stopped) return resolve();
      const done = () => { clearTimeout(t); waiters.delete(done); resolve(); };
      const t = setTimeout(done, ms);
      waiters.add(done);
    });

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handleToken = async (req: http.IncomingMessage, res: http.ServerResponse, rec: RequestRecord, fault?: Fault) => {
    const body = await readBody(req);
    if (fault?.kind === 'status') return json(res, (rec.status = fault.status), { error: 'server_error' }, retryHeader(fault.retryAfter));
    const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [id, secret] = auth ? splitOnce(Buffer.from(auth[1], 'base64').toString('utf8'), ':') : ['', ''];
    if (id !== clientId || secret !== clientSecret) {
      return json(res, (rec.status = 401), { error: 'unauthorized', error_description: 'Invalid credentials', timestamp: Date.now(), status: 401 });
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return json(res, (rec.status = 400), { error: 'unsupported_grant_type' });
    if (!(form.get('scope') ?? '').split(' ').includes('api_access')) return json(res, (rec.status = 400), { error: 'invalid_scope' });
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + ttlMs);
    tokensIssued++;
    rec.status = 200;
    json(res, 200, { access_token: token, token_type: 'bearer', expires_in: Math.round(ttlMs / 1000), scope: 'api_access', jti: randomBytes(8).toString('hex') });
  };

  const handleData = async (req: http.IncomingMessage, res: http.ServerResponse, rec: RequestRecord, bulk: boolean, fault?: Fault) => {
    if (fault?.kind === 'expire-tokens') for (const t of tokens.keys()) tokens.set(t, 0);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const exp = bearer ? tokens.get(bearer) : undefined;
    if (exp === undefined || exp <= Date.now()) {
      return json(res, (rec.status = 401), { error: 'invalid_token', error_description: 'Access token expired or invalid' });
    }
    if (fault?.kind === 'status') return json(res, (rec.status = fault.status), { error: 'unavailable' }, retryHeader(fault.retryAfter));
    await waitForEvents(longPollMs);
    if (stopped || req.destroyed) return;
    if (!queue.length) {
      rec.status = 204;
      res.writeHead(204, { 'content-type': 'application/json; charset=utf-8' });
      return res.end();
    }
    const events = queue.splice(0, bulk ? bulkMax : 1);
    rec.events = events.length;
    const corrupted = fault?.kind === 'invalid-json' || fault?.kind === 'raw' || fault?.kind === 'truncate';
    const entries: ServedEvent[] = events.map((event) => ({ event, sent: false, corrupted }));
    served.push(...entries);
    if (fault?.kind === 'reset-after-dequeue') {
      rec.status = 'reset';
      return req.socket.destroy();
    }
    let text: string;
    if (fault?.kind === 'invalid-json') {
      const parts = events.map(seedStyleInvalid);
      text = bulk ? `{"events":[${parts.join(',')}]}` : parts[0];
    } else if (fault?.kind === 'raw') {
      text = fault.body;
    } else {
      text = bulk ? JSON.stringify({ events }) : JSON.stringify(events[0]);
    }
    rec.status = 200;
    if (fault?.kind === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.on('finish', () => { for (const e of entries) e.sent = true; });
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const rec: RequestRecord = { method: req.method ?? '', path: url.pathname, host: req.headers.host, status: 'reset', events: 0 };
    requests.push(rec);
    const isToken = url.pathname === '/oauth/token';
    const isData = url.pathname === '/api/v1/log_events' || url.pathname === '/api/v1/log_events_bulk';
    const fault = isToken ? takeFault('token') : isData ? takeFault('data') : undefined;
    if (fault?.kind === 'reset') return req.socket.destroy();
    const run = async () => {
      if (isToken && req.method === 'POST') return handleToken(req, res, rec, fault);
      if (isData && req.method === 'GET') return handleData(req, res, rec, url.pathname.endsWith('_bulk'), fault);
      json(res, (rec.status = 404), { error: 'not_found', path: url.pathname });
    };
    run().catch(() => req.socket.destroy());
  };

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  // Collectors keep connections alive across long polls.
  server.keepAliveTimeout = 65_000;
  server.on('connection', (s: Socket) => { connections++; sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1', 'Prisma SaaS simulator');
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const ticker = opts.ratePerSecond
    ? setInterval(() => enqueue(Math.max(1, Math.round(opts.ratePerSecond! / 10))), 100)
    : undefined;

  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    clientId,
    clientSecret,
    faults,
    served,
    requests,
    enqueue,
    expireTokens: () => { for (const t of tokens.keys()) tokens.set(t, 0); },
    stats: () => ({
      queued: queue.length,
      dequeued: served.length,
      lost: served.filter((s) => !s.sent && !s.corrupted).length,
      tokensIssued,
      dataRequests: requests.filter((r) => r.path.startsWith('/api/')).length,
      tokenRequests: requests.filter((r) => r.path === '/oauth/token').length,
      connections,
    }),
    async stop() {
      stopped = true;
      if (ticker) clearInterval(ticker);
      for (const w of [...waiters]) w();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function retryHeader(seconds?: number): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { eventGenerator, LOG_TYPES, seedStyleInvalid } from './events';
export type { PrismaEvent, LogType } from './events';
