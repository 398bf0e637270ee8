/**
 * The `<stream>` splunkd reads from a modular input in xml streaming mode
 * (shape: modinput-fixtures/stream_with_two_events.xml). Each event is complete on its own
 * (`unbroken="1"` + `<done/>`), so splunkd never glues two events together.
 */
import type { OutEvent } from '../types';
import { element, escapeXmlAttr, escapeXmlText } from './xml';

export const STREAM_OPEN = '<stream>\n';
export const STREAM_CLOSE = '</stream>\n';

/** Epoch seconds with millisecond precision, as splunkd expects in `<time>`. */
export function formatTime(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return (Math.round(seconds * 1000) / 1000).toFixed(3);
}

/** Size of the buffers the stream is written in (an event larger than this gets one of its own). */
export const CHUNK_BYTES = 64 * 1024;

// What event data needs: 0 copied as is (printable ASCII, TAB, LF); ENTITY escaped on the bytes
// (&, <, >); SLOW anything else (C0 controls, CR, DEL, every non-ASCII byte), for which the
// event's text goes through escapeXmlText: the rules live in one place (xml.ts).
const ENTITY = 1;
const SLOW = 2;
const isEntity = (c: number) => c === 0x26 || c === 0x3c || c === 0x3e;
const ENTITY_BYTES: Record<number, Buffer> = { 0x26: Buffer.from('&amp;'), 0x3c: Buffer.from('&lt;'), 0x3e: Buffer.from('&gt;') };
const DATA_OPEN = Buffer.from('<data>');
const DATA_CLOSE = Buffer.from('</data><done/></event>\n');

/** What `b` needs: 0, ENTITY or SLOW (comparisons: a quarter faster than a table lookup per byte). */
function needs(b: Buffer): number {
  let need = 0;
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) {
      if (c !== 0x09 && c !== 0x0a) return SLOW;
    } else if (isEntity(c)) {
      need = ENTITY;
    }
  }
  return need;
}

/** What printable ASCII bytes need: 0 or ENTITY, found by native scans for the three specials. */
function entities(b: Buffer): number {
  return b.indexOf(0x26) === -1 && b.indexOf(0x3c) === -1 && b.indexOf(0x3e) === -1 ? 0 : ENTITY;
}

/**
 * Writes `<event>` elements as UTF-8 straight into buffers of about CHUNK_BYTES, which go to the
 * pipe as they are: no per-event string, no batch string to encode (issue 16). An event's
 * `bytes`, when the source holds them, are copied, and escaped on the bytes where they need it;
 * the stanza and metadata are escaped and encoded once while they repeat.
 */
export class EventXmlWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private full: Buffer[] = [];
  private stanza: string | undefined;
  private head = Buffer.alloc(0);
  private source: string | undefined;
  private sourcetype: string | undefined;
  private index: string | undefined;
  private host: string | undefined;
  private meta = Buffer.alloc(0);
  private metaSet = false;

  /** Pieces of about CHUNK_BYTES are complete and wait to be taken. */
  get ready(): boolean {
    return this.full.length > 0;
  }

  /** Plain text (already escaped), UTF-8 encoded. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  event(stanza: string, ev: OutEvent): void {
    if (stanza !== this.stanza) {
      this.head = Buffer.from(`<event stanza="${escapeXmlAttr(stanza)}" unbroken="1">`, 'utf8');
      this.stanza = stanza;
    }
    if (!this.metaSet || ev.source !== this.source || ev.sourcetype !== this.sourcetype || ev.index !== this.index || ev.host !== this.host) {
      let meta = '';
      if (ev.source) meta += element('source', ev.source);
      if (ev.sourcetype) meta += element('sourcetype', ev.sourcetype);
      if (ev.index) meta += element('index', ev.index);
      if (ev.host) meta += element('host', ev.host);
      this.meta = Buffer.from(meta, 'utf8');
      this.source = ev.source;
      this.sourcetype = ev.sourcetype;
      this.index = ev.index;
      this.host = ev.host;
      this.metaSet = true;
    }
    const time = ev.time === undefined ? undefined : formatTime(ev.time);
    this.copy(this.head);
    if (time !== undefined) {
      this.room(time.length + 13);
      this.pos += this.buf.write(`<time>${time}</time>`, this.pos, 'latin1');
    }
    this.copy(this.meta);
    this.copy(DATA_OPEN);
    const b = ev.bytes;
    // A byte-by-byte look at every event was a twentieth of a JSON launcher's CPU (issue 16).
    const need = b ? (ev.printable ? entities(b) : needs(b)) : SLOW;
    if (!b || need === SLOW) this.text(escapeXmlText(ev.data));
    else if (need === 0) this.copy(b);
    else this.escaped(b);
    this.copy(DATA_CLOSE);
  }

  /**
   * What was written since the last take(), in pieces of about CHUNK_BYTES (none when nothing
   * was); with `partial` false only the complete pieces.
   */
  take(partial = true): Buffer[] {
    const out = this.full;
    this.full = [];
    if (partial && this.pos) {
      out.push(this.buf.subarray(0, this.pos));
      // The taken bytes belong to the stream now.
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
      this.pos = 0;
    }
    return out;
  }

  /** Printable ASCII with &, < and > only: the runs between them copied, those escaped. */
  private escaped(b: Buffer): void {
    let from = 0;
    for (let i = 0; i < b.length; i++) {
      if (!isEntity(b[i])) continue;
      if (i > from) this.copy(b.subarray(from, i));
      this.copy(ENTITY_BYTES[b[i]]);
      from = i + 1;
    }
    if (from < b.length) this.copy(b.subarray(from));
  }

  private copy(b: Buffer): void {
    this.room(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos) this.full.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n));
    this.pos = 0;
  }
}

/** One `<event>` element, newline-terminated. Fields follow the fixture's order. */
export function eventXml(stanza: string, ev: OutEvent): string {
  return eventsXml(stanza, [ev]);
}

export function eventsXml(stanza: string, events: readonly OutEvent[]): string {
  const w = new EventXmlWriter();
  for (const ev of events) w.event(stanza, ev);
  return Buffer.concat(w.take()).toString('utf8');
}
