/**
 * Holds the events of one time window until they can be emitted in timestamp order. Small
 * windows stay in memory; past `memoryLimit` events the records go to a spool file in the
 * stanza's state directory and only (time, offset, length) stay in memory — 20 bytes per event,
 * so a 200 000-event datafile costs 4 MB of RAM however large the events are.
 *
 * The spool holds bytes: an element's bytes as received are copied into a write buffer (no
 * string is joined or encoded), and read back as bytes the XML stream copies to stdout
 * (issue 16); their text is decoded only where someone reads `data`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Held {
  /** Event time in epoch ms; NaN when the event carries no usable time. */
  ts: number;
  /** Dedup key: the href, or a digest of the text when there is none. */
  key: string;
  /** Compact JSON to index; for a `raw` record, its redacted and clipped text. */
  data: string;
  /** `data` as UTF-8 bytes when they are at hand (the element as received); they decode to exactly `data`. */
  bytes?: Buffer;
  /** Every byte of `bytes` is printable ASCII (OutEvent.printable). */
  printable?: boolean;
  /** The record was not JSON: indexed as received, under `source=<stanza>:unparsed`. */
  raw?: boolean;
}

/** A record read back from the spool: its text is decoded when asked for. */
class Spooled implements Held {
  raw?: boolean;
  printable?: boolean;
  private text: string | undefined;

  constructor(readonly ts: number, readonly key: string, readonly bytes: Buffer) {}

  get data(): string {
    return (this.text ??= this.bytes.toString('utf8'));
  }
}

const BLOCK = 1 << 20;
/** Records are copied into a buffer of this size and written when it is full: one write per MiB. */
const WRITE_BUF = 1 << 20;
const TAB = 0x09;
const LF = 0x0a;
const RAW = 1;
const PRINTABLE = 2;

export class WindowBuffer {
  private mem: Held[] = [];
  private fd: number | undefined;
  private file: string;
  /** Records not yet written: wbuf[0, wpos), to go at file offset `written`. */
  private wbuf: Buffer | undefined;
  private wpos = 0;
  private written = 0;
  private ts = new Float64Array(1024);
  private off = new Float64Array(1024);
  private len = new Uint32Array(1024);
  /** Per record: RAW | PRINTABLE. */
  private flags = new Uint8Array(1024);
  private n = 0;

  constructor(dir: string, private readonly memoryLimit = 5000) {
    this.file = path.join(dir, `window-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.spool`);
  }

  get size(): number {
    return this.fd === undefined ? this.mem.length : this.n;
  }

  get spilled(): boolean {
    return this.fd !== undefined;
  }

  add(h: Held): void {
    if (this.fd === undefined) {
      this.mem.push(h);
      if (this.mem.length > this.memoryLimit) this.spill();
      return;
    }
    // A key that could be mistaken for the separator, a line end or a quoted key is JSON-quoted.
    const key = /^"|[\t\n\r]/.test(h.key) ? JSON.stringify(h.key) : h.key;
    const data = h.bytes;
    // An upper bound first (3 bytes per UTF-16 unit); the exact size only for a large record.
    let dataLen = data ? data.length : h.data.length * 3;
    if (!data && dataLen > WRITE_BUF / 2) dataLen = Buffer.byteLength(h.data);
    const wbuf = (this.wbuf ??= Buffer.allocUnsafe(WRITE_BUF));
    if (this.wpos + key.length * 3 + dataLen + 2 > WRITE_BUF) this.flushPending();
    if (this.n === this.ts.length) this.grow();
    const start = this.written + this.wpos;
    if (key.length * 3 + dataLen + 2 > WRITE_BUF) {
      // Larger than the buffer (a raw record near RAW_MAX, a huge event): written on its own.
      this.writeOut(Buffer.from(`${key}\t`));
      this.writeOut(data ?? Buffer.from(h.data, 'utf8'));
      this.writeOut(Buffer.of(LF));
    } else {
      this.wpos += wbuf.write(key, this.wpos, 'utf8');
      wbuf[this.wpos++] = TAB;
      this.wpos += data ? data.copy(wbuf, this.wpos) : wbuf.write(h.data, this.wpos, 'utf8');
      wbuf[this.wpos++] = LF;
    }
    this.ts[this.n] = h.ts;
    this.off[this.n] = start;
    this.len[this.n] = this.written + this.wpos - start;
    this.flags[this.n] = (h.raw ? RAW : 0) | (data && h.printable ? PRINTABLE : 0);
    this.n++;
  }

