/**
 * An Illumio record that is not JSON is indexed as received, clipped to what Splunk keeps of an
 * illumio:pce:event line: TRUNCATE counts bytes, so the clip counts UTF-8 bytes too.
 */
import { JSON_EVENT_TRUNCATE } from '../../src/core/knowledge/limits';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clipUtf8, RAW_MAX } from '../../src/sources/illumio/collector';

test('RAW_MAX is the TRUNCATE that default/props.conf sets for illumio:pce:event', () => {
  const props = fs.readFileSync(path.join(__dirname, '..', '..', 'default', 'props.conf'), 'utf8');
  const stanza = props.split(/^(?=\[)/m).find((s) => s.startsWith('[illumio:pce:event]'))!;
  expect(RAW_MAX).toBe(JSON_EVENT_TRUNCATE);
  expect(Number(/^TRUNCATE\s*=\s*(\d+)$/m.exec(stanza)![1])).toBe(RAW_MAX);
});

test('clipUtf8 keeps at most N bytes and never cuts a character', () => {
  expect(clipUtf8('abc', 10)).toBe('abc');
  for (const ch of ['é', '€', '😀']) {
    for (let n = 0; n < 12; n++) {
      const s = 'x'.repeat(n % 3) + ch.repeat(6);
      for (let max = 0; max <= Buffer.byteLength(s); max++) {
        const out = clipUtf8(s, max);
        expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
        expect(s.startsWith(out)).toBe(true);
        expect(Buffer.byteLength(out)).toBeGreaterThan(max - Buffer.byteLength(ch));
      }
    }
  }
  const big = '€'.repeat(RAW_MAX);
  expect(Buffer.byteLength(clipUtf8(big, RAW_MAX))).toBe(RAW_MAX - (RAW_MAX % 3));
});
