/**
 * Events whose text a source holds only as UTF-8 bytes (read back from a spool file): the XML
 * stream copies the bytes as they are (src/core/protocol/stream.ts), and `data` is decoded only
 * where a sink or a test reads it, so the bytes of 100 000 events are not turned into strings
 * and back on the way to stdout (issue 16).
 */
import type { OutEvent } from './types';

class BytesEvent implements OutEvent {
  time?: number;
  sourcetype?: string;
  source?: string;
  host?: string;
  index?: string;
  private text: string | undefined;

  constructor(readonly bytes: Buffer, readonly printable: boolean) {}

  /** Invalid UTF-8 decodes to U+FFFD, as it does wherever the add-on decodes vendor bytes. */
  get data(): string {
    return (this.text ??= this.bytes.toString('utf8'));
  }

  /** JSON.stringify and structured copies see the plain event. */
  toJSON(): OutEvent {
    const o: OutEvent = { data: this.data };
    if (this.time !== undefined) o.time = this.time;
    if (this.sourcetype !== undefined) o.sourcetype = this.sourcetype;
    if (this.source !== undefined) o.source = this.source;
    if (this.host !== undefined) o.host = this.host;
    if (this.index !== undefined) o.index = this.index;
    return o;
  }
}

/** `printable`: every byte is 0x20-0x7E (see OutEvent.printable); say false when not known. */
export function bytesEvent(bytes: Buffer, printable = false): OutEvent {
  return new BytesEvent(bytes, printable);
}
