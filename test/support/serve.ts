/** A loopback HTTP(S) server for client tests that records every request it was sent. */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpClient, type CreateHttpClientOptions } from '../../src/core/http';
import type { HttpClient } from '../../src/core/types';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export interface TestServer {
  url: string;
  port: number;
  hits: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function serve(handler: Handler, tls?: { cert: string; key: string }): Promise<TestServer> {
  const hits: TestServer['hits'] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, hits.length);
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    hits,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/**
 * HTTP clients whose waits are recorded instead of slept (sleep and jitter injected), closed with
 * the servers the test started: call `closeAll` from afterEach.
 */
export function recordingClients(retries: number): {
  client(opts?: Partial<CreateHttpClientOptions>): { c: HttpClient; delays: number[] };
  servers: { close(): Promise<void> }[];
  closeAll(): Promise<void>;
} {
  const clients: HttpClient[] = [];
  const servers: { close(): Promise<void> }[] = [];
  return {
    servers,
    client(opts = {}) {
      const delays: number[] = [];
      const c = createHttpClient({
        verifyTls: true, timeoutMs: 5000, retry: { retries, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 },
        sleep: async (ms) => { delays.push(ms); },
        random: () => 0.5,
        ...opts,
      });
      clients.push(c);
      return { c, delays };
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(servers.splice(0).map((s) => s.close()));
    },
  };
}
