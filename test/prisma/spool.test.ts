import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Spool } from '../../src/sources/prisma/spool';

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'prisma-spool-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('returns appended bodies in arrival order until removed, across instances', async () => {
    const a = new Spool(dir);
    await a.open();
    const r1 = await a.append(Buffer.from('{"events":[1]}'), 1000);
    const r2 = await a.append(Buffer.from('{"events":[2]}'), 1000);
    const r3 = await a.append(Buffer.from('second ms'), 1001);
    const b = new Spool(dir);
    expect((await b.pending()).map((r) => [r.body.toString(), r.receivedMs, r.damage])).toEqual([
      ['{"events":[1]}', 1000, undefined], ['{"events":[2]}', 1000, undefined], ['second ms', 1001, undefined],
    ]);
    await b.remove(r2);
    expect((await a.pending()).map((r) => r.id)).toEqual([r1.id, r3.id]);
  });

  it('keeps binary and empty bodies exactly', async () => {
    const s = new Spool(dir);
    await s.open();
    const bytes = Buffer.from([0, 10, 255, 13, 10, 80]);
    await s.append(bytes, 5);
    await s.append(Buffer.alloc(0), 6);
    const [x, y] = await s.pending();
    expect(x.body.equals(bytes)).toBe(true);
    expect(y.body.length).toBe(0);
    expect(y.damage).toBeUndefined();
  });

  it('salvages a record cut short by a crash and reports the damage', async () => {
    const s = new Spool(dir);
    await s.open();
    const rec = await s.append(Buffer.from('{"events":[{"a":1},{"b":2}]}'), 7);
    const file = path.join(dir, rec.id);
    const full = await fsp.readFile(file);
    await fsp.writeFile(file, full.subarray(0, full.length - 8));
    const [back] = await s.pending();
    expect(back.damage).toMatch(/cut short: 20 of 28 bytes/);
    expect(back.body.toString()).toBe('{"events":[{"a":1},{');
  });

  it('reports a checksum mismatch and a missing header but still returns the bytes', async () => {
    const s = new Spool(dir);
    await s.open();
    const rec = await s.append(Buffer.from('abcdef'), 8);
    const file = path.join(dir, rec.id);
    const text = (await fsp.readFile(file, 'latin1')).replace('abcdef', 'abcxef');
    await fsp.writeFile(file, text, 'latin1');
    await fsp.writeFile(path.join(dir, '00000000000009-1-00000000.rec'), 'PSPO');
    const [bad, headless] = await s.pending();
    expect([bad.damage, bad.body.toString()]).toEqual(['checksum mismatch', 'abcxef']);
    expect([headless.damage, headless.body.toString()]).toEqual(['no valid header', 'PSPO']);
  });

  it('has nothing pending when the directory does not exist yet', async () => {
    expect(await new Spool(path.join(dir, 'nope')).pending()).toEqual([]);
  });
});
