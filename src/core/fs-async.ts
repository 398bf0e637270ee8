/**
 * The asynchronous file operations of a run (checkpoints, state directories) on node's callback
 * API, with the names and shapes of `fs.promises`. Touching `fs.promises` loads node's
 * internal/fs/promises, and with it its directory, watch and readline parts: ~4 ms of every
 * launcher start (npm run bench -- launchers). These are the same system calls.
 */
import * as fs from 'node:fs';

type Done<T> = (e: NodeJS.ErrnoException | null, v?: T) => void;

function call<T>(f: (done: Done<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v as T))));
}

/** What the callers use of fs.promises.FileHandle. */
export interface FileHandle {
  readonly fd: number;
  writeFile(data: string, encoding: BufferEncoding): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

function handle(fd: number): FileHandle {
  let closed: Promise<void> | undefined;
  return {
    fd,
    writeFile: (data, encoding) => call<void>((d) => fs.writeFile(fd, data, encoding, d)),
    sync: () => call<void>((d) => fs.fsync(fd, d)),
    close: () => (closed ??= call<void>((d) => fs.close(fd, d))),
  };
}

export const fsp = {
  readFile: (file: string, encoding: BufferEncoding) => call<string>((d) => fs.readFile(file, encoding, d)),
  writeFile: (file: string, data: string, options: fs.WriteFileOptions) => call<void>((d) => fs.writeFile(file, data, options, d)),
  mkdir: (dir: string, options: fs.MakeDirectoryOptions) => call<string | undefined>((d) => fs.mkdir(dir, options, d)),
  mkdtemp: (prefix: string) => call<string>((d) => fs.mkdtemp(prefix, d)),
  readdir: (dir: string) => call<string[]>((d) => fs.readdir(dir, d)),
  rename: (from: string, to: string) => call<void>((d) => fs.rename(from, to, d)),
  rm: (file: string, options: fs.RmOptions) => call<void>((d) => fs.rm(file, options, d)),
  stat: (file: string) => call<fs.Stats>((d) => fs.stat(file, d)),
  open: async (file: string, flags: string, mode?: number): Promise<FileHandle> => handle(await call<number>((d) => fs.open(file, flags, mode, d))),
};
