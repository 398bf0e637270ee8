/**
 * The sink for splunkd: the `<stream>` of `<event>` elements on stdout. `flush()` resolves once
 * every byte written so far was handed to the file descriptor (the stream's write callbacks
 * fired); only then may the runtime move a checkpoint. A write error (splunkd closed the pipe)
 * fails `flush()`, so the checkpoint stays where the last delivered batch left it.
 */
import type { Writable } from 'stream';
import { eventXml, STREAM_CLOSE, STREAM_OPEN } from '../protocol/stream';

/**
 * A batch goes out in pieces of about this many characters: a string over V8's large-object
 * threshold (128 KB) lives in the large-object space, which only full GCs free, and a
 * 1 000-event batch of 1 KB events left ~2 MB there per write (string and its encoded copy).
 */
const CHUNK_CHARS = 48 * 1024;
import type { OutEvent, Sink } from '../types';

export class XmlStreamSink implements Sink {
  private opened = false;
  private closed = false;
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly out: Writable = process.stdout) {
    // Without a listener an EPIPE would be thrown as an uncaught exception.
    out.on('error', (e) => {
      this.failure ??= e;
    });
  }

  async write(stanza: string, events: OutEvent[]): Promise<void> {
    if (this.closed) throw new Error('XmlStreamSink: write after close');
    if (!events.length) return;
    let chunk = '';
    if (!this.opened) {
      chunk = STREAM_OPEN;
      this.opened = true;
    }
    for (const ev of events) {
      chunk += eventXml(stanza, ev);
      if (chunk.length >= CHUNK_CHARS) {
        await this.push(chunk);
        chunk = '';
      }
    }
    if (chunk) await this.push(chunk);
  }

  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.opened) await this.push(STREAM_CLOSE);
    await this.flush();
  }

  private async push(chunk: string): Promise<void> {
    if (this.failure) throw this.failure;
    // The callback fires once the bytes were handed to the fd (or failed); chaining keeps the
    // order, so flush() waits for every write so far.
    const written = new Promise<void>((resolve) => {
      this.out.write(chunk, 'utf8', (err) => {
        if (err) this.failure ??= err;
        resolve();
      });
    });
    this.pending = this.pending.then(() => written);
    // Backpressure: hold the producer while the pipe is full rather than buffer a whole
    // collection in memory.
    if (this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const go = () => {
          this.out.off('drain', go);
          this.out.off('close', go);
          resolve();
        };
        this.out.on('drain', go);
        this.out.on('close', go);
      });
    }
    if (this.failure) throw this.failure;
  }
}
