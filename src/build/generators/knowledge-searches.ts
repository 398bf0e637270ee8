/**
 * The add-on's own macros and saved searches, vendor-free: one index macro per module (its
 * description from the module's knowledge, or a generic one), the run-health macros over all of
 * them, and the searches that watch the inputs themselves. Each module's own macros and searches
 * are in its knowledge (src/sources/<name>/). Saved searches ship disabled: an admin enables the
 * ones that fit.
 */
import { HEALTH_SOURCETYPE } from '../../core/app';
import { indexMacro, indexMacroName, HOURLY } from '../../core/knowledge/searches';
import type { MacroDefinition, SavedSearchDefinition, SourceKnowledge } from '../../core/knowledge/spec';
import type { SourceModule } from '../../core/source-module';

export const ADDON_SEARCHES_ORIGIN = 'src/build/generators/knowledge-searches.ts (index macro per module; run health)';

/** What an index macro says when the module's knowledge gives no description of its own. */
function genericIndexDescription(module: SourceModule): string {
  const sourcetypes = [...new Set(module.inputs.map((i) => i.description.sourcetype))];
  return `Indexes holding ${module.title} data (sourcetype${sourcetypes.length > 1 ? 's' : ''} ${sourcetypes.join(', ')}, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index of the ${module.title} inputs, e.g. index=zerotrust.`;
}

export function indexMacros(vendors: readonly { module: SourceModule; knowledge: SourceKnowledge }[]): MacroDefinition[] {
  return vendors.map(({ module, knowledge }) => ({
    name: indexMacroName(module.name),
    definition: 'index=main',
    description: knowledge.indexMacroDescription ?? genericIndexDescription(module),
  }));
}

export function addonMacros(modules: readonly SourceModule[]): MacroDefinition[] {
  return [
    {
      name: 'ta_zerotrust_health',
      definition: `(${modules.map((m) => indexMacro(m.name)).join(' OR ')}) sourcetype="${HEALTH_SOURCETYPE}"`,
      description: 'The add-on health events: one per input run (status, counts, lag, errors, interval), written by each input into its own index, and one by the launcher when it cannot start. Readable by every role that reads the data, unlike _internal.',
    },
    {
      name: 'ta_zerotrust_internal_logs', definition: 'index=_internal sourcetype="ta_zerotrust_events:log"',
      description: 'The add-on\'s own logs ($SPLUNK_HOME/var/log/splunk/ta_zerotrust_events_<input>.log, indexed into _internal by Splunk\'s own monitor; props.conf gives them this sourcetype). Only roles that may search _internal (admin) see them; the health events (ta_zerotrust_health) carry the same run summaries for everyone.',
    },
    {
      name: 'ta_zerotrust_missed_runs', definition: '3',
      description: 'Runs an input may miss before "Add-on - No data from an input" reports it: the threshold is this many times the input\'s own interval (at least 15 minutes), so a daily input is not reported after an hour.',
    },
  ];
}

export const ADDON_SEARCHES: readonly SavedSearchDefinition[] = [
  {
    name: 'Add-on - No data from an input',
    description: 'An input that ran in the last 7 days has not reported a run for longer than ta_zerotrust_missed_runs times its own interval (at least 15 minutes): splunkd stopped running it, or it hangs. Read from the health events (one per run of each stanza), so quiet vendors (no new events) do not count as failures, and a source that is not an input (such as the one for unparsed bodies) is never mistaken for one.',
    search: '`ta_zerotrust_health` | stats latest(_time) AS last_run latest(interval_seconds) AS interval_seconds latest(status) AS last_status latest(newest_event_time) AS newest_event BY stanza | eval threshold_minutes = round(max(coalesce(interval_seconds, 300) * `ta_zerotrust_missed_runs`, 900) / 60), minutes_quiet = round((now() - last_run) / 60) | where minutes_quiet > threshold_minutes | convert ctime(last_run) ctime(newest_event) | rename stanza AS input',
    eventTimeBecause: 'the question is when each input last ran (its latest health event in the week), which an index-time slice holding no run could not answer',
    cron: '*/30 * * * *', earliest: '-7d@m', latest: 'now', alert: { severity: 4, suppressFields: 'input', suppressPeriod: '6h' },
  },
  {
    name: 'Add-on - Input runs failing',
    description: 'Runs of an input ended in failure (configuration, authentication, vendor, transient errors, or the launcher could not start Node.js), reported (indexed) in the previous clock hour; error_kind and last_error say why.',
    search: '`ta_zerotrust_health` status=failed | stats count AS failed_runs latest(error_kind) AS error_kind latest(last_error) AS last_error latest(_time) AS last_failure BY stanza | convert ctime(last_failure)',
    // New failures since the last run: a health event that reached the index late (a launcher
    // failure forwarded after an outage) is counted in the hour it arrived.
    ...HOURLY, alert: { severity: 4, suppressFields: 'stanza', suppressPeriod: '6h' },
  },
];

/** Every saved search the add-on ships: each module's, then the add-on's own. */
export function savedSearches(knowledge: readonly SourceKnowledge[]): SavedSearchDefinition[] {
  return [...knowledge.flatMap((k) => k.savedSearches ?? []), ...ADDON_SEARCHES];
}
