/**
 * XmlStreamSink against a Writable standing in for splunkd's end of the pipe, whose write
 * callbacks the test releases by hand: flush() must wait for every byte to be handed over, and
 * write() must hold the producer while the pipe is full.
 */
import { Writable } from 'stream';
import { XmlStreamSink } from '../../src/core/sinks';
import { parseXml } from '../protocol/xml-tree';

class HeldPipe extends Writable {
  taken = '';
  private held: (() => void)[] = [];
  constructor(highWaterMark: number) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.held.push(() => {
      this.taken += chunk;
      cb();
    });
  }
  release(): void {
    const h = this.held;
    this.held = [];
    h.forEach((f) => f());
  }
  get pending(): number {
    return this.held.length;
  }
}

function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  p.then(() => { done = true; }, () => { done = true; });
  return () => done;
}

const tick = () => new Promise((r) => setImmediate(r));

test('flush resolves only once the pipe took every byte written before it', async () => {
  const pipe = new HeldPipe(1 << 20);
  const sink = new XmlStreamSink(pipe);
  await sink.write('s://a', [{ data: 'one' }]);
  const flushed = settled(sink.flush());
  await tick();
  expect(flushed()).toBe(false);
  pipe.release();
  await tick();
  expect(flushed()).toBe(true);
  expect(pipe.taken).toContain('<data>one</data>');
});

test('a full pipe holds write() until it drains', async () => {
  const pipe = new HeldPipe(64);
  const sink = new XmlStreamSink(pipe);
  const written = settled(sink.write('s://a', [{ data: 'x'.repeat(500) }]));
  await tick();
  expect(written()).toBe(false);
  while (pipe.pending) {
    pipe.release();
    await tick();
  }
  expect(written()).toBe(true);
});

test('close ends the stream; the whole output parses; nothing may be written after it', async () => {
  const pipe = new HeldPipe(1 << 20);
  const sink = new XmlStreamSink(pipe);
  const release = setInterval(() => pipe.release(), 1);
  try {
    await sink.write('s://a', [{ data: 'a' }, { data: 'b', time: 1.5 }]);
    await sink.write('s://b', [{ data: 'c' }]);
    await sink.close();
  } finally {
    clearInterval(release);
  }
  const doc = parseXml(pipe.taken);
  expect(doc.children.map((e) => [e.attributes.stanza, e.children.find((c) => c.name === 'data')!.text])).toEqual([
    ['s://a', 'a'], ['s://a', 'b'], ['s://b', 'c'],
  ]);
  await expect(sink.write('s://a', [{ data: 'late' }])).rejects.toThrow(/after close/);
});

test('a run without events writes nothing at all', async () => {
  const pipe = new HeldPipe(1 << 20);
  const sink = new XmlStreamSink(pipe);
  await sink.write('s://a', []);
  await sink.close();
  expect(pipe.taken).toBe('');
});

test('a broken pipe fails flush and every later write', async () => {
  const pipe = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const sink = new XmlStreamSink(pipe);
  await sink.write('s://a', [{ data: 'a' }]).catch(() => undefined);
  await expect(sink.flush()).rejects.toThrow(/EPIPE/);
  await expect(sink.write('s://a', [{ data: 'b' }])).rejects.toThrow(/EPIPE/);
});
