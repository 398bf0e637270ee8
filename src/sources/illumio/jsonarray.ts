/**
 * Streaming splitter for a top-level JSON array: takes the body in chunks and hands back the
 * text of each complete element, so a datafile of any size passes through in flat memory and
 * each element is parsed by the engine's JSON.parse.
 *
 * Why not stream-json's StreamArray: it tokenises in JavaScript and assembles values token by
 * token; on this project's 1 KB events it ran at ~11 MB/s against ~66 MB/s for JSON.parse
 * (50 000 events, 31 MB), which would make the async path five times slower than the page path.
 * Finding element boundaries only needs brackets outside strings, which is a cheap byte scan.
 */
import { isAscii } from 'node:buffer';
import { ProtocolError } from '../../core/errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const DEL = 0x7f;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export class JsonArraySplitter {
  private state: 'before' | 'between' | 'element' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Element that is not an object/array (a string, number, literal). */
  private scalar = false;
  private parts: Buffer[] = [];
  private expectComma = false;
  /** Whitespace seen outside strings in the current element. */
  private spaced = false;
  /** Deepest nesting seen in the current element. */
  private deepest = 0;
  elements = 0;
  /**
   * For each element returned by the last push(): true when it had no whitespace outside
   * strings, i.e. it is already compact JSON and can be indexed as received.
   */
  compact: boolean[] = [];
  /**
   * For each element returned by the last push(): its nesting depth (1 for `{}`, 0 for a
   * scalar), so a depth bound needs no second scan of the text.
   */
  depths: number[] = [];
  /**
   * With `parse`, for each element returned by the last push(): its value, or undefined when it
   * was not parsed here (then JSON.parse its text, which also reports what is wrong with it).
   */
  values: unknown[] = [];
  /**
   * For each element returned by the last push(): its bytes as received (a view of the chunk,
   * or the joined pieces of an element that spanned chunks). Its text is their UTF-8 decoding,
   * so a consumer that stores or writes bytes needs no second encoding (issue 16).
   */
  bytes: Buffer[] = [];
  /**
   * With `parse`, for each element returned by the last push(): true when its bytes are all
   * printable ASCII (0x20-0x7E). Established without a pass over its bytes: the chunk's region is
   * ASCII without DEL (two native scans), the element is compact (no byte <= 0x20 outside
   * strings) and JSON.parse accepted it (no raw control character inside a string). A sink that
   * escapes bytes then needs to look only for its own specials (issue 16).
   */
  printable: boolean[] = [];
  /** Reused to put a chunk's whole elements in brackets for one JSON.parse. */
  private scratch = Buffer.alloc(0);
  /** [start, end) in the current chunk of the elements that lie wholly in it. */
  private spans: number[] = [];

  /**
   * `parse`: also parse the elements, all those of a chunk in one JSON.parse (the per-element
   * calls and the per-element UTF-8 decoding cost a third more than that, issue 16).
   */
  constructor(private readonly opts: { parse?: boolean } = {}) {}

  /** Feeds one chunk; returns the texts of the elements completed by it. */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    this.compact = [];
    this.depths = [];
    this.values = [];
    this.bytes = [];
    this.printable = [];
    this.spans = [];
    let start = this.state === 'element' ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      if (this.state === 'element' && !this.scalar) {
        const close = this.scan(chunk, i);
        if (close === -1) break;
        this.finish(chunk, start, close + 1, out);
        start = -1;
        i = close;
        continue;
      }
      if (this.state === 'element') {
        if (this.inString) {
          // Jump from quote to quote; the backslashes just before one decide whether it ends the string.
          while (i < n) {
            if (this.escaped) { this.escaped = false; i++; continue; }
            const q = chunk.indexOf(QUOTE, i);
            if (q === -1) {
              let k = n - 1;
              while (k >= i && chunk[k] === BACKSLASH) k--;
              this.escaped = (n - 1 - k) % 2 === 1;
              i = n;
              break;
            }
            let k = q - 1;
            while (k >= i && chunk[k] === BACKSLASH) k--;
            if ((q - 1 - k) % 2 === 1) { i = q + 1; continue; }
            i = q;
            this.inString = false;
            break;
          }
          if (this.inString) continue;
          if (this.scalar && this.depth === 0) { this.finish(chunk, start, i + 1, out); start = -1; }
          continue;
        }
        // A scalar element (string, number, literal) ends at a delimiter.
        const b = chunk[i];
        if (b === COMMA || b === CLOSE_ARR || isSpace(b)) {
          this.finish(chunk, start, i, out);
          start = -1;
          i--; // let the between-state see the delimiter
        }
        continue;
      }
      const b = chunk[i];
      if (isSpace(b)) continue;
      if (this.state === 'before') {
        if (b !== OPEN_ARR) throw this.error('the body is not a JSON array');
        this.state = 'between';
        continue;
      }
      if (this.state === 'after') throw this.error('there is data after the end of the array');
      // between elements
      if (b === CLOSE_ARR) { this.state = 'after'; continue; }
      if (this.expectComma) {
        if (b !== COMMA) throw this.error(`expected "," or "]" after element ${this.elements}`);
        this.expectComma = false;
        continue;
      }
      if (b === COMMA) throw this.error(`unexpected "," after element ${this.elements}`);
      this.state = 'element';
      start = i;
      this.parts = [];
      this.spaced = false;
      this.scalar = !(b === OPEN_OBJ || b === OPEN_ARR);
      if (b === QUOTE) this.inString = true;
      else if (!this.scalar) this.depth = 1;
      this.deepest = this.depth;
    }
    if (this.state === 'element' && start !== -1) this.parts.push(chunk.subarray(start));
    if (this.spans.length) this.decodeSpans(chunk, out);
    return out;
  }

  /**
   * Scans an object or array element from `from`: returns the offset of the bracket that closes
   * it, or -1 when the chunk ends first. Its state lives in locals while it runs and strings are
   * walked byte by byte: per-byte field updates and a native indexOf per (mostly short) string
   * made the previous scan a tenth of the Illumio launcher's CPU (issue 16).
   */
  private scan(chunk: Buffer, from: number): number {
    let depth = this.depth;
    let deepest = this.deepest;
    let spaced = this.spaced;
    let inString = this.inString;
    let escaped = this.escaped;
    const n = chunk.length;
    let i = from;
    let close = -1;
    while (i < n) {
      if (inString) {
        if (escaped) { escaped = false; i++; }
        while (i < n) {
          const c = chunk[i++];
          if (c === QUOTE) { inString = false; break; }
          if (c === BACKSLASH) {
            if (i < n) i++;
            else escaped = true;
          }
        }
        continue;
      }
      const b = chunk[i];
      if (b === QUOTE) inString = true;
      else if (b <= 0x20) spaced = true;
      else if (b === OPEN_OBJ || b === OPEN_ARR) {
        if (++depth > deepest) deepest = depth;
      } else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
        if (--depth === 0) { close = i; break; }
      }
      i++;
    }
    this.depth = depth;
    this.deepest = deepest;
    this.spaced = spaced;
    this.inString = inString;
    this.escaped = escaped;
    return close;
  }

  /**
   * Texts (and values) of the elements wholly in `chunk`: one decoding of their region when it
   * is ASCII (byte offsets are then string offsets, and each text is a slice of it).
   */
  private decodeSpans(chunk: Buffer, out: string[]): void {
    const spans = this.spans;
    const count = spans.length / 2;
    const first = out.length - count;
    const base = spans[0];
    const region = chunk.subarray(base, spans[spans.length - 1]);
    const ascii = isAscii(region);
    // Between elements there are only commas and whitespace: in brackets, the region is an
    // array. The brackets are added on the bytes, so the one decoded string is what JSON.parse
    // reads (a `[${text}]` was a second copy of every chunk on the heap, issue 16).
    let whole: string | undefined;
    if (ascii || this.opts.parse) {
      const n = region.length + 2;
      if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, 2 * this.scratch.length));
      const b = this.scratch;
      b[0] = OPEN_ARR;
      region.copy(b, 1);
      b[n - 1] = CLOSE_ARR;
      whole = b.toString(ascii ? 'latin1' : 'utf8', 0, n);
    }
    if (ascii) {
      // Byte offsets are string offsets; the opening bracket shifts them by one.
      const at = 1 - base;
      for (let k = 0; k < count; k++) out[first + k] = whole!.slice(spans[2 * k] + at, spans[2 * k + 1] + at);
    } else {
      for (let k = 0; k < count; k++) out[first + k] = chunk.toString('utf8', spans[2 * k], spans[2 * k + 1]);
    }
    if (!this.opts.parse) return;
    let values: unknown;
    try {
      values = JSON.parse(whole!);
    } catch {
      return; // some element is not JSON: each is parsed on its own, and the bad one reported
    }
    if (!Array.isArray(values) || values.length !== count) return;
    const printable = ascii && region.indexOf(DEL) === -1;
    for (let k = 0; k < count; k++) {
      this.values[first + k] = values[k];
      this.printable[first + k] = printable && this.compact[first + k];
    }
  }

  /** Call at the end of the body: throws when the array is incomplete. */
  end(): void {
    if (this.state !== 'after') {
      throw this.error(this.state === 'before' ? 'the body is empty' : `the array ends early, after ${this.elements} complete elements (truncated body)`);
    }
  }

  private finish(chunk: Buffer, start: number, endExcl: number, out: string[]): void {
    if (this.parts.length) {
      const whole = Buffer.concat([...this.parts, chunk.subarray(0, endExcl)]);
      out.push(whole.toString('utf8'));
      this.bytes.push(whole);
      this.parts = [];
    } else {
      // Decoded with the chunk's other whole elements at the end of push().
      this.spans.push(start, endExcl);
      out.push('');
      this.bytes.push(chunk.subarray(start, endExcl));
    }
    this.compact.push(!this.spaced);
    this.printable.push(false);
    this.depths.push(this.deepest);
    this.elements++;
    this.state = 'between';
    this.expectComma = true;
    this.depth = 0;
    this.scalar = false;
  }

  private error(why: string): ProtocolError {
    return new ProtocolError(`Malformed JSON array: ${why}.`);
  }
}
