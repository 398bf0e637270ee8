import fc from 'fast-check';
import { eventHash, parseBody, parseTimestamp } from '../../src/sources/prisma/parse';
import { eventGenerator, seedStyleInvalid } from '../../src/sources/prisma/simulator/events';
import { prismaExampleBodies } from '../../src/sources/prisma/reference-facts';

/** The five example bodies of the vendor page, exactly as printed there (src/sources/prisma/facts/api-examples.json). */
const seedBodies = prismaExampleBodies;

describe('parseTimestamp', () => {
  it('reads the forms the service writes', () => {
    expect(parseTimestamp('2017-02-17T00:18:58.961Z')).toBe(Date.UTC(2017, 1, 17, 0, 18, 58, 961) / 1000);
    expect(parseTimestamp('2017-01-06T19:04:06Z')).toBe(Date.UTC(2017, 0, 6, 19, 4, 6) / 1000);
    expect(parseTimestamp('2017-01-06T19:04:06Z ')).toBe(Date.UTC(2017, 0, 6, 19, 4, 6) / 1000);
    expect(parseTimestamp(' 2017-01-06 19:04:06')).toBe(Date.UTC(2017, 0, 6, 19, 4, 6) / 1000);
    expect(parseTimestamp('2017-01-06T21:04:06.5+02:00')).toBe(Date.UTC(2017, 0, 6, 19, 4, 6, 500) / 1000);
    expect(parseTimestamp('2017-01-06T19:04:06.123456Z')).toBeCloseTo(Date.UTC(2017, 0, 6, 19, 4, 6) / 1000 + 0.123456, 6);
    expect(parseTimestamp(1486 * 1e6)).toBe(1486 * 1e6);
    expect(parseTimestamp(1486 * 1e9)).toBe(1486 * 1e6);
  });

  it('returns undefined for what is not a time', () => {
    for (const v of [undefined, null, '', 'yesterday', '2017-13-06T19:04:06Z', '2017-01-06T25:04:06Z', {}, -5, NaN]) {
      expect(parseTimestamp(v)).toBeUndefined();
    }
  });

  it('agrees with Date.parse on every millisecond ISO string', () => {
    fc.assert(fc.property(fc.date({ min: new Date(1990, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }), (d) => {
      expect(parseTimestamp(d.toISOString())).toBe(d.getTime() / 1000);
      expect(parseTimestamp(`${d.toISOString().replace(/\.\d+Z$/, 'Z')}  `)).toBe(Math.floor(d.getTime() / 1000));
    }));
  });
});

describe('parseBody', () => {
  it('splits a bulk body into compact JSON events with their times', () => {
    const gen = eventGenerator({ seed: 7 });
    const events = Array.from({ length: 5 }, gen);
    const parsed = parseBody(Buffer.from(JSON.stringify({ events }, null, 2)));
    expect(parsed.problem).toBeUndefined();
    expect(parsed.events.map((e) => e.text)).toEqual(events.map((e) => JSON.stringify(e)));
    expect(parsed.events.map((e) => e.time)).toEqual(events.map((e) => parseTimestamp(e.timestamp)));
    expect(parsed.events.every((e) => !e.unparsed)).toBe(true);
  });

  it('ignores a byte-order mark in front of the body', () => {
    const parsed = parseBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"events":[{"log_type":"incident"}]}')]));
    expect(parsed).toEqual({ events: [{ text: '{"log_type":"incident"}', time: undefined, unparsed: false }] });
  });

  it('keeps an event without timestamp, with time left for the caller (ingest time)', () => {
    const parsed = parseBody('{"log_type":"incident","incident_id":"x"}');
    expect(parsed.events).toEqual([{ text: '{"log_type":"incident","incident_id":"x"}', time: undefined, unparsed: false }]);
  });

  it('survives every example of the vendor page without losing a byte of the invalid ones', () => {
    const seeds = seedBodies();
    expect(Object.keys(seeds).sort()).toEqual(['activity_monitoring', 'admin_audit', 'incident', 'policy_violation', 'remediation']);
    for (const [type, body] of Object.entries(seeds)) {
      const parsed = parseBody(body);
      expect(parsed.events).toHaveLength(1);
      const [ev] = parsed.events;
      let valid = true;
      try { JSON.parse(body); } catch { valid = false; }
      expect(ev.unparsed).toBe(!valid);
      if (valid) expect(JSON.parse(ev.text)).toEqual(JSON.parse(body));
      else expect(ev.text).toBe(body.trim());
      expect(ev.time).toBe(parseTimestamp(/"timestamp" : "([^"]+)"/.exec(body)![1]));
      expect(type).toMatch(/^[a-z_]+$/);
    }
    // Three of the five are not JSON (missing and trailing commas, a missing brace).
    expect(Object.values(seeds).filter((b) => parseBody(b).events[0].unparsed)).toHaveLength(3);
  });

  it('keeps the valid neighbours of an invalid event in a bulk body', () => {
    const gen = eventGenerator({ seed: 3 });
    const [a, b, c] = [gen(), gen(), gen()];
    const body = `{"events":[${JSON.stringify(a)},${seedStyleInvalid(b)},${JSON.stringify(c)}]}`;
    const parsed = parseBody(body);
    expect(parsed.problem).toMatch(/not valid JSON/);
    expect(parsed.events.map((e) => e.unparsed)).toEqual([false, true, false]);
    expect(parsed.events[0].text).toBe(JSON.stringify(a));
    expect(parsed.events[1].text).toBe(seedStyleInvalid(b));
    expect(parsed.events[1].time).toBe(parseTimestamp(b.timestamp));
    expect(parsed.events[2].text).toBe(JSON.stringify(c));
  });

  it('keeps the events of a body cut short, the last one raw', () => {
    const gen = eventGenerator({ seed: 4 });
    const events = [gen(), gen(), gen()];
    const full = JSON.stringify({ events });
    const cut = full.slice(0, full.length - 30);
    const parsed = parseBody(cut);
    expect(parsed.events.slice(0, 2).map((e) => e.text)).toEqual(events.slice(0, 2).map((e) => JSON.stringify(e)));
    expect(parsed.events[2]).toMatchObject({ unparsed: true });
    expect(full.startsWith(`{"events":[${parsed.events.map((e) => e.text).join(',')}`)).toBe(true);
  });

  it('indexes a body with text outside any event object whole, as it came', () => {
    const html = '<html><style>body { color: red }</style><body>Gateway error</body></html>';
    expect(parseBody(html).events).toEqual([{ text: html, time: undefined, unparsed: true }]);
    expect(parseBody('not json at all').events).toEqual([{ text: 'not json at all', time: undefined, unparsed: true }]);
  });

  it('returns nothing for an empty body and never drops a non-blank one', () => {
    expect(parseBody('  \n').events).toEqual([]);
    expect(parseBody('{}').events).toEqual([]);
    fc.assert(fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && s.trim() !== '{}'), (s) => {
      const parsed = parseBody(s);
      expect(parsed.events.length).toBeGreaterThan(0);
      // What could not be parsed is kept verbatim: a piece of the body, never a rewrite.
      for (const e of parsed.events.filter((x) => x.unparsed)) expect(s.includes(e.text)).toBe(true);
    }));
  });

  it('hashes identical text identically and different text differently', () => {
    expect(eventHash('{"a":1}')).toBe(eventHash('{"a":1}'));
    expect(eventHash('{"a":1}')).not.toBe(eventHash('{"a":2}'));
    expect(eventHash('x')).toMatch(/^[0-9a-f]{16}$/);
  });
});
