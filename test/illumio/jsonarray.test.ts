import fc from 'fast-check';
import { ProtocolError } from '../../src/core/errors';
import { jsonDepth } from '../../src/core/bounds';
import { JsonArraySplitter } from '../../src/sources/illumio/jsonarray';

function split(text: string, cuts: number[]): string[] {
  const buf = Buffer.from(text);
  const s = new JsonArraySplitter();
  const out: string[] = [];
  let prev = 0;
  for (const c of [...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b)) {
    out.push(...s.push(buf.subarray(prev, c)));
    prev = c;
  }
  out.push(...s.push(buf.subarray(prev)));
  s.end();
  return out;
}

test('each element comes with its nesting depth, as jsonDepth counts it on the text, and its bytes, which decode to its text, whatever the chunks', () => {
  fc.assert(fc.property(
    fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 10 }),
    fc.array(fc.nat(), { maxLength: 20 }),
    fc.boolean(),
    (values, cuts, pretty) => {
      const buf = Buffer.from(pretty ? JSON.stringify(values, null, 1) : JSON.stringify(values));
      const s = new JsonArraySplitter();
      const texts: string[] = [];
      const depths: number[] = [];
      const bytes: Buffer[] = [];
      let prev = 0;
      for (const c of [...[...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b), buf.length]) {
        texts.push(...s.push(buf.subarray(prev, c)));
        depths.push(...s.depths);
        bytes.push(...s.bytes);
        prev = c;
      }
      s.end();
      expect(depths).toEqual(texts.map((t) => jsonDepth(t)));
      expect(bytes.map((b) => b.toString('utf8'))).toEqual(texts);
    },
  ), { numRuns: 300 });
});

test('with parse, the values of whole elements come parsed per chunk, equal to parsing each text; a bad element leaves them to the caller', () => {
  fc.assert(fc.property(
    fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 10 }),
    fc.array(fc.nat(), { maxLength: 8 }),
    fc.boolean(),
    (values, cuts, pretty) => {
      const buf = Buffer.from(pretty ? JSON.stringify(values, null, 1) : JSON.stringify(values));
      const s = new JsonArraySplitter({ parse: true });
      const got: unknown[] = [];
      let prev = 0;
      for (const c of [...[...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b), buf.length]) {
        const texts = s.push(buf.subarray(prev, c));
        texts.forEach((t, i) => got.push(s.values[i] === undefined ? JSON.parse(t) : s.values[i]));
        prev = c;
      }
      s.end();
      expect(got).toEqual(JSON.parse(buf.toString()));
    },
  ), { numRuns: 300 });
  const s = new JsonArraySplitter({ parse: true });
  const texts = s.push(Buffer.from('[{"a":1},{"b":tru},{"c":"\u00e9 é"}]'));
  expect(texts).toEqual(['{"a":1}', '{"b":tru}', '{"c":"\u00e9 é"}']);
  expect(s.values).toEqual([]);
  const t2 = s.push(Buffer.from('')); // nothing more
  expect(t2).toEqual([]);
  const u = new JsonArraySplitter({ parse: true });
  expect(u.push(Buffer.from('[{"x":"é"}, 2 ,"y"]'))).toEqual(['{"x":"é"}', '2', '"y"']);
  expect(u.values).toEqual([{ x: 'é' }, 2, 'y']);
  expect(u.compact).toEqual([true, true, true]);
});

test('an element called printable has only bytes 0x20-0x7E; compact ASCII elements parsed in their chunk are called so', () => {
  const unit = fc.oneof(
    fc.constantFrom('\u007f', '\r', '\t', 'é', '😀', '<&>', ' '),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  );
  const event = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.array(unit, { maxLength: 6 }).map((a) => a.join('')), fc.integer(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })), { maxKeys: 6 });
  let called = 0;
  fc.assert(fc.property(
    fc.array(event, { maxLength: 12 }),
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.boolean(),
    (values, cuts, pretty) => {
      const buf = Buffer.from(pretty ? JSON.stringify(values, null, 1) : JSON.stringify(values));
      const allClean = buf.every((x) => x >= 0x20 && x <= 0x7e);
      const s = new JsonArraySplitter({ parse: true });
      let prev = 0;
      for (const c of [...[...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b), buf.length]) {
        s.push(buf.subarray(prev, c));
        s.bytes.forEach((b, i) => {
          const clean = b.every((x) => x >= 0x20 && x <= 0x7e);
          if (s.printable[i]) { called++; expect(clean).toBe(true); }
          // One chunk, compact, every byte printable: nothing stops the splitter from saying so.
          if (allClean && !pretty && prev === 0 && c === buf.length) expect(s.printable[i]).toBe(true);
        });
        prev = c;
      }
      s.end();
    },
  ), { numRuns: 300 });
  expect(called).toBeGreaterThan(100);
  // A DEL, a non-ASCII byte or whitespace outside strings anywhere in the chunk: nothing is vouched for.
  for (const [text, want] of [['[{"a":"x y"},{"b":1}]', [true, true]], ['[{"a":"\u007f"},{"b":1}]', [false, false]], ['[{"a":"é"},{"b":1}]', [false, false]], ['[{"a":1}, {"b": 1}]', [true, false]]] as const) {
    const s = new JsonArraySplitter({ parse: true });
    s.push(Buffer.from(text));
    expect([text, s.printable]).toEqual([text, want]);
  }
});

test('any JSON array, cut into any chunks, comes back element by element', () => {
  fc.assert(fc.property(
    fc.array(fc.jsonValue(), { maxLength: 12 }),
    fc.array(fc.nat(), { maxLength: 20 }),
    fc.boolean(),
    (values, cuts, pretty) => {
      const text = pretty ? JSON.stringify(values, null, 2) : JSON.stringify(values);
      const got = split(text, cuts).map((t) => JSON.parse(t) as unknown);
      expect(got).toEqual(JSON.parse(text));
    },
  ), { numRuns: 400 });
});

test('strings with escaped quotes, backslashes and brackets, split inside an escape', () => {
  const values = [{ a: 'x\\"]}{[' }, { b: '\\\\' }, '"]', 'tail\\', { c: ['é', '😀', '\u0000'] }];
  const text = JSON.stringify(values);
  for (let cut = 0; cut <= Buffer.byteLength(text); cut++) {
    expect(split(text, [cut]).map((t) => JSON.parse(t) as unknown)).toEqual(values);
  }
});

test.each([
  ['', /empty/],
  ['{"a":1}', /not a JSON array/],
  ['[{"a":1},{"b":', /ends early, after 1 complete elements/],
  ['[{"a":1} {"b":2}]', /expected "," or "]"/],
  ['[{"a":1},,{"b":2}]', /unexpected ","/],
  ['[1] x', /data after the end/],
])('%j is refused as a protocol error', (text, why) => {
  let err: unknown;
  try {
    split(text, []);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as Error).message).toMatch(why);
});
