/**
 * Splunk cuts an event at TRUNCATE bytes, and a cut JSON document gives no JSON fields. Every
 * sourcetype carrying JSON keeps a 1 MB (1 048 576-byte) event whole, and its last key is
 * still extracted.
 */
import { JSON_EVENT_TRUNCATE } from '../../src/core/knowledge/limits';
import { appKnowledge, goldenLines } from './support';

/** A golden event grown to exactly `bytes` with a padding key before its last key. */
function grown(raw: string, bytes: number): string {
  const obj = JSON.parse(raw) as Record<string, unknown>;
  const base = JSON.stringify({ ...obj, zz_pad: '', zz_last: 'end' });
  return JSON.stringify({ ...obj, zz_pad: 'x'.repeat(bytes - Buffer.byteLength(base)), zz_last: 'end' });
}

describe('TRUNCATE of JSON sourcetypes', () => {
  const kb = appKnowledge();
  it.each(['illumio:pce:event', 'pan:prisma_saas', 'lacework:edge:audit', 'lacework:edge:alert'])('%s keeps a 1 MB JSON event whole', (st) => {
    const raw = grown(goldenLines(st)[0], JSON_EVENT_TRUNCATE);
    expect(Buffer.byteLength(raw)).toBe(1_048_576);
    expect(kb.truncate(raw, { sourcetype: st })).toBe(raw);
    // One byte more is cut, and the document is then no longer JSON.
    expect(() => JSON.parse(kb.truncate(`${raw} `.replace(/}\s$/, ' }'), { sourcetype: st }))).toThrow();
  });

  it.each(['illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef'])('%s keeps a line with a 1 MB payload whole', (st) => {
    const line = goldenLines(st)[0];
    const raw = line + ' '.repeat(JSON_EVENT_TRUNCATE - Buffer.byteLength(line));
    expect(kb.truncate(raw, { sourcetype: st })).toBe(raw);
  });
});
