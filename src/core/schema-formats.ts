/**
 * The string formats our schemas may use, as ajv-formats' full mode defines them, except that
 * `date-time` first tries a fast path (issue 16): a vendor event may carry one or two RFC 3339
 * times, and ajv-formats' check (a split on /t|\s/i, two regexes with captures, Number() of each
 * part) cost 2–4 % of a 100 000-event launcher run's CPU.
 *
 * One object for both ways a schema is compiled, so they cannot disagree: src/core/schema.ts adds
 * these formats to ajv at run time, and src/build/validators.ts compiles this file into the
 * generated validators module (the run bundles' precompiled code) and points ajv's standalone
 * code at its FORMATS.
 *
 * Equivalence with ajv-formats by construction: dateTime(s) is `definitelyDateTime(s) ||
 * ajvDateTime(s)`, so it can differ only where the fast path says true and ajv-formats says
 * false. The fast path says true only for one exact shape whose every field it checks against
 * the same rules (see definitelyDateTime); test/core/schema-formats.test.ts checks both the
 * implication and the whole function against ajv-formats on generated and mutated strings.
 *
 * This file must import nothing but ajv-formats' formats table (and types): the build compiles
 * it alone into the generated module, where only packages are require()d.
 */
import type { Format, FormatDefinition } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

/** ajv-formats' own date-time definition ({validate, compare}); its verdict is the reference. */
const AJV_DATE_TIME = fullFormats['date-time'] as FormatDefinition<string>;
const ajvDateTime = AJV_DATE_TIME.validate as (s: string) => boolean;

/** Days per month as ajv-formats counts them (index 1–12; February 29 added for leap years). */
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ASCII digit at i as 0–9, or -1 (also past the end, where charCodeAt gives NaN). */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two ASCII digits at i as 0–99, or -1. */
function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * True only when ajv-formats' full `date-time` is certain to accept `s`; false means "not sure",
 * never "invalid". Accepted shape, nothing before or after it:
 *   YYYY-MM-DD (T|t|space) HH:MM:SS [.1 to 9 digits] (Z|z|(+|-)HH:MM)
 * Why each rule makes ajv-formats accept as well:
 *  - No character of this shape but the separator matches /t|\s/i (digits, - : . + Z z), so
 *    its split gives exactly the date and the time; each part matches its DATE / TIME regex
 *    (\d is ASCII only there, as here; TIME is case-insensitive, hence z).
 *  - Month 1–12 and day 1–DAYS[month], with February 29 when year % 4 === 0 and (year % 100
 *    !== 0 or year % 400 === 0): its isLeapYear and day rule, on the same numbers (year 0000
 *    included: +"0000" is 0, a leap year in both).
 *  - Offset hours ≤ 23 and minutes ≤ 59: it refuses larger ones whatever the time.
 *  - Hours ≤ 23, minutes ≤ 59 and seconds ≤ 59: it compares Number("SS.fff") < 60; with at
 *    most 9 fraction digits that number is at most 59.999999999, which no rounding makes 60
 *    (longer fractions of 59.99… can round to 60, so they go to ajv-formats).
 *  - Second 60 (hours and minutes as above): its leap-second rule, the same arithmetic on the
 *    same numbers, with Number("60.fff") < 61 for the same reason. Hours 24 or minutes 60,
 *    which that rule can also accept, go to ajv-formats.
 * Everything else (other offsets such as +0530 or +05, longer fractions, other separators,
 * out-of-range fields) returns false and so is judged by ajv-formats itself.
 */
export function definitelyDateTime(s: string): boolean {
  const n = s.length;
  // Shortest accepted: YYYY-MM-DDTHH:MM:SSZ (20 characters).
  if (n < 20) return false;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (y1 < 0 || y2 < 0 || s.charCodeAt(4) !== 45 /* - */ || s.charCodeAt(7) !== 45 || month < 1 || month > 12 || day < 1) return false;
  const year = y1 * 100 + y2;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS[month])) return false;
  const sep = s.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return false;
  const hr = twoDigits(s, 11);
  const min = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (hr < 0 || hr > 23 || min < 0 || min > 59 || sec < 0 || sec > 60 || s.charCodeAt(13) !== 58 /* : */ || s.charCodeAt(16) !== 58) return false;
  let p = 19;
  if (s.charCodeAt(p) === 46 /* . */) {
    p++;
    const start = p;
    while (p < n && digit(s, p) >= 0) p++;
    if (p === start || p - start > 9) return false;
  }
  const tz = s.charCodeAt(p);
  let tzH = 0;
  let tzM = 0;
  let tzSign = 1;
  if (tz === 90 /* Z */ || tz === 122 /* z */) {
    if (p + 1 !== n) return false;
  } else if (tz === 43 /* + */ || tz === 45 /* - */) {
    if (p + 6 !== n || s.charCodeAt(p + 3) !== 58) return false;
    tzH = twoDigits(s, p + 1);
    tzM = twoDigits(s, p + 4);
    if (tzH < 0 || tzH > 23 || tzM < 0 || tzM > 59) return false;
    if (tz === 45) tzSign = -1;
  } else {
    return false;
  }
  if (sec <= 59) return true;
  // Second 60: ajv-formats' leap-second rule, a leap second is 23:59:60 in UTC.
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1);
}

/** ajv-formats' full `date-time`, decided by the fast path where it can. */
export function dateTime(s: string): boolean {
  return definitelyDateTime(s) || ajvDateTime(s);
}

/**
 * ajv-formats' full formats, with `date-time` replaced (its `compare`, for formatMinimum and the
 * like, kept). Keyed like ajv-formats' table, since ajv's standalone code reads FORMATS[name].
 */
export const FORMATS: Readonly<Record<string, Format>> = {
  ...fullFormats,
  'date-time': { validate: dateTime, compare: AJV_DATE_TIME.compare },
};
