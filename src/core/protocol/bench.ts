/**
 * Bench of the splunkd-facing protocol layer: serialising events into the XML stream splunkd
 * reads, on clean and on hostile text. The launcher's `--scheme` cold start, which needs the
 * built bundle, is measured by src/cli/bench-cold-start.ts in the same suite.
 */
import { type Bench, type BenchResult } from '../bench';
import { eventsXml } from './stream';
import type { OutEvent } from '../types';

/** A stanza and sourcetype of no vendor: the serialiser does not care whose events it writes. */
const STANZA = 'synthetic_events://prod';
const SOURCETYPE = 'synthetic:event';

function syntheticEvents(n: number, hostile: boolean): OutEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    time: 1_763_000_000 + i / 1000,
    sourcetype: SOURCETYPE,
    source: STANZA,
    host: 'pce.example.com',
    index: 'main',
    data: JSON.stringify({
      href: `/orgs/1/events/${i}-1b2c3d4e`,
      event_type: 'user.sign_in',
      status: 'success',
      severity: 'info',
      timestamp: '2026-11-21T23:59:59.123Z',
      created_by: { user: { href: '/users/7', username: 'alice@example.com' } },
      action: { api_method: 'POST', src_ip: '203.0.113.7', info: hostile ? 'x</data>]]>&\u0000\uD800<y>\r\n'.repeat(10) : 'ok'.repeat(60) },
      notifications: [{ notification_type: 'user.login_session_created', info: { host: 'ws-42', uri: '/login' } }],
    }),
  }));
}

function throughput(name: string, events: OutEvent[]): BenchResult {
  const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.data), 0);
  eventsXml(STANZA, events.slice(0, 1000));
  const t0 = process.hrtime.bigint();
  const reps = 5;
  for (let r = 0; r < reps; r++) eventsXml(STANZA, events);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const mbps = (bytes * reps) / s / 1e6;
  return { name, value: mbps, unit: 'MB/s' };
}

const serialise: Bench = async () => [
  throughput('xml_event_serialise_clean', syntheticEvents(20_000, false)),
  throughput('xml_event_serialise_hostile', syntheticEvents(20_000, true)),
];

export const benches: Bench[] = [serialise];
