import fc from 'fast-check';
import { eventsXml, escapeXmlAttr, sanitizeXmlText, STREAM_CLOSE, STREAM_OPEN } from '../../src/core/protocol';
import { EventXmlWriter } from '../../src/core/protocol/stream';
import { bytesEvent } from '../../src/core/event-bytes';
import type { OutEvent } from '../../src/core/types';
import { child, parseXml } from './xml-tree';

/**
 * The documented rule, written out from the XML 1.0 `Char` production rather than taken from
 * the code under test: every code point outside it (and every lone surrogate) reads back as
 * U+FFFD, everything else unchanged.
 */
function documented(input: string | Buffer): string {
  const s = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd
      || (cp >= 0x20 && cp <= 0xd7ff)
      || (cp >= 0xe000 && cp <= 0xfffd)
      || (cp >= 0x10000 && cp <= 0x10ffff);
    out += legal ? ch : '\uFFFD';
  }
  return out;
}

/** What a real parser reads back from the stream we write. */
function roundTrip(stanza: string, events: OutEvent[]) {
  const doc = parseXml(STREAM_OPEN + eventsXml(stanza, events) + STREAM_CLOSE);
  expect(doc.name).toBe('stream');
  return doc.children.map((e) => ({
    stanza: e.attributes.stanza,
    data: child(e, 'data')?.text,
    host: child(e, 'host')?.text,
    source: child(e, 'source')?.text,
  }));
}

const HOSTILE = [
  '</data></event><event stanza="x"><data>injected',
  'a ]]> b',
  '<![CDATA[ x ]]>',
  '&amp; &lt; &#0; &#x1F600; &nosuch;',
  'nul\u0000 bell\u0007 esc\u001b vt\u000b ff\u000c',
  'crlf\r\nline\rcr\nlf\ttab',
  'lone high \uD800 lone low \uDC00 reversed \uDC00\uD800',
  'pair \uD83D\uDE00 ok',
  'nonchars \uFFFE \uFFFF \uFFFD',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>&a;',
  '"quotes" \'apostrophes\' <tags attr="v">',
  'C1 \u0085 \u009f DEL \u007f',
  '',
];

