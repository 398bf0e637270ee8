/**
 * Strings for comparing a `date-time` check with ajv-formats' full one (issue 16): RFC 3339
 * shapes with every field drawn around its limits, leap seconds, one-character mutations of
 * those, and strings of the same alphabet. Shared by test/core/schema-formats.test.ts (the check
 * alone) and test/build/validators.test.ts (the generated Illumio event validator).
 */
import fc from 'fast-check';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const digitString = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Mostly within [min, max], sometimes at the given edges, sometimes anywhere in [0, wide]. */
const valueAround = (min: number, max: number, edges: number[], wide: number) => fc.oneof(
  { arbitrary: fc.integer({ min, max }), weight: 6 },
  { arbitrary: fc.constantFrom(...edges), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: wide }), weight: 1 },
);

/** Years where February differs: century years (1900 and 2100 not leap, 2000 and 2400 leap), 0000, 9999. */
const year = fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 4, 100, 1900, 1996, 2000, 2023, 2024, 2025, 2100, 2400, 9999));

/** Fractions: none, up to 9 digits (the fast path), longer, nines that round up, a lone dot. */
const fraction = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  { arbitrary: digitString(1, 9).map((d) => `.${d}`), weight: 3 },
  digitString(10, 25).map((d) => `.${d}`),
  fc.integer({ min: 1, max: 25 }).map((k) => `.${'9'.repeat(k)}`),
  fc.constant('.'),
);

/** An offset as text with its fields: Z, z, ±HH:MM, and the ±HHMM / ±HH / none that ajv-formats also reads. */
const anyOffset = fc.oneof(
  fc.constantFrom('Z', 'Z', 'z', ''),
  fc.tuple(fc.constantFrom('+', '-'), valueAround(0, 23, [0, 23, 24], 29), valueAround(0, 59, [0, 59, 60], 69), fc.constantFrom(':', ':', ':', '', 'none'))
    .map(([sign, h, m, style]) => (style === 'none' ? `${sign}${pad(h)}` : `${sign}${pad(h)}${style}${pad(m)}`)),
);

const date = fc.tuple(
  year,
  valueAround(1, 12, [0, 2, 2, 13], 19),
  valueAround(1, 28, [28, 29, 30, 31], 39),
).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`);

const separator = fc.oneof(
  { arbitrary: fc.constantFrom('T', 't', ' '), weight: 6 },
  { arbitrary: fc.constantFrom('\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff', '_', 'TT', ''), weight: 1 },
);

/** Well-formed RFC 3339 date-times over every field's range and just past it (both verdicts occur). */
export const dateTimeShapes: fc.Arbitrary<string> = fc.tuple(
  date,
  separator,
  valueAround(0, 23, [0, 23, 24], 29),
  valueAround(0, 59, [0, 59, 60], 69),
  valueAround(0, 59, [59, 60, 60, 61], 69),
  fraction,
  anyOffset,
).map(([d, sep, h, m, s, f, tz]) => `${d}${sep}${pad(h)}:${pad(m)}:${pad(s)}${f}${tz}`);

/** A second 60 whose time is 23:59 in UTC once the offset is applied (what ajv-formats' leap-second rule is for), or one minute off. */
export const leapSeconds: fc.Arbitrary<string> = fc.tuple(
  date,
  fc.constantFrom('T', 't', ' '),
  fc.constantFrom(1, -1),
  fc.integer({ min: 0, max: 23 }),
  fc.integer({ min: 0, max: 59 }),
  fc.constantFrom(0, 0, 0, 1, -1, 60),
  fraction,
  fc.constantFrom(':', ''),
).map(([d, sep, sign, h, m, off, f, colon]) => {
  // local = UTC + offset, on a 24-hour clock.
  const local = ((((23 * 60 + 59 + off + sign * (h * 60 + m)) % 1440) + 1440) % 1440);
  const tz = h === 0 && m === 0 && off === 0 && colon === '' ? 'Z' : `${sign < 0 ? '-' : '+'}${pad(h)}${colon}${pad(m)}`;
  return `${d}${sep}${pad(Math.floor(local / 60))}:${pad(local % 60)}:60${f}${tz}`;
});

/** What PCE events carry: valid fields only, the shape the fast path must take on its own. */
export const commonDateTimes: fc.Arbitrary<string> = fc.tuple(
  year,
  fc.integer({ min: 1, max: 12 }),
  fc.integer({ min: 1, max: 31 }),
  fc.constantFrom('T', 't', ' '),
  fc.integer({ min: 0, max: 23 }),
  fc.integer({ min: 0, max: 59 }),
  fc.integer({ min: 0, max: 59 }),
  fc.oneof(fc.constant(''), digitString(1, 9).map((d) => `.${d}`)),
  fc.oneof(fc.constantFrom('Z', 'z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`)),
).map(([y, mo, d, sep, h, mi, s, f, tz]) => {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  return `${pad(y, 4)}-${pad(mo)}-${pad(Math.min(d, days))}${sep}${pad(h)}:${pad(mi)}:${pad(s)}${f}${tz}`;
});

/** Characters a mutation puts in: the shape's own, look-alikes (other digits, whitespace, signs) and others. */
const MUTANTS = [...'0159-:.+TtZz ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u2212', '\u0663', '\uff10', 'x', 'e', '/', '_', '\u{1F600}'];

/** One character of a date-time replaced, inserted or removed. */
export const mutatedDateTimes: fc.Arbitrary<string> = fc.tuple(
  fc.oneof(dateTimeShapes, leapSeconds, commonDateTimes),
  fc.nat(),
  fc.constantFrom('replace', 'insert', 'remove'),
  fc.constantFrom(...MUTANTS),
).map(([s, at, op, c]) => {
  const i = at % (s.length + 1);
  if (op === 'insert') return s.slice(0, i) + c + s.slice(i);
  if (i === s.length) return s;
  return s.slice(0, i) + (op === 'replace' ? c : '') + s.slice(i + 1);
});

/** Arbitrary strings: printable ASCII, any code point, and the date-time alphabet at date-time lengths. */
export const arbitraryStrings: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789-:.+TtZz '), minLength: 15, maxLength: 35 }),
);
