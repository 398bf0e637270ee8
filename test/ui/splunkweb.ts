/**
 * A loopback stand-in for the parts of Splunk Web the configuration page uses:
 *   /en-US/app/TA-zerotrust-events/<view>        the view: its <html> panel in a page frame, with
 *                                                the view's script="…" loaded from static (in <head>,
 *                                                before the panel exists, as RequireJS runs it in Splunk)
 *   /en-US/static/app/TA-zerotrust-events/<file> appserver/static/<file>
 *   /en-US/splunkd/__raw/<path>                  Splunk Web's REST proxy: needs the session cookie
 *                                                (splunkd_<port>), and on every request but GET the
 *                                                X-Splunk-Form-Key header equal to the
 *                                                splunkweb_csrf_token_<port> cookie; forwards to splunkd
 *                                                with the session's key; 503 "Splunkd daemon is not
 *                                                responding" when splunkd does not answer.
 *                                                Only paths and methods an [expose:] stanza allows
 *                                                (Splunk's shipped web.conf plus the app's
 *                                                default/web.conf, given by the caller) are
 *                                                forwarded; anything else is Splunk Web's 404
 *                                                "Resource not found", as a real Splunk Web answers.
 * A web session maps to a splunkd session key (the admin's, or one from addSession()).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { compileExpose, exposedBy, type ExposeRule } from '../../src/build/lint/expose';

export const ROOT = path.resolve(__dirname, '..', '..');
const APP = 'TA-zerotrust-events';

export interface SplunkWeb {
  url: string;
  port: number;
  /** Cookies of a logged-in browser for the given splunkd session key. */
  login(splunkdSessionKey: string): { name: string; value: string; url: string }[];
  /** Every proxied REST call: method, splunkd path, status, and the bodies the browser sent and got. */
  proxied: { method: string; path: string; status: number; requestBody: string; responseBody: string }[];
  /** Every REST call refused because no [expose:] stanza allows it: method, splunkd path. */
  refused: { method: string; path: string }[];
  close(): Promise<void>;
}

function escHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The view as Splunk renders what matters here: label, description, <html> panels, script. */
function renderView(view: string): string | undefined {
  const file = path.join(ROOT, 'default', 'data', 'ui', 'views', `${view}.xml`);
  if (!fs.existsSync(file)) return undefined;
  const xml = fs.readFileSync(file, 'utf8');
  const label = /<label>([\s\S]*?)<\/label>/.exec(xml)?.[1] ?? view;
  const description = /<description>([\s\S]*?)<\/description>/.exec(xml)?.[1] ?? '';
  const panels = [...xml.matchAll(/<html>([\s\S]*?)<\/html>/g)].map((m) => `<div class="panel">${m[1]}</div>`).join('');
  const scripts = (/<(?:dashboard|form)\b[^>]*\sscript="([^"]+)"/.exec(xml)?.[1] ?? '').split(',').filter(Boolean)
    .map((s) => `<script src="/en-US/static/app/${APP}/${escHtml(s.trim())}"></script>`).join('');
  const sheets = (/<(?:dashboard|form)\b[^>]*\sstylesheet="([^"]+)"/.exec(xml)?.[1] ?? '').split(',').filter(Boolean)
    .map((s) => `<link rel="stylesheet" href="/en-US/static/app/${APP}/${escHtml(s.trim())}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${label} | Splunk</title>${sheets}${scripts}
<style>
body { margin: 0; background: #f2f4f5; font-family: Roboto, "Helvetica Neue", Arial, sans-serif; }
.bar { background: #171d21; color: #fff; padding: 10px 20px; font-size: 14px; }
.bar b { color: #65a637; }
.nav { background: #1f4e79; color: #fff; padding: 8px 20px; font-size: 14px; }
.nav span { margin-right: 18px; opacity: .9; }
.dash { padding: 16px 20px; }
.dash h1 { font-size: 22px; font-weight: 400; margin: 0 0 4px; }
.dash .desc { color: #5c6773; margin-bottom: 14px; font-size: 13px; }
.panel { background: #fff; padding: 16px; border: 1px solid #e1e6eb; }
</style></head><body>
<div class="bar"><b>splunk&gt;</b> Splunk Web stand-in &middot; App: Zero Trust events</div>
<div class="nav"><span>Overview</span><span>Illumio PCE</span><span>Prisma SaaS</span><span>Lacework Edge</span><span>Add-on health</span><span><u>Configuration</u></span></div>
<div class="dash"><h1>${label}</h1><div class="desc">${description}</div>${panels}</div>
</body></html>`;
}

