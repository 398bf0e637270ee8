import * as fs from 'node:fs';
import fc from 'fast-check';
import { WindowBuffer, type Held } from '../../src/sources/illumio/buffer';
import { tmpDir } from './harness';

function sortedCopy(items: Held[]): Held[] {
  return items.map((h, i) => ({ h, i }))
    .sort((a, b) => ((Number.isNaN(a.h.ts) ? -Infinity : a.h.ts) - (Number.isNaN(b.h.ts) ? -Infinity : b.h.ts)) || a.i - b.i)
    .map(({ h }) => h);
}

test('memory or spool, any keys, texts and raw marks come back in time order, ties in arrival order', () => {
  const dir = tmpDir('illumio-buf-');
  fc.assert(fc.property(
    fc.array(fc.record({ ts: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(NaN)), key: fc.string(), data: fc.string({ unit: 'binary' }), raw: fc.boolean() }), { maxLength: 60 }),
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 60 }),
    (items, limit, cut) => {
      const b = new WindowBuffer(dir, limit);
      items.forEach((h) => b.add(h));
      b.truncate(cut);
      const kept = items.slice(0, cut);
      expect(b.size).toBe(kept.length);
      const got = [...b.sorted()];
      b.close();
      const norm = (h: Held) => ({ ts: h.ts, key: h.key, data: Buffer.from(h.data).toString('utf8'), raw: Boolean(h.raw) });
      expect(got.map(norm)).toEqual(sortedCopy(kept).map(norm));
    },
  ), { numRuns: 300 });
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('records held as bytes (any bytes, records larger than the write buffer among them) come back as the same bytes, text and printable mark', () => {
  const dir = tmpDir('illumio-buf-bytes-');
  fc.assert(fc.property(
    fc.array(fc.record({
      ts: fc.integer({ min: 0, max: 20 }),
      key: fc.string(),
      bytes: fc.oneof({ weight: 9, arbitrary: fc.uint8Array({ maxLength: 80 }) }, { weight: 1, arbitrary: fc.constant(new Uint8Array(1_100_000).fill(0x61)) }),
      printable: fc.boolean(),
    }), { maxLength: 30 }),
    fc.integer({ min: 0, max: 10 }),
    (rows, limit) => {
      const items: Held[] = rows.map((r) => ({ ts: r.ts, key: r.key, bytes: Buffer.from(r.bytes), data: Buffer.from(r.bytes).toString('utf8'), ...(r.printable ? { printable: true } : {}) }));
      const b = new WindowBuffer(dir, limit);
      items.forEach((h) => b.add(h));
      const got = [...b.sorted()];
      b.close();
      const want = sortedCopy(items);
      expect(got.map((h) => h.key)).toEqual(want.map((h) => h.key));
      got.forEach((h, i) => {
        expect(h.bytes?.equals(want[i].bytes!)).toBe(true);
        expect(h.data).toBe(want[i].data);
        expect(!!h.printable).toBe(!!want[i].printable);
      });
    },
  ), { numRuns: 60 });
  expect(fs.readdirSync(dir)).toEqual([]);
});
