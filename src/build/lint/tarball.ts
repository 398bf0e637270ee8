/** Reads a .tgz into memory with each entry's header, as a checker sees the package. */
import * as fs from 'fs';
import * as tar from 'tar';

export interface TarEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: Date | undefined;
  data: Buffer;
}

export async function readTarball(file: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          entries.push({
            path: entry.path,
            type: entry.type,
            mode: (entry.mode ?? 0) & 0o7777,
            uid: entry.uid ?? 0,
            gid: entry.gid ?? 0,
            uname: entry.uname ?? '',
            gname: entry.gname ?? '',
            mtime: entry.mtime,
            data: Buffer.concat(chunks),
          });
        });
      },
    });
    parser.on('end', () => resolve());
    parser.on('error', reject);
    fs.createReadStream(file).on('error', reject).pipe(parser);
  });
  return entries;
}
