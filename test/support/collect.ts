/** A Writable that keeps what it is given as text (stderr of a logger, a pipe nobody reads). */
import { Writable } from 'stream';

export class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}
