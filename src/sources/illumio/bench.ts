/**
 * Illumio PCE benches. Its collections are measured through their launchers as splunkd runs
 * them (src/cli/bench-launchers.ts). Events, with the targets of issue 16: 100 000 events via the
 * async collection, wall and CPU <= 1.5x the floor's; peak RSS <= 150 MB at 200 000 events.
 * Traffic flows (issue 20): 100 000 flows through Explorer async queries (one per hour window,
 * polled, streamed, deleted) within the same memory bound; wall and CPU against the floor are
 * reported, not targets (the floor does no queries).
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
  }, {
    input: { scheme: 'illumio_pce_traffic', timeField: 'timestamp_range.last_detected' },
    events: 100_000,
    mode: 'traffic flows',
    simulator: 'traffic',
    rss: { events: 100_000, maxMB: 150 },
  }],
};
