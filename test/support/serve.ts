/** A loopback HTTP(S) server for client tests that records every request it was sent. */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

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