  /** Forgets everything added after the buffer held `size` events (a download that failed midway). */
  truncate(size: number): void {
    if (this.fd === undefined) {
      this.mem.length = Math.min(this.mem.length, size);
      return;
    }
    if (size >= this.n) return;
    this.flushPending();
    this.n = size;
    this.written = size === 0 ? 0 : this.off[size - 1] + this.len[size - 1];
    fs.ftruncateSync(this.fd, this.written);
  }

  /** The events in time order (ties in arrival order); events without a time first. */
  *sorted(): Generator<Held> {
    if (this.fd === undefined) {
      const items = this.mem.map((h, i) => ({ h, i }));
      items.sort((a, b) => cmp(a.h.ts, b.h.ts) || a.i - b.i);
      for (const { h } of items) yield h;
      return;
    }
    this.flushPending();
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    const ts = this.ts;
    order.sort((a, b) => cmp(ts[a], ts[b]) || a - b);
    // One reusable read buffer: records are copied out at once.
    const shared = Buffer.allocUnsafe(BLOCK);
    let block = shared.subarray(0, 0);
    let blockStart = 0;
    let prevOff = -1;
    for (let k = 0; k < this.n; k++) {
      const i = order[k];
      const o = this.off[i];
      const l = this.len[i];
      if (o < blockStart || o + l > blockStart + block.length) {
        // Read around the record in the direction the sorted order is walking the file, so a
        // file written newest-first is read back in a few large reads too.
        const size = Math.max(BLOCK, l);
        blockStart = o < prevOff ? Math.max(0, o + l - size) : o;
        const want = Math.min(size, this.written - blockStart);
        block = want <= BLOCK ? shared.subarray(0, want) : Buffer.allocUnsafe(want);
        fs.readSync(this.fd, block, 0, want, blockStart);
      }
      prevOff = o;
      const from = o - blockStart;
      const tab = block.indexOf(TAB, from);
      const key = block.toString('utf8', from, tab);
      // Copied out of the shared block (into node's small-buffer pool): an event may outlive it.
      const bytes = Buffer.allocUnsafe(from + l - 1 - (tab + 1));
      block.copy(bytes, 0, tab + 1, from + l - 1);
      const h = new Spooled(ts[i], key.startsWith('"') ? (JSON.parse(key) as string) : key, bytes);
      if (this.flags[i] & RAW) h.raw = true;
      if (this.flags[i] & PRINTABLE) h.printable = true;
      yield h;
    }
  }

  close(): void {
    this.mem = [];
    this.wbuf = undefined;
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
      fs.rmSync(this.file, { force: true });
    }
  }

  private spill(): void {
    this.fd = fs.openSync(this.file, 'w+', 0o600);
    const items = this.mem;
    this.mem = [];
    for (const h of items) this.add(h);
  }

  private flushPending(): void {
    if (!this.wpos || !this.wbuf) return;
    const n = this.wpos;
    this.wpos = 0;
    this.writeOut(this.wbuf.subarray(0, n));
  }

  private writeOut(b: Buffer): void {
    for (let done = 0; done < b.length;) done += fs.writeSync(this.fd!, b, done, b.length - done, this.written + done);
    this.written += b.length;
  }

  private grow(): void {
    const size = this.ts.length * 2;
    const ts = new Float64Array(size); ts.set(this.ts); this.ts = ts;
    const off = new Float64Array(size); off.set(this.off); this.off = off;
    const len = new Uint32Array(size); len.set(this.len); this.len = len;
    const flags = new Uint8Array(size); flags.set(this.flags); this.flags = flags;
  }
}

function cmp(a: number, b: number): number {
  const x = Number.isNaN(a) ? -Infinity : a;
  const y = Number.isNaN(b) ? -Infinity : b;
  return x - y;
}
