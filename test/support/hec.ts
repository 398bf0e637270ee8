/**
 * The HEC receiver of src/core/standalone (what `npm start -- --standalone` delivers to) with a
 * fault plan for tests of the HEC sink: 503 before reading, a dropped connection before or after
 * the events were stored, acks that turn true only after a delay or never. Every stored request
 * is kept with whether the client can have seen it confirmed, so tests can tell allowed
 * duplicates from wrong ones.
 */
import {
  startHecReceiver, type HecEventRecord, type HecReceiver, type HecRequestPlan, type HecRequestRecord,
} from '../../src/core/standalone/hec-receiver';

export type { HecEventRecord, HecRequestRecord };

export type HecFault =
  /** Answer this status (503 "Server is busy", code 9) without storing anything. */
  | { kind: 'status'; status: number; retryAfter?: number }
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

export interface HecStandIn extends HecReceiver {
  /** Faults applied to event requests in order, one per request. */
  faults: HecFault[];
  /** Held acks (fault `held-ack`) turn true from now on. */
  releaseAcks(): void;
  /** Events stored, every copy. */
  events(): HecEventRecord[];
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

function planOf(f: HecFault | undefined): HecRequestPlan | undefined {
  switch (f?.kind) {
    case 'status': return { status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) };
    case 'reset-before': return { reset: 'before' };
    case 'reset-after': return { reset: 'after' };
    case 'lose-ack': return { ackDelayMs: Infinity };
    case 'slow-ack': return { ackDelayMs: f.ms };
    case 'held-ack': return { holdAck: true };
    default: return undefined;
  }
}

export async function startHecStandIn(opts: HecStandInOptions = {}): Promise<HecStandIn> {
  const faults: HecFault[] = [...(opts.faults ?? [])];
  const r = await startHecReceiver({
    token: opts.token ?? '11111111-2222-3333-4444-555555555555',
    keep: true,
    plan: () => planOf(faults.shift()),
    ...(opts.ack !== undefined ? { ack: opts.ack } : {}),
    ...(opts.ackDelayMs !== undefined ? { ackDelayMs: opts.ackDelayMs } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  return Object.assign(r, {
    faults,
    releaseAcks: () => r.releaseHeldAcks(),
    events: () => r.stored.flatMap((x) => x.events),
  });
}
