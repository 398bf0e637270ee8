/**
 * The sink for splunkd: the `<stream>` of `<event>` elements on stdout. `flush()` resolves once
 * every byte written so far was handed to the file descriptor (the stream's write callbacks
 * fired); only then may the runtime move a checkpoint. A write error (splunkd closed the pipe)
 * fails `flush()`, so the checkpoint stays where the last delivered batch left it.
 */
import type { Writable } from 'stream';
import { EventXmlWriter, STREAM_CLOSE, STREAM_OPEN } from '../protocol/stream';
import type { OutEvent, Sink } from '../types';

export class XmlStreamSink implements Sink {
  private opened = false;
  private closed = false;
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  /**
   * Events are written as UTF-8 into buffers of ~64 KB handed to the pipe as they fill: no batch
   * string (which over 128 KB would sit in V8's large-object space until a full GC) and no
   * encoding of one on the way out.
   */
  private readonly writer = new EventXmlWriter();

  constructor(private readonly out: Writable = process.stdout) {
    // Without a listener an EPIPE would be thrown as an uncaught exception.
    out.on('error', (e) => {
      this.failure ??= e;
    });
  }

  async write(stanza: string, events: OutEvent[]): Promise<void> {
    if (this.closed) throw new Error('XmlStreamSink: write after close');
    if (!events.length) return;
    const w = this.writer;
    if (!this.opened) {
      w.text(STREAM_OPEN);
      this.opened = true;
    }
    for (const ev of events) {
      w.event(stanza, ev);
      if (w.ready) for (const b of w.take(false)) await this.push(b);
    }
    for (const b of w.take()) await this.push(b);
  }

  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.opened) await this.push(Buffer.from(STREAM_CLOSE));
    await this.flush();
  }

  private async push(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    // The callback fires once the bytes were handed to the fd (or failed); chaining keeps the
    // order, so flush() waits for every write so far.
    const written = new Promise<void>((resolve) => {
      this.out.write(chunk, (err) => {
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
