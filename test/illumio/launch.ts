/**
 * Spawns bin/illumio_pce_events.sh the way splunkd does: `<input>` (or `<items>` for
 * --validate-arguments) on stdin, the XML event stream on stdout, log lines on stderr.
 */
import { HEALTH_SOURCETYPE } from '../../src/core/app';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const LAUNCHER = path.join(ROOT, 'bin', 'illumio_pce_events.sh');
export const STANZA = 'illumio_pce_events://e2e';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function params(p: Record<string, string>): string {
  return Object.entries(p).map(([k, v]) => `      <param name="${esc(k)}">${esc(v)}</param>`).join('\n');
}

export interface Session { serverUri: string; sessionKey: string; checkpointDir: string }

/** The connection block splunkd puts before the configuration in both documents. */
function sessionXml(s: Session): string {
  return `  <server_host>e2e</server_host>
  <server_uri>${esc(s.serverUri)}</server_uri>
  <session_key>${esc(s.sessionKey)}</session_key>
  <checkpoint_dir>${esc(s.checkpointDir)}</checkpoint_dir>`;
}

export function inputXml(s: Session, p: Record<string, string>, stanza = STANZA): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<input>
${sessionXml(s)}
  <configuration>
    <stanza name="${esc(stanza)}" app="TA-zerotrust-events">
${params({ interval: '300', index: 'main', ...p })}
    </stanza>
  </configuration>
</input>
`;
}

export function validationXml(s: Session, p: Record<string, string>, name = 'e2e'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<items>
${sessionXml(s)}
  <item name="${esc(name)}">
${params(p)}
  </item>
</items>
`;
}

export interface Launched {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Complete `<event>` lines seen on stdout. */
  events: StreamEvent[];
  killed: boolean;
}

export interface StreamEvent { stanza: string; time?: number; data: string; sourcetype?: string; index?: string; source?: string }

const ENT: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
function unescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (m) =>
    ENT[m] ?? String.fromCodePoint(m[2] === 'x' ? parseInt(m.slice(3, -1), 16) : parseInt(m.slice(2, -1), 10)));
}

/** The complete events of a (possibly cut-off) stream; a line cut by a kill is not an event. */
export function parseStream(stdout: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^<event stanza="([^"]*)" unbroken="1">(.*)<done\/><\/event>$/.exec(line.replace(/^<stream>/, ''));
    if (!m) continue;
    const field = (n: string) => { const f = new RegExp(`<${n}>([^<]*)</${n}>`).exec(m[2]); return f ? unescape(f[1]) : undefined; };
    const time = field('time');
    // Each run ends with its health event (tested in test/soc); callers here count vendor events.
    if (field('sourcetype') === HEALTH_SOURCETYPE) continue;
    out.push({
      stanza: unescape(m[1]), data: field('data') ?? '', sourcetype: field('sourcetype'), index: field('index'), source: field('source'),
      ...(time !== undefined ? { time: Number(time) } : {}),
    });
  }
  return out;
}

export function launch(stdin: string, opts: { args?: string[]; killAfterEvents?: number; launcher?: string } = {}): Promise<Launched> {
  const env = { ...process.env };
  delete env.SPLUNK_HOME;
  const child = spawn(opts.launcher ?? LAUNCHER, opts.args ?? [], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed = false;
  let complete = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    if (opts.killAfterEvents !== undefined && !killed) {
      complete += (d.match(/<\/event>\n/g) ?? []).length;
      if (complete >= opts.killAfterEvents) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { stderr += d; });
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events: parseStream(stdout), killed }));
  });
}

export function hrefOf(e: StreamEvent): string {
  return String((JSON.parse(e.data) as { href: string }).href);
}