describe('XML text sanitising and escaping', () => {
  test.each(HOSTILE.map((s) => [JSON.stringify(s), s]))('hostile payload %s survives the stream', (_, payload) => {
    const [ev] = roundTrip('illumio_pce_events://a&b "c"', [{ data: payload, host: payload, source: payload }]);
    expect(ev.stanza).toBe('illumio_pce_events://a&b "c"');
    expect(ev.data).toBe(documented(payload));
    // Host and source are written only when set; the empty payload leaves them out.
    if (payload) {
      expect(ev.host).toBe(documented(payload));
      expect(ev.source).toBe(documented(payload));
    }
  });

  test('one hostile event does not swallow or split its neighbours', () => {
    const events = HOSTILE.map((data, i) => ({ data: `${i}:${data}` }));
    const back = roundTrip('s://n', events);
    expect(back.map((e) => e.data)).toEqual(events.map((e) => documented(e.data)));
  });

  test('arbitrary strings over the full code point range (incl. lone surrogates and controls) round-trip as documented', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { minLength: 1, maxLength: 5 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (datas, stanza) => {
          const back = roundTrip(stanza, datas.map((data) => ({ data })));
          expect(back.map((e) => e.data)).toEqual(datas.map(documented));
          for (const e of back) expect(e.stanza).toBe(documented(stanza));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('control-heavy strings round-trip (weighted towards C0 controls, CR and markup)', () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('<', '>', '&', ']]>', '</data>', '\r', '\r\n', '"', '\uFFFE', '\uD800', '\uDFFF'),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }).map((a) => a.join('')), (data) => {
        expect(roundTrip('s://n', [{ data }])[0].data).toBe(documented(data));
      }),
      { numRuns: 500 },
    );
  });

  test('invalid UTF-8 bytes become U+FFFD and the rest of the event is kept', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const text = sanitizeXmlText(buf);
        expect(roundTrip('s://n', [{ data: text }])[0].data).toBe(documented(buf));
      }),
      { numRuns: 500 },
    );
    const bad = Buffer.concat([Buffer.from('before '), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from(' after')]);
    const back = roundTrip('s://n', [{ data: sanitizeXmlText(bad) }])[0].data!;
    expect(back.startsWith('before ')).toBe(true);
    expect(back.endsWith(' after')).toBe(true);
    expect(back).toContain('\uFFFD');
  });

  test('an event whose source holds its bytes is written exactly as its text would be (escaping on the bytes)', () => {
    const unit = fc.oneof(
      fc.constantFrom('<', '>', '&', ']]>', '</data>', '\r', '\r\n', '\t', '\n', '\u007f', '\u0085', '\uFFFE', '\uFFFF', 'é', '😀'),
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.string({ maxLength: 20 }),
    );
    const texts = fc.array(unit, { maxLength: 40 }).map((a) => Buffer.from(a.join('')));
    fc.assert(
      fc.property(fc.array(fc.oneof(texts, fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))), { minLength: 1, maxLength: 6 }), (bufs) => {
        const asText = eventsXml('s://n', bufs.map((b) => ({ data: b.toString('utf8'), time: 1.5 })));
        expect(eventsXml('s://n', bufs.map((b) => ({ data: b.toString('utf8'), bytes: b, time: 1.5 })))).toBe(asText);
        expect(eventsXml('s://n', bufs.map((b) => Object.assign(bytesEvent(b), { time: 1.5 })))).toBe(asText);
        expect(roundTrip('s://n', bufs.map((b) => bytesEvent(b))).map((e) => e.data)).toEqual(bufs.map(documented));
      }),
      { numRuns: 500 },
    );
  });

  test('printable bytes (the source vouches for 0x20-0x7E) are written exactly as their text would be', () => {
    const printable = fc.array(fc.oneof(fc.constantFrom('<', '>', '&', ']]>', '</data>', '"', '\\'), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 })), { maxLength: 20 })
      .map((a) => Buffer.from(a.join('')));
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 6 }), (bufs) => {
        const asText = eventsXml('s://n', bufs.map((b) => ({ data: b.toString('utf8'), time: 1.5 })));
        expect(eventsXml('s://n', bufs.map((b) => Object.assign(bytesEvent(b, true), { time: 1.5 })))).toBe(asText);
      }),
      { numRuns: 500 },
    );
  });

  test('events larger than a stream chunk and clean runs around entities are copied whole', () => {
    const big = Buffer.from(`{"a":"${'x&y<z>'.repeat(30_000)}"}`);
    const [ev] = roundTrip('s://n', [bytesEvent(big)]);
    expect(ev.data).toBe(big.toString('utf8'));
  });

  test('attribute values keep whitespace that parsers would otherwise normalise', () => {
    const value = 'tab\there\nnewline\r"q"<&>';
    const doc = parseXml(`<x a="${escapeXmlAttr(value)}"/>`);
    expect(doc.attributes.a).toBe(value);
  });

  test('clean text is passed through unchanged', () => {
    const s = 'plain ASCII and ünïcödé 😀';
    expect(sanitizeXmlText(s)).toBe(s);
  });
});

test('stanza and metadata that change from event to event are each written as given (the escaped ones are reused only while they repeat)', () => {
  fc.assert(fc.property(
    fc.array(fc.record({
      stanza: fc.constantFrom('a://1', 'b://"2"&', 'a://1'),
      source: fc.option(fc.constantFrom('s1', 's<2>', 's1'), { nil: undefined }),
      host: fc.option(fc.constantFrom('h1', 'h&2'), { nil: undefined }),
      data: fc.string(),
    }), { minLength: 1, maxLength: 8 }),
    (rows) => {
      // One writer for all rows, as the sink keeps one for the whole stream.
      const w = new EventXmlWriter();
      for (const r of rows) w.event(r.stanza, { data: r.data, source: r.source, host: r.host });
      const doc = parseXml(STREAM_OPEN + Buffer.concat(w.take()).toString('utf8') + STREAM_CLOSE);
      expect(doc.children.map((e) => ({
        stanza: e.attributes.stanza, source: child(e, 'source')?.text, host: child(e, 'host')?.text, data: child(e, 'data')?.text ?? '',
      }))).toEqual(rows.map((r) => ({ stanza: r.stanza, source: r.source, host: r.host, data: sanitizeXmlText(r.data) })));
    },
  ), { numRuns: 200 });
});
