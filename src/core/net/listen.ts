/**
 * Listening for our loopback servers (simulators, the standalone HEC receiver): a port that is
 * taken or not ours to bind becomes one sentence saying what to do, not an uncaught
 * EADDRINUSE stack.
 */
import type { Server } from 'node:net';

export class ListenError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'ListenError';
  }
}

export function listenMessage(what: string, host: string, port: number, code: string | undefined): string {
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `${what}: port ${port} on ${host} is already in use; stop what listens there or choose another port (--port, 0 picks a free one).`;
  if (code === 'EACCES') return `${what}: not allowed to listen on ${where} (ports below 1024 need privileges); choose a port of 1024 or more.`;
  if (code === 'EADDRNOTAVAIL') return `${what}: ${host} is not an address of this machine; listen on 127.0.0.1.`;
  return `${what}: cannot listen on ${where} (${code ?? 'error'}).`;
}

/** Resolves with the bound port once listening; rejects with a ListenError naming the cause. */
export function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(new ListenError(listenMessage(what, host, port, e.code), e.code));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** The catch of a command-line main: one line on stderr, exit 1 (a stack only for our own bugs). */
export function exitWithError(prefix: string): (e: unknown) => never {
  return (e: unknown) => {
    const msg = e instanceof ListenError || (e instanceof Error && !(e instanceof TypeError) && !(e instanceof ReferenceError))
      ? (e as Error).message : e instanceof Error ? e.stack ?? e.message : String(e);
    process.stderr.write(`${msg.startsWith(prefix) ? msg : `${prefix}: ${msg}`}\n`);
    process.exit(1);
  };
}
