/**
 * A loopback receiver that speaks Splunk's HTTP Event Collector as the standalone collector uses
 * it, so the collector can be seen delivering on a machine without Splunk (`npm start --
 * --standalone`) and the HEC sink can be tested against the answers Splunk documents:
 *
 *   POST /services/collector/event (also /services/collector, /services/collector/event/1.0)
 *        `Authorization: Splunk <token>`, gzip or plain, concatenated JSON events, each with an
 *        `event`; `{"text":"Success","code":0,"ackId":N}` with indexer acknowledgement
 *   POST /services/collector/ack   `?channel=` or `X-Splunk-Request-Channel`, `{"acks":[…]}` →
 *        `{"acks":{"N":true|false}}`; an ackId reported true is then forgotten, as Splunk does
 *   GET  /services/collector/health
 *
 * Refusals carry Splunk's codes: 401 code 2 (no token), 403 code 4 (wrong token), 400 code 10
 * (channel missing with acks on), 400 code 5/6/12/13 (no data, invalid format, event field
 * missing or blank), 400 code 14 (ack polled with acks off), 413 over max_content_length
 * (limits.conf [http_input], 838860800 by default). It listens on 127.0.0.1 only.
 *
 * A `plan` hook lets tests make a request fail the ways a real indexer tier does (busy, dropped
 * connection before or after storing, lost or late acks); the demo leaves it out.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { listen } from '../net/listen';

export interface HecEventRecord {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
  fields?: Record<string, unknown>;
}

export interface HecRequestRecord {
  /** Events of the request as parsed, in order. */
  events: HecEventRecord[];
  channel: string | undefined;
  ackId?: number;
  /** The 200 answer was written (it may still be lost on the way if the socket breaks). */
  answered: boolean;
  /** The client was told the ack is true (or, without acks, got the 200). */
  confirmed: boolean;
  gzip: boolean;
}

/** What happens to one event request (tests' fault plans; the demo has none). */
export interface HecRequestPlan {
  /** Answer this status without storing anything (503: "Server is busy", code 9). */
  status?: number;
  /** Retry-After (seconds) sent with `status`. */
  retryAfter?: number;
  /** Drop the connection before storing, or after storing and before answering. */
  reset?: 'before' | 'after';
  /** The ack turns true after this many ms; Infinity: never (an indexer lost it). */
  ackDelayMs?: number;
  /** The ack stays false until releaseHeldAcks(). */
  holdAck?: boolean;
}

export interface HecReceiverOptions {
  token: string;
  /** Indexer acknowledgement on for the token (default true). */
  ack?: boolean;
  /** Default delay before an ack turns true (default 0: true on the first poll). */
  ackDelayMs?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Default 0: a free port. */
  port?: number;
  /** Bytes of one request body, decompressed (Splunk's default max_content_length). */
  maxContentLength?: number;
  /** Keep every stored request in `stored` (tests); the demo counts through onStore instead. */
  keep?: boolean;
  /** Called once per event request before anything else. */
  plan?: () => HecRequestPlan | undefined;
  /** Called for every stored request, before it is answered. */
  onStore?: (rec: HecRequestRecord) => void;
  /** Called when an ack of a stored request is reported true (or without acks, on the 200). */
  onConfirm?: (rec: HecRequestRecord) => void;
}

export interface HecReceiver {
  url: string;
  port: number;
  token: string;
  /** Stored requests, when `keep` is set. */
  stored: HecRequestRecord[];
  /** Requests by path and outcome, e.g. `event 200`, `event 503`, `ack 200`. */
  counts: Map<string, number>;
  readonly ackPolls: number;
  /** Acks held by a plan turn true from now on. */
  releaseHeldAcks(): void;
  close(): Promise<void>;
}

/** limits.conf [http_input] max_content_length default. */
export const SPLUNK_MAX_CONTENT_LENGTH = 838_860_800;

const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);

class BadEvent extends Error {
  constructor(readonly code: number, text: string, readonly index: number) {
    super(text);
  }
}

/** Splunk accepts event objects back to back, with or without whitespace between them. */
export function parseHecEvents(text: string): HecEventRecord[] {
  const out: HecEventRecord[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}') {
      if (--depth === 0) {
        const rec = JSON.parse(text.slice(start, i + 1)) as HecEventRecord;
        if (!('event' in rec)) throw new BadEvent(12, 'Event field is required', out.length);
        if (rec.event === '' || rec.event === null) throw new BadEvent(13, 'Event field cannot be blank', out.length);
        out.push(rec);
      }
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new BadEvent(6, 'Invalid data format', out.length);
    }
  }
  if (depth !== 0) throw new BadEvent(6, 'Invalid data format', out.length);
  return out;
}