export interface SplunkWebOptions {
  /** Every [expose:] stanza in effect: Splunk's shipped web.conf plus the apps' own. */
  expose: readonly ExposeRule[];
}

export async function startSplunkWeb(splunkdUrl: string, opts: SplunkWebOptions): Promise<SplunkWeb> {
  const exposed = compileExpose(opts.expose);
  const refused: SplunkWeb['refused'] = [];
  const sessions = new Map<string, string>(); // web session → splunkd session key
  const csrf = randomBytes(16).toString('hex');
  const proxied: SplunkWeb['proxied'] = [];
  const sockets = new Set<Socket>();
  let port = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void (async () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const cookies = new Map((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]));
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      const page = /^\/en-US\/app\/([^/]+)\/([^/]+)$/.exec(u.pathname);
      if (req.method === 'GET' && page && page[1] === APP) {
        const html = renderView(page[2]);
        return html ? send(200, 'text/html; charset=utf-8', html) : send(404, 'text/plain', 'Page not found');
      }
      const stat = /^\/en-US\/static\/app\/([^/]+)\/([A-Za-z0-9_.-]+)$/.exec(u.pathname);
      if (req.method === 'GET' && stat && stat[1] === APP) {
        const file = path.join(ROOT, 'appserver', 'static', stat[2]);
        if (!fs.existsSync(file)) return send(404, 'text/plain', 'Not found');
        const type = file.endsWith('.js') ? 'application/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
        return send(200, type, fs.readFileSync(file));
      }
      if (!u.pathname.startsWith('/en-US/splunkd/__raw/')) return send(404, 'text/plain', 'Not found');

      const jsonError = (status: number, text: string) => send(status, 'application/json', JSON.stringify({ messages: [{ type: 'ERROR', text }] }));
      const target = u.pathname.slice('/en-US/splunkd/__raw'.length);
      // Splunk Web checks the whitelist before it looks at the session or the form key.
      if (!exposedBy(exposed, req.method ?? 'GET', target.slice(1))) {
        refused.push({ method: req.method ?? 'GET', path: target });
        return send(404, 'text/html; charset=utf-8', `<html><body><h1>404 Not Found</h1><p>Resource not found: ${escHtml(target.slice(1))}</p></body></html>`);
      }
      const key = sessions.get(cookies.get(`splunkd_${port}`) ?? '');
      if (!key) return jsonError(401, 'Splunk Web session not found: log in.');
      if (req.method !== 'GET' && req.headers['x-splunk-form-key'] !== csrf) return jsonError(401, 'CSRF validation failed');
      let upstream: Response;
      try {
        upstream = await fetch(`${splunkdUrl}${target}${u.search}`, {
          method: req.method,
          headers: { Authorization: `Splunk ${key}`, ...(req.headers['content-type'] ? { 'Content-Type': req.headers['content-type'] } : {}) },
          ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        });
      } catch (e) {
        proxied.push({ method: req.method ?? 'GET', path: target, status: 503, requestBody: Buffer.concat(chunks).toString('utf8'), responseBody: '' });
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? 'no answer';
        return send(503, 'text/html; charset=utf-8', `<html><body><h1>503 Service Unavailable</h1><p>Splunkd daemon is not responding: ('Error connecting to ${escHtml(target)}: ${escHtml(cause)}',)</p></body></html>`);
      }
      const body = Buffer.from(await upstream.arrayBuffer());
      proxied.push({ method: req.method ?? 'GET', path: target, status: upstream.status, requestBody: Buffer.concat(chunks).toString('utf8'), responseBody: body.toString('utf8') });
      return send(upstream.status, upstream.headers.get('content-type') ?? 'application/json', body);
    })());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    proxied,
    refused,
    login(splunkdSessionKey) {
      const web = randomBytes(16).toString('hex');
      sessions.set(web, splunkdSessionKey);
      return [
        { name: `splunkd_${port}`, value: web, url },
        { name: `splunkweb_csrf_token_${port}`, value: csrf, url },
      ];
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
