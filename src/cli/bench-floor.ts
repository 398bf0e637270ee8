/**
 * The floor of the launcher benches: the least any input must do with the vendor's bytes, in a
 * cold process with node's default flags. Reads a JSON array of events, and per event: one
 * compact serialisation, XML escaping, one `<event>` element of the shape splunkd reads; written
 * to stdout in batches of 1 000 with backpressure, like the XML stream sink.
 *   node bench-floor.js <events.json> <stanza> <sourcetype> <time field>
 * Self-contained on purpose (node builtins only): a slow escape of ours must not slow the floor.
 */
import * as fs from 'node:fs';

// eslint-disable-next-line no-control-regex
const CLEAN = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F&<>\r\uD800-\uDFFF\uFFFE\uFFFF]*$/;
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F&<>\r\uFFFE\uFFFF]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

function escapeText(s: string): string {
  return CLEAN.test(s) ? s : s.replace(SPECIAL, (c) => ENTITY[c] ?? '\uFFFD');
}

function epochSeconds(v: unknown): string {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '';
}

function write(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = process.stdout.write(chunk, (e) => (e ? reject(e) : undefined));
    if (ok) resolve(); else process.stdout.once('drain', resolve);
  });
}

async function main(): Promise<void> {
  const [file, stanza, sourcetype, timeField] = process.argv.slice(2);
  // A dotted field (timestamp_range.last_detected) is a path into the event.
  const at = timeField.split('.');
  const timeOf = at.length === 1 ? (e: Record<string, unknown>) => e[timeField]
    : (e: Record<string, unknown>) => at.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), e);
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
  const head = `<event stanza="${stanza}" unbroken="1">`;
  const tail = `<source>${stanza}</source><sourcetype>${sourcetype}</sourcetype><data>`;
  await write('<stream>\n');
  for (let i = 0; i < events.length; i += 1000) {
    let out = '';
    const end = Math.min(events.length, i + 1000);
    for (let j = i; j < end; j++) {
      const e = events[j];
      out += `${head}<time>${epochSeconds(timeOf(e))}</time>${tail}${escapeText(JSON.stringify(e))}</data><done/></event>\n`;
    }
    await write(out);
  }
  await write('</stream>\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-floor: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
