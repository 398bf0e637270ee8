import { spawn, type SpawnOptions } from 'node:child_process';

export interface ProcessResult { code: number | null; out: string; err: string }

/** Runs a command to its end, collecting stdout and stderr as text. */
export function runProcess(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
