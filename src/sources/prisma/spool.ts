/**
 * The durable copy of what the service handed over. Prisma SaaS reads are destructive: once a
 * body is received the service has forgotten it, so it is written here and fsynced before any
 * of its events are emitted, and removed only after the sink took them and the checkpoint
 * recorded them. A run that dies anywhere in between replays these records on its next start.
 *
 * One record per file, named so that lexical order is arrival order:
 *   `PSPOOL1 <bytes> <sha256-hex> <received-ms>\n` + body bytes
 * A record cut short by a crash (or a failed checksum) is still replayed: the bytes that made it
 * are salvaged rather than silently discarded.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

const MAGIC = 'PSPOOL1';
const SUFFIX = '.rec';

export interface SpoolRecord {
  /** File name, unique and ordered. */
  id: string;
  body: Buffer;
  receivedMs: number;
  /** Set when the file does not hold what its header promised (crash during the write). */
  damage?: string;
}

export class Spool {
  private seq = 0;

  constructor(readonly dir: string) {}

  async open(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Appends a record and makes it durable (file and directory entry) before returning. */
  async append(body: Buffer, receivedMs: number): Promise<SpoolRecord> {
    const id = `${String(receivedMs).padStart(14, '0')}-${process.pid}-${String(this.seq++).padStart(8, '0')}${SUFFIX}`;
    const digest = createHash('sha256').update(body).digest('hex');
    const header = Buffer.from(`${MAGIC} ${body.length} ${digest} ${receivedMs}\n`, 'latin1');
    // Event bodies are the tenant's security data: readable by the Splunk user only.
    const fh = await fsp.open(path.join(this.dir, id), 'wx', 0o600);
    try {
      await fh.writev([header, body]);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    // The new directory entry must survive too, or the record is durable but unreachable.
    await this.syncDir();
    return { id, body, receivedMs };
  }

  async remove(record: Pick<SpoolRecord, 'id'>): Promise<void> {
    await fsp.rm(path.join(this.dir, record.id), { force: true });
    // The unlink need not be durable: a record that comes back after a power loss is removed
    // again by the dedup set on replay.
  }

  /** Records left by earlier runs, oldest first. */
  async pending(): Promise<SpoolRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: SpoolRecord[] = [];
    for (const id of names.filter((n) => n.endsWith(SUFFIX)).sort()) {
      out.push(decode(id, await fsp.readFile(path.join(this.dir, id))));
    }
    return out;
  }

  private async syncDir(): Promise<void> {
    let dh: fsp.FileHandle | undefined;
    try {
      dh = await fsp.open(this.dir, 'r');
      await dh.sync();
    } catch {
      // Directories cannot be opened for sync on Windows; NTFS journals the entry itself.
    } finally {
      await dh?.close();
    }
  }
}

export function decode(id: string, file: Buffer): SpoolRecord {
  const nl = file.indexOf(0x0a);
  const header = nl >= 0 ? file.subarray(0, nl).toString('latin1') : '';
  const m = /^PSPOOL1 (\d+) ([0-9a-f]{64}) (\d+)$/.exec(header);
  const fromName = Number(id.split('-')[0]) || 0;
  if (!m) {
    // Not even a header: whatever bytes exist are all we have.
    return { id, body: nl >= 0 && header.startsWith(MAGIC) ? file.subarray(nl + 1) : file, receivedMs: fromName, damage: 'no valid header' };
  }
  const length = Number(m[1]);
  const body = file.subarray(nl + 1);
  const receivedMs = Number(m[3]);
  if (body.length < length) {
    return { id, body, receivedMs, damage: `cut short: ${body.length} of ${length} bytes` };
  }
  const exact = body.subarray(0, length);
  if (createHash('sha256').update(exact).digest('hex') !== m[2]) {
    return { id, body: exact, receivedMs, damage: 'checksum mismatch' };
  }
  return { id, body: exact, receivedMs };
}
