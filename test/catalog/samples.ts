/**
 * The analyst samples: each vendor's come from its module (SourceModule.analystSamples, in
 * src/sources/<name>/analyst-samples.ts); the add-on's own log lines are here. One raw event per
 * way data reaches the add-on, with the eventtypes and tags an analyst must see.
 */
import type { AnalystSample } from '../../src/core/source-hooks';
import { SOURCE_MODULES } from '../../src/sources';

export type GoldenSample = AnalystSample;

/** Samples of no vendor: the add-on's own log. */
export const APP_SAMPLES: readonly AnalystSample[] = [
  {
    // The run summary every input run ends with (src/core/runtime.ts), as src/core/log writes it.
    title: 'add-on log: run summary of a failed run',
    sourcetype: 'ta_zerotrust_events:log',
    source: '/opt/splunk/var/log/splunk/ta_zerotrust_events_illumio_pce_events.log',
    raw: '2026-11-21 23:59:59.123 +0000 INFO pid=123 input=illumio_pce_events stanza="illumio_pce_events://prod" run_summary stanza=illumio_pce_events://prod events=500 batches=5 errors=0 duration_ms=1234 status=failed error_kind=transient newest_event_time=1795305599.123',
    eventtypes: [],
    tags: [],
    fields: { stanza: 'illumio_pce_events://prod', events: '500', batches: '5', duration_ms: '1234', status: 'failed', error_kind: 'transient', newest_event_time: '1795305599.123' },
  },
];

/** Every module's samples, by module name, then the add-on's own under 'app'. */
export async function analystSamples(): Promise<Map<string, readonly AnalystSample[]>> {
  const out = new Map<string, readonly AnalystSample[]>();
  for (const m of SOURCE_MODULES) out.set(m.name, (await m.analystSamples?.()) ?? []);
  out.set('app', APP_SAMPLES);
  return out;
}
