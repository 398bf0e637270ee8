/**
 * A loopback stand-in for Splunk's HTTP Event Collector, for tests of the HEC sink:
 *
 *   POST /services/collector/event   `Authorization: Splunk <token>`, gzip or plain, concatenated
 *                                    JSON events; `{"text":"Success","code":0,"ackId":N}` with acks
 *   POST /services/collector/ack     `?channel=` or `X-Splunk-Request-Channel`, `{"acks":[…]}` →
 *                                    `{"acks":{"N":true|false}}`; an ackId reported true is then
 *                                    forgotten, as Splunk does
 *
 * with the answers Splunk documents (401 code 2/4, 400 code 10 "Data channel is missing") and a
 * fault plan: 503 before reading, a dropped connection before or after the events were stored,
 * acks that turn true only after a delay or never. Every stored request is recorded with whether
 * the client can have seen it confirmed, so tests can tell allowed duplicates from wrong ones.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type HecFault =
  /** Answer this status (503 "Server is busy", code 9) without storing anything. */
  | { kind: 'status'; status: number }
  /** Drop the connection before storing: nothing received. */
  | { kind: 'reset-before' }
  /** Store the events, then drop the connection: received, but the client never hears of it. */
  | { kind: 'reset-after' }
  /** Store and answer, but this ackId never turns true (an indexer lost it). */
  | { kind: 'lose-ack' }
  /** Store and answer; the ack turns true only after this long. */
  | { kind: 'slow-ack'; ms: number }
  /** Store and answer; the ack stays false until releaseAcks() (an indexer that is behind). */
  | { kind: 'held-ack' };

export interface HecEventRecord {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
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

export interface HecStandIn {
  url: string;
  port: number;
  token: string;
  /** Every request that stored events. */
  stored: HecRequestRecord[];
  /** Faults applied to event requests in order, one per request. */
  faults: HecFault[];
  /** Count of requests by path and status (e.g. `event 503`). */
  counts: Map<string, number>;
  ackPolls: number;
  /** Held acks (fault `held-ack`) turn true from now on. */
  releaseAcks(): void;
  /** Events stored, every copy. */
  events(): HecEventRecord[];
  close(): Promise<void>;
}

export interface HecStandInOptions {
  token?: string;
  /** Indexer acknowledgement on for the token (default true). */
  ack?: boolean;
  /** Delay before an ack turns true (default 0: true on the first poll). */
  ackDelayMs?: number;
  tls?: { cert: string; key: string };
  faults?: HecFault[];
  port?: number;
}

function reply(res: http.ServerResponse, status: number, body: unknown): boolean {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}

/** Splunk accepts events back to back, with or without whitespace between them. */
function parseEvents(text: string): HecEventRecord[] {
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
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as HecEventRecord);
    }
  }
  if (depth !== 0) throw new Error('unterminated event');
  return out;
}

export async function startHecStandIn(opts: HecStandInOptions = {}): Promise<HecStandIn> {
  const token = opts.token ?? '11111111-2222-3333-4444-555555555555';
  const ackOn = opts.ack !== false;
  const stored: HecRequestRecord[] = [];
  const faults: HecFault[] = [...(opts.faults ?? [])];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  /** channel → ackId → { record, readyAt } */
  const channels = new Map<string, { next: number; acks: Map<number, { rec: HecRequestRecord; readyAt: number }> }>();
  const state = { ackPolls: 0 };
  const held: { readyAt: number }[] = [];
  const count = (what: string, status: number | string) => counts.set(`${what} ${status}`, (counts.get(`${what} ${status}`) ?? 0) + 1);

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://hec');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const what = u.pathname === '/services/collector/event' ? 'event' : u.pathname === '/services/collector/ack' ? 'ack' : 'other';
      if (what === 'other') {
        count(what, 404);
        return reply(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
      }
      const auth = req.headers.authorization ?? '';
      if (!auth) {
        count(what, 401);
        return reply(res, 401, { text: 'Token is required', code: 2 });
      }
      if (auth !== `Splunk ${token}`) {
        count(what, 403);
        return reply(res, 403, { text: 'Invalid token', code: 4 });
      }
      const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? u.searchParams.get('channel') ?? undefined;
      if (what === 'ack') {
        state.ackPolls += 1;
        if (!ackOn) {
          count(what, 400);
          return reply(res, 400, { text: 'ACK is disabled', code: 14 });
        }
        if (!channel) {
          count(what, 400);
          return reply(res, 400, { text: 'Data channel is missing', code: 10 });
        }
        const ids = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { acks: number[] }).acks;
        const ch = channels.get(channel);
        const acks: Record<string, boolean> = {};
        for (const id of ids) {
          const entry = ch?.acks.get(id);
          const ready = !!entry && Date.now() >= entry.readyAt;
          acks[String(id)] = ready;
          if (ready) {
            entry.rec.confirmed = true;
            ch!.acks.delete(id);
          }
        }
        count(what, 200);
        return reply(res, 200, { acks });
      }
      const fault = faults.shift();
      if (fault?.kind === 'status') {
        count(what, fault.status);
        return reply(res, fault.status, fault.status === 503 ? { text: 'Server is busy', code: 9 } : { text: 'Internal server error', code: 8 });
      }
      if (fault?.kind === 'reset-before') {
        count(what, 'reset');
        req.socket.destroy();
        return;
      }
      if (ackOn && !channel) {
        count(what, 400);
        return reply(res, 400, { text: 'Data channel is missing', code: 10 });
      }
      let events: HecEventRecord[];
      const gzip = req.headers['content-encoding'] === 'gzip';
      try {
        const body = Buffer.concat(chunks);
        events = parseEvents((gzip ? gunzipSync(body) : body).toString('utf8'));
      } catch {
        count(what, 400);
        return reply(res, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
      }
      if (!events.length) {
        count(what, 400);
        return reply(res, 400, { text: 'No data', code: 5 });
      }
      const rec: HecRequestRecord = { events, channel, answered: false, confirmed: false, gzip };
      stored.push(rec);
      if (ackOn) {
        let ch = channels.get(channel!);
        if (!ch) {
          ch = { next: 0, acks: new Map() };
          channels.set(channel!, ch);
        }
        rec.ackId = ch.next++;
        const readyAt = fault?.kind === 'lose-ack' || fault?.kind === 'held-ack' ? Infinity
          : Date.now() + (fault?.kind === 'slow-ack' ? fault.ms : opts.ackDelayMs ?? 0);
        ch.acks.set(rec.ackId, { rec, readyAt });
        if (fault?.kind === 'held-ack') held.push(ch.acks.get(rec.ackId)!);
      }
      if (fault?.kind === 'reset-after') {
        count(what, 'reset');
        req.socket.destroy();
        return;
      }
      count(what, 200);
      rec.answered = true;
      if (!ackOn) rec.confirmed = true;
      return reply(res, 200, ackOn ? { text: 'Success', code: 0, ackId: rec.ackId } : { text: 'Success', code: 0 });
    });
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    token,
    stored,
    faults,
    counts,
    get ackPolls() {
      return state.ackPolls;
    },
    releaseAcks: () => {
      for (const h of held.splice(0)) h.readyAt = 0;
    },
    events: () => stored.flatMap((r) => r.events),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
