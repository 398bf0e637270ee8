/**
 * The shape in which a vendor module hands its search-time knowledge to the conf generators
 * (src/build/generators): sourcetype stanzas for props.conf, transforms.conf stanzas, lookup
 * tables, eventtypes (with their tags), macros and saved searches. One object per vendor; the
 * generators loop over them, so a fourth vendor is one more object. Vendor-neutral: core knows no
 * vendor. Schedules and index macros every search shares are in ./searches.ts.
 */
import type { EventTypeDefinition } from '../eventtype';

/** One `key = value` line, with an optional comment (one or more lines) written above it. */
export interface ConfLine {
  key: string;
  value: string;
  comment?: string;
}

export interface StanzaSpec {
  name: string;
  /** Written above the stanza header. */
  comment?: string;
  lines: ConfLine[];
}

export interface LookupTableSpec {
  /** File name under lookups/. */
  file: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
  /** The transforms.conf stanza that defines the lookup (filename is filled in). */
  stanza: StanzaSpec;
}

export interface MacroDefinition {
  /** Stanza name: the macro name, plus `(<n>)` when it takes arguments. */
  name: string;
  args?: readonly string[];
  definition: string;
  description: string;
}

export interface SavedSearchDefinition {
  name: string;
  description: string;
  search: string;
  cron: string;
  /** Event-time bounds (dispatch.earliest_time/latest_time). */
  earliest: string;
  latest: string;
  /** Index-time window (dispatch.index_earliest/index_latest): set for "what arrived since the last run", so late events count. */
  indexEarliest?: string;
  indexLatest?: string;
  /** Set instead of the index-time window for a state over a period: why event time answers it and an index-time slice would not. */
  eventTimeBecause?: string;
  /** Set for alerts: raise when the search returns any result. */
  alert?: { severity: 1 | 2 | 3 | 4 | 5 | 6; suppressFields?: string; suppressPeriod?: string };
}

export interface SourceKnowledge {
  /** Vendor or module name, for generated-file headers and errors. */
  name: string;
  /** The module's own file(s), named in generated headers. */
  origin: string;
  /** props.conf stanzas: one per sourcetype (or source:: rule). */
  props: StanzaSpec[];
  /** transforms.conf stanzas other than lookup definitions. */
  transforms: StanzaSpec[];
  lookups: LookupTableSpec[];
  eventtypes: readonly EventTypeDefinition[];
  /**
   * The description of the module's index macro (`ta_zerotrust_<module name>_index`, generated for
   * every module: ./searches.ts); a generic one naming the module's sourcetypes when absent.
   */
  indexMacroDescription?: string;
  /** The vendor's own macros (thresholds, field helpers), after the add-on's generic ones. */
  macros?: readonly MacroDefinition[];
  /** The vendor's detections and reports; they ship disabled. */
  savedSearches?: readonly SavedSearchDefinition[];
  /**
   * The most JSON parses one event of any of the module's sourcetypes may cost at search time
   * (KV_MODE=json once, every spath() again): a target `npm run bench -- knowledge` reports against
   * (./cost.ts). None when the vendor declares no such target.
   */
  maxJsonParsesPerEvent?: number;
}

/** A conf line; a helper so data reads as a list. */
export function line(key: string, value: string, comment?: string): ConfLine {
  return comment === undefined ? { key, value } : { key, value, comment };
}
