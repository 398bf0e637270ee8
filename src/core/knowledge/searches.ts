/**
 * What every module's saved searches share: the index macro each module gets, and the schedules.
 * Index names live in macros so an admin sets each once (Settings > Advanced search > Search
 * macros) and every search, alert and dashboard follows.
 */

/** The macro naming the indexes of a module's data (`ta_zerotrust_<module name>_index`). */
export function indexMacroName(moduleName: string): string {
  return `ta_zerotrust_${moduleName}_index`;
}

/** The index macro of a module as a search term. */
export function indexMacro(moduleName: string): string {
  return `\`${indexMacroName(moduleName)}\``;
}

/** `eventtype="a"`, or `(eventtype="a" OR eventtype="b")`. */
export function anyEventtype(eventtypes: readonly string[]): string {
  const terms = eventtypes.map((e) => `eventtype="${e}"`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

/** Renders the first_seen/last_seen epochs of a stats as readable times. */
export const TIMES = 'convert ctime(first_seen) ctime(last_seen)';

/**
 * Searches whose question is "what arrived since the last run" take an index-time window that tiles
 * with their cron schedule: consecutive runs' windows [index_earliest, index_latest) meet end to
 * start, so every event is searched exactly once however late its _time is (a PCE or vendor that
 * reports late, a collector that catches up after an outage). Splunk resolves a scheduled search's
 * relative times against its scheduled time, not its start, so a run delayed by schedule_window
 * still gets its own slice. Each window ends five minutes before the run: more than the inputs'
 * poll lag (30 s) and indexing delay, so nothing is still on its way into a slice once it is read.
 * The input interval (300 s) needs no allowance here: an event's _indextime is when it arrived,
 * whenever the input polled. The event-time bounds only keep the search off old buckets: a week
 * back (far wider than any collector backlog; older events are a backfill, not news), a day ahead
 * (vendor clocks run fast).
 *
 * Searches whose question is a state over a period (latest state per alert, last run per input,
 * last event per feed) keep event-time windows: what matters there is when things happened, and
 * every event in the period, however late it arrived, is in it on each run. Each says why in its
 * eventTimeBecause.
 */
export const LATE_EVENTS = { earliest: '-7d@m', latest: '+1d@m' } as const;

/** Every 15 minutes (three input intervals of 300 s) over what was indexed in [-20m@m, -5m@m). */
export const QUARTER = { cron: '*/15 * * * *', ...LATE_EVENTS, indexEarliest: '-20m@m', indexLatest: '-5m@m' } as const;

/** Hourly at :05 over what was indexed in the previous clock hour [-65m@m, -5m@m). */
export const HOURLY = { cron: '5 * * * *', ...LATE_EVENTS, indexEarliest: '-65m@m', indexLatest: '-5m@m' } as const;

/** Daily at 06:07 over what was indexed in the 24 clock hours up to 06:00 [-24h@h, @h). */
export const DAILY = { cron: '7 6 * * *', ...LATE_EVENTS, indexEarliest: '-24h@h', indexLatest: '@h' } as const;
