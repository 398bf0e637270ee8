/**
 * The normalised hostname key that lets a VEN's report find its workload whatever the VEN calls
 * itself: `web01`, `WEB01`, `web01.corp.example.` and `Web01.Corp.Example` all give `web01`.
 *
 * One rule, written twice from the same regex and kept equal by tests (the objects input's
 * records, the KV fixture and the props.conf EVAL): trailing dots go (the DNS root); a name whose
 * first label has a letter or another non-digit is cut at its first dot; an address (IPv4 like
 * `10.0.1.15`, whose first "label" is all digits, or anything with a `:`, IPv6) stays whole, so
 * `10.0.1.15` never becomes `10`; the result is lower-cased; an empty result is no key at all.
 */

/** Group 1 is the first DNS label when it holds a non-digit (and no `:`); the rest of the name follows. */
const FIRST_LABEL = '^([^.:]*[^.:0-9][^.:]*)\\..*';

/** The regex as Splunk reads it; `(?s)`, as the JavaScript one's `s`, lets `.` take a newline too. */
export const HOST_SHORT_RE = `(?s)${FIRST_LABEL}`;

const SHORT = new RegExp(FIRST_LABEL, 's');

/** The key of a hostname (null for no name, an empty one or one of dots only). */
export function hostShort(hostname: string | null | undefined): string | null {
  if (typeof hostname !== 'string') return null;
  const key = hostname.replace(/\.+$/, '').replace(SHORT, '$1').toLowerCase();
  return key === '' ? null : key;
}

/**
 * The same key as an eval expression over `expr` (Splunk's rtrim, replace, lower, nullif). The
 * regex as an eval string literal: JSON's escaping of an ASCII string (backslash, quote) is eval's;
 * `"\1"` is group 1 as other replace() calls of ours write it (a lone backslash stays in eval).
 */
export function hostShortEval(expr: string): string {
  return `nullif(lower(replace(rtrim(${expr}, "."), ${JSON.stringify(HOST_SHORT_RE)}, "\\1")), "")`;
}
