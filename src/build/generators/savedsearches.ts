/** default/savedsearches.conf: each module's saved searches, then the add-on's own (./knowledge-searches.ts). */
import { formatConf } from '../../core/conf/parse';
import type { SavedSearchDefinition, SourceKnowledge } from '../../core/knowledge/spec';
import { ADDON_SEARCHES_ORIGIN, savedSearches } from './knowledge-searches';
import { generatedHeader } from './sources';
import type { Generator } from './types';

function savedSearchEntries(s: SavedSearchDefinition): [string, string][] {
  const entries: [string, string][] = [
    ['description', s.description],
    ['search', s.search],
    ['disabled', '1'],
    ['enableSched', '1'],
    ['cron_schedule', s.cron],
    ['schedule_window', 'auto'],
    ['dispatch.earliest_time', s.earliest],
    ['dispatch.latest_time', s.latest],
  ];
  // Index-time windows: each run takes what was indexed in its slice, however late its _time.
  if (s.indexEarliest) entries.push(['dispatch.index_earliest', s.indexEarliest], ['dispatch.index_latest', s.indexLatest ?? 'now']);
  entries.push(['action.email', '0']);
  if (s.alert) {
    entries.push(
      ['counttype', 'number of events'],
      ['relation', 'greater than'],
      ['quantity', '0'],
      ['alert.track', '1'],
      ['alert.severity', String(s.alert.severity)],
    );
    // Throttled alerts fire once per result (one VEN, one source address) and stay quiet for that
    // value only; the others fire once per run with every result in one digest.
    if (s.alert.suppressFields) {
      entries.push(
        ['alert.digest_mode', '0'],
        ['alert.suppress', '1'],
        ['alert.suppress.fields', s.alert.suppressFields],
        ['alert.suppress.period', s.alert.suppressPeriod ?? '1h'],
      );
    } else {
      entries.push(['alert.digest_mode', '1'], ['alert.suppress', '0']);
    }
  }
  return entries;
}

export function savedsearchesConf(knowledge: readonly SourceKnowledge[]): string {
  const origins = [...knowledge.filter((k) => k.savedSearches?.length), { origin: ADDON_SEARCHES_ORIGIN }];
  return formatConf(
    savedSearches(knowledge).map((s) => ({ name: s.name, entries: savedSearchEntries(s) })),
    `${generatedHeader('savedsearches', '', origins)}\nEverything ships disabled; enable in Settings > Searches, reports, and alerts.`,
  );
}

export const savedsearchesGenerator: Generator = { name: 'savedsearches', generate: (ctx) => ({ 'default/savedsearches.conf': savedsearchesConf(ctx.knowledge) }) };
