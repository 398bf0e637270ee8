/**
 * The file sink of the standalone collector: one JSON object per line, in HEC's event format
 * (`time`, `host`, `source`, `sourcetype`, `index`, `event`), appended to one file. A forwarder's
 * monitor input or any log shipper can take it from there. `flush` fsyncs, so a checkpoint moves
 * only past lines that are on disk; a crash between the append and the checkpoint repeats lines
 * (at-least-once), it never loses them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import type { OutEvent, Sink } from '../types';
import { hecEventJson } from './hec';

/**
 * Appends per file, in order: inputs running at the same time share the file, and one large
 * append may take several write(2) calls that must not interleave with another input's.
 */
const appendChains = new Map<string, Promise<void>>();

export class NdjsonSink implements Sink {
  private fh: fs.promises.FileHandle | undefined;
  private dirty = false;

  constructor(readonly file: string) {}

  private async open(): Promise<fs.promises.FileHandle> {
    if (this.fh) return this.fh;
    try {
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
      this.fh = await fs.promises.open(this.file, 'a', 0o640);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`Cannot open the output file ${this.file} for appending (${code}). Check sink.path and that this user may write there.`, 'sink.path');
    }
    return this.fh;
  }

  async write(_stanza: string, events: OutEvent[]): Promise<void> {
    if (!events.length) return;
    const fh = await this.open();
    const text = events.map((e) => `${hecEventJson(e)}\n`).join('');
    const append = (appendChains.get(this.file) ?? Promise.resolve()).then(() => fh.appendFile(text, 'utf8'));
    const settled = append.catch(() => undefined);
    appendChains.set(this.file, settled);
    void settled.then(() => {
      if (appendChains.get(this.file) === settled) appendChains.delete(this.file);
    });
    await append;
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.fh || !this.dirty) return;
    await this.fh.sync();
    this.dirty = false;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }
}
