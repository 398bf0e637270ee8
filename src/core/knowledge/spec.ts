/**
 * The shape in which a vendor module hands its search-time knowledge to the conf generators
 * (src/build/generators): sourcetype stanzas for props.conf, transforms.conf stanzas, lookup
 * tables, eventtypes (with their tags) and saved searches. One object per vendor; the generators
 * loop over them, so a fourth vendor is one more object. Vendor-neutral: core knows no vendor.
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
}

/** A conf line; a helper so data reads as a list. */
export function line(key: string, value: string, comment?: string): ConfLine {
  return comment === undefined ? { key, value } : { key, value, comment };
}
