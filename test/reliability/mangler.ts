/**
 * A loopback reverse proxy in front of a simulator that puts bytes which are not UTF-8 on the
 * wire: every occurrence of BAD_UTF8_MARKER in a response body becomes as many bytes of broken
 * sequences (a lone continuation byte, a truncated 3-byte sequence, 0xFF), so lengths and
 * Content-Length stay right and only the encoding is wrong.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BAD_UTF8_MARKER } from './inputs';

const MARKER = Buffer.from(BAD_UTF8_MARKER);
const BAD = Buffer.alloc(MARKER.length, 0);
{
  const pattern = [0xff, 0x80, 0xe2, 0x82, 0xc3, 0x28, 0xfe];
  for (let i = 0; i < BAD.length; i++) BAD[i] = pattern[i % pattern.length];
}

function mangle(body: Buffer): Buffer {
  let at = body.indexOf(MARKER);
  if (at < 0) return body;
  const out = Buffer.from(body);
  while (at >= 0) {
    BAD.copy(out, at);
    at = out.indexOf(MARKER, at + MARKER.length);
  }
  return out;
}

export interface Mangler { url: string; mangled: number; close(): Promise<void> }

export async function startMangler(target: string): Promise<Mangler> {
  const t = new URL(target);
  const state = { mangled: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => {
          const raw = Buffer.concat(body);
          const out = mangle(raw);
          if (out !== raw) state.mangled += 1;
          const headers = { ...r.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(out.length);
          res.writeHead(r.statusCode ?? 502, headers);
          res.end(out);
        });
        r.on('error', () => res.destroy());
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get mangled() { return state.mangled; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
