/**
 * The date-time check our validators use (src/core/schema-formats.ts) against ajv-formats' full
 * `date-time`, the reference it must equal. The fast path is also checked on its own: it may
 * only accept what ajv-formats accepts, and it must accept the shapes PCE events carry (or it
 * would be equivalent by doing nothing, and save nothing).
 */
import fc from 'fast-check';
import type { FormatDefinition } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import { FORMATS, dateTime, definitelyDateTime } from '../../src/core/schema-formats';
import { arbitraryStrings, commonDateTimes, dateTimeShapes, leapSeconds, mutatedDateTimes } from '../support/date-times';

const reference = (fullFormats['date-time'] as FormatDefinition<string>).validate as (s: string) => boolean;

/** Runs the check over `strings`; returns how often ajv-formats and the fast path accepted. */
function agree(strings: fc.Arbitrary<string>, numRuns: number): { accepted: number; fast: number; runs: number } {
  const seen = { accepted: 0, fast: 0, runs: 0 };
  fc.assert(fc.property(strings, (s) => {
    const want = reference(s);
    const fast = definitelyDateTime(s);
    // The fast path is sound: it never accepts what ajv-formats refuses.
    expect({ s, fast: fast && !want }).toEqual({ s, fast: false });
    expect({ s, got: dateTime(s) }).toEqual({ s, got: want });
    seen.runs++;
    if (want) seen.accepted++;
    if (fast) seen.fast++;
  }), { numRuns });
  return seen;
}

test('well-formed date-times, every field at and past its limits: the same verdict as ajv-formats', () => {
  const seen = agree(dateTimeShapes, 10_000);
  // Both verdicts, and the fast path deciding part of them.
  expect(seen.accepted).toBeGreaterThan(seen.runs / 10);
  expect(seen.runs - seen.accepted).toBeGreaterThan(seen.runs / 10);
  expect(seen.fast).toBeGreaterThan(seen.runs / 10);
});

test('leap seconds (second 60 at 23:59 UTC through any offset, or a minute off): the same verdict as ajv-formats', () => {
  const seen = agree(leapSeconds, 5_000);
  expect(seen.accepted).toBeGreaterThan(seen.runs / 10);
  expect(seen.runs - seen.accepted).toBeGreaterThan(seen.runs / 20);
  // The fast path applies the leap-second rule itself for the offsets it reads.
  expect(seen.fast).toBeGreaterThan(seen.runs / 20);
});

test('one character replaced, inserted or removed, and arbitrary strings: the same verdict as ajv-formats', () => {
  const mutated = agree(mutatedDateTimes, 15_000);
  expect(mutated.accepted).toBeGreaterThan(mutated.runs / 20);
  expect(mutated.runs - mutated.accepted).toBeGreaterThan(mutated.runs / 4);
  const arbitrary = agree(arbitraryStrings, 10_000);
  expect(arbitrary.runs).toBe(10_000);
});

test('the shape PCE events carry is decided by the fast path alone, and accepted', () => {
  fc.assert(fc.property(commonDateTimes, (s) => {
    expect({ s, fast: definitelyDateTime(s), reference: reference(s) }).toEqual({ s, fast: true, reference: true });
  }), { numRuns: 10_000 });
});

test('edges by name: leap days, century years, leap seconds through offsets, case and separators', () => {
  const cases: [string, boolean][] = [
    ['2024-02-29T00:00:00Z', true], ['2023-02-29T00:00:00Z', false], ['2000-02-29T00:00:00Z', true],
    ['1900-02-29T00:00:00Z', false], ['2100-02-29T12:00:00+01:00', false], ['2400-02-29 12:00:00z', true],
    ['0000-02-29T00:00:00Z', true], ['2026-04-31T00:00:00Z', false], ['2026-12-31t23:59:59.999999999z', true],
    ['2026-12-31T23:59:60Z', true], ['2026-12-31T23:59:60.5Z', true], ['2026-12-31T22:59:60Z', false],
    ['2026-12-31T18:29:60-05:30', true], ['2027-01-01T05:29:60+05:30', true], ['2027-01-01T00:00:60+00:01', true],
    ['2026-12-31T12:00:59.99999999999999999Z', false], ['2026-12-31T23:59:59.99999999999999999Z', true], ['2026-12-31T24:59:59+01:00', true], ['2026-12-31T12:00:00+24:00', false],
    ['2026-12-31T12:00:00+0530', true], ['2026-12-31T12:00:00+05', true], ['2026-12-31T12:00:00', false],
    ['2026-12-31\t12:00:00Z', true], ['2026-12-31T12:00:00.Z', false], ['2026-12-01T10:11:12.345Z\n', false],
  ];
  for (const [s, want] of cases) {
    // ajv-formats' own verdict is the one to match; the expectation written here guards the cases themselves.
    expect({ s, reference: reference(s), ours: dateTime(s) }).toEqual({ s, reference: want, ours: want });
  }
});

test('FORMATS is ajv-formats\' table with only date-time replaced', () => {
  const ours = FORMATS as Record<string, unknown>;
  expect(Object.keys(ours).sort()).toEqual(Object.keys(fullFormats).sort());
  for (const [name, def] of Object.entries(fullFormats)) if (name !== 'date-time') expect(ours[name]).toBe(def);
  const dt = ours['date-time'] as FormatDefinition<string>;
  expect(dt.validate).toBe(dateTime);
  expect(dt.compare).toBe((fullFormats['date-time'] as FormatDefinition<string>).compare);
});