function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startHecReceiver(opts: HecReceiverOptions): Promise<HecReceiver> {
  const { token } = opts;
  const ackOn = opts.ack !== false;
  const maxBytes = opts.maxContentLength ?? SPLUNK_MAX_CONTENT_LENGTH;
  const stored: HecRequestRecord[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  /** channel → next ackId and the pending acks */
  const channels = new Map<string, { next: number; acks: Map<number, { rec: HecRequestRecord; readyAt: number }> }>();
  const held: { readyAt: number }[] = [];
  const state = { ackPolls: 0 };
  const count = (what: string, status: number | string) => counts.set(`${what} ${status}`, (counts.get(`${what} ${status}`) ?? 0) + 1);
  const answer = (res: http.ServerResponse, what: string, status: number, body: unknown, headers?: Record<string, string>) => {
    count(what, status);
    reply(res, status, body, headers);
  };
  const confirm = (rec: HecRequestRecord) => {
    rec.confirmed = true;
    opts.onConfirm?.(rec);
  };

  const onAck = (res: http.ServerResponse, channel: string | undefined, body: Buffer) => {
    state.ackPolls += 1;
    if (!ackOn) return answer(res, 'ack', 400, { text: 'ACK is disabled', code: 14 });
    if (!channel) return answer(res, 'ack', 400, { text: 'Data channel is missing', code: 10 });
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((n) => Number.isInteger(n))) return answer(res, 'ack', 400, { text: 'Invalid data format', code: 6 });
    const ch = channels.get(channel);
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const entry = ch?.acks.get(id);
      const ready = !!entry && Date.now() >= entry.readyAt;
      acks[String(id)] = ready;
      if (ready) {
        confirm(entry.rec);
        ch!.acks.delete(id);
      }
    }
    return answer(res, 'ack', 200, { acks });
  };

  const onEvent = (req: http.IncomingMessage, res: http.ServerResponse, channel: string | undefined, body: Buffer) => {
    const plan = opts.plan?.();
    if (plan?.status) {
      return answer(res, 'event', plan.status, plan.status === 503 ? { text: 'Server is busy', code: 9 } : { text: 'Internal server error', code: 8 },
        plan.retryAfter !== undefined ? { 'retry-after': String(plan.retryAfter) } : {});
    }
    if (plan?.reset === 'before') {
      count('event', 'reset');
      req.socket.destroy();
      return undefined;
    }
    if (ackOn && !channel) return answer(res, 'event', 400, { text: 'Data channel is missing', code: 10 });
    const gzip = req.headers['content-encoding'] === 'gzip';
    let events: HecEventRecord[];
    try {
      const raw = gzip ? gunzipSync(body, { maxOutputLength: maxBytes }) : body;
      events = parseHecEvents(raw.toString('utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return answer(res, 'event', 413, { text: `Content-Length too large (maximum is ${maxBytes})`, code: 413 });
      const bad = e instanceof BadEvent ? e : new BadEvent(6, 'Invalid data format', 0);
      return answer(res, 'event', 400, { text: bad.message, code: bad.code, 'invalid-event-number': bad.index });
    }
    if (!events.length) return answer(res, 'event', 400, { text: 'No data', code: 5 });
    const rec: HecRequestRecord = { events, channel, answered: false, confirmed: false, gzip };
    if (opts.keep) stored.push(rec);
    opts.onStore?.(rec);
    if (ackOn) {
      let ch = channels.get(channel!);
      if (!ch) {
        ch = { next: 0, acks: new Map() };
        channels.set(channel!, ch);
      }
      rec.ackId = ch.next++;
      const entry = { rec, readyAt: plan?.holdAck ? Infinity : Date.now() + (plan?.ackDelayMs ?? opts.ackDelayMs ?? 0) };
      ch.acks.set(rec.ackId, entry);
      if (plan?.holdAck) held.push(entry);
    }
    if (plan?.reset === 'after') {
      count('event', 'reset');
      req.socket.destroy();
      return undefined;
    }
    rec.answered = true;
    if (!ackOn) confirm(rec);
    return answer(res, 'event', 200, ackOn ? { text: 'Success', code: 0, ackId: rec.ackId } : { text: 'Success', code: 0 });
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://hec');
    const what = EVENT_PATHS.has(u.pathname) ? 'event' : u.pathname === '/services/collector/ack' ? 'ack'
      : u.pathname === '/services/collector/health' ? 'health' : 'other';
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (what === 'other') return answer(res, what, 404, { text: 'The requested URL was not found on this server.', code: 404 });
      if (what === 'health') return answer(res, what, 200, { text: 'HEC is healthy', code: 17 });
      if (req.method !== 'POST') return answer(res, what, 405, { text: 'Method Not Allowed', code: 405 });
      const auth = req.headers.authorization ?? '';
      if (!auth) return answer(res, what, 401, { text: 'Token is required', code: 2 });
      if (auth !== `Splunk ${token}`) return answer(res, what, 403, { text: 'Invalid token', code: 4 });
      if (tooBig) return answer(res, what, 413, { text: `Content-Length of ${size} too large (maximum is ${maxBytes})`, code: 413 });
      const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? u.searchParams.get('channel') ?? undefined;
      const body = Buffer.concat(chunks);
      return what === 'ack' ? onAck(res, channel, body) : onEvent(req, res, channel, body);
    });
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, opts.port ?? 0, '127.0.0.1', 'HEC receiver');
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    token,
    stored,
    counts,
    get ackPolls() {
      return state.ackPolls;
    },
    releaseHeldAcks: () => {
      for (const h of held.splice(0)) h.readyAt = 0;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
