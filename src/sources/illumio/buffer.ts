/**
 * Holds the events of one time window until they can be emitted in timestamp order. Small
 * windows stay in memory; past `memoryLimit` events the records go to a spool file in the
 * stanza's state directory and only (time, offset, length) stay in memory — 20 bytes per event,
 * so a 200 000-event datafile costs 4 MB of RAM however large the events are.
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
  /** The record was not JSON: indexed as received, under `source=<stanza>:unparsed`. */
  raw?: boolean;
}

const BLOCK = 1 << 20;
/**
 * Spool writes go out in pieces below V8's large-object threshold (128 KB), so the joined text
 * dies young instead of landing in the large-object space that only full GCs reclaim.
 */
const WRITE_CHUNK = 96 * 1024;

export class WindowBuffer {
  private mem: Held[] = [];
  private fd: number | undefined;
  private file: string;
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private ts = new Float64Array(1024);
  private off = new Float64Array(1024);
  private len = new Uint32Array(1024);
  private raw = new Uint8Array(1024);
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
    // The pieces are joined once per write, not per record (a copy of every event less).
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(h.data) + 2;
    if (this.n === this.ts.length) this.grow();
    this.ts[this.n] = h.ts;
    this.off[this.n] = this.written + this.pendingBytes;
    this.len[this.n] = bytes;
    this.raw[this.n] = h.raw ? 1 : 0;
    this.n++;
    this.pending.push(key, '\t', h.data, '\n');
    this.pendingBytes += bytes;
    if (this.pendingBytes > WRITE_CHUNK) this.flushPending();
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
    // One reusable read buffer: records are copied out as strings at once.
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
      const line = block.toString('utf8', o - blockStart, o - blockStart + l - 1);
      const tab = line.indexOf('\t');
      const key = line.slice(0, tab);
      const h: Held = { ts: ts[i], key: key.startsWith('"') ? (JSON.parse(key) as string) : key, data: line.slice(tab + 1) };
      if (this.raw[i]) h.raw = true;
      yield h;
    }
  }

  close(): void {
    this.mem = [];
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
    if (!this.pending.length || this.fd === undefined) return;
    const text = this.pending.join('');
    this.written += fs.writeSync(this.fd, text, this.written, 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
  }

  private grow(): void {
    const size = this.ts.length * 2;
    const ts = new Float64Array(size); ts.set(this.ts); this.ts = ts;
    const off = new Float64Array(size); off.set(this.off); this.off = off;
    const len = new Uint32Array(size); len.set(this.len); this.len = len;
    const raw = new Uint8Array(size); raw.set(this.raw); this.raw = raw;
  }
}

function cmp(a: number, b: number): number {
  const x = Number.isNaN(a) ? -Infinity : a;
  const y = Number.isNaN(b) ? -Infinity : b;
  return x - y;
}
