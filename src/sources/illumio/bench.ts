/**
 * Illumio PCE benches. Its collection is measured through its launcher as splunkd runs it
 * (src/cli/bench-launchers.ts), with the targets of issue 16: 100 000 events via the async
 * collection, wall and CPU <= 1.5x the floor's; peak RSS <= 150 MB at 200 000 events.
 */
import type { SourceBenches } from '../../core/source-hooks';

export const illumioBenches: SourceBenches = {
  benches: [],
  launchers: [{
    input: { scheme: 'illumio_pce_events', timeField: 'timestamp' },
    events: 100_000,
    mode: 'async',
    ratioTargets: true,
    rss: { events: 200_000, maxMB: 150 },
  }],
};
