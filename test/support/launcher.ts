/**
 * Runs bin/<scheme>.sh the way splunkd does: `<input>` XML on stdin, the event stream on
 * stdout, WARN+ on stderr, the log file under $SPLUNK_HOME/var/log/splunk. Secrets come from the
 * loopback splunkd stand-in. A run can be killed with SIGKILL once it has written some events,
 * or from outside at any moment through `onSpawn` (the reliability suite kills on the
 * simulator's signal, i.e. between fetch and emit, or when the checkpoint file changes).
 * Moved here from test/lacework/spawn.ts, which re-exports it.
 */
import { HEALTH_SOURCETYPE } from '../../src/core/app';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundle } from '../../src/build/bundle';
import { escapeXmlAttr, escapeXmlText } from '../../src/core/protocol';

export const REPO = path.resolve(__dirname, '..', '..');

/** The bundle is built by jest's globalSetup; built here too when a single file runs without it. */
export async function ensureBundle(): Promise<void> {
  if (!fs.existsSync(path.join(REPO, 'bin', 'lib', 'modinput.js'))) await bundle();
}

export function inputXml(opts: { serverUri: string; sessionKey: string; checkpointDir: string; stanza: string; params: Record<string, string> }): string {
  const params = Object.entries(opts.params)
    .map(([k, v]) => `<param name="${escapeXmlAttr(k)}">${escapeXmlText(v)}</param>`).join('');
  return `<input><server_host>standin</server_host><server_uri>${escapeXmlText(opts.serverUri)}</server_uri>`
    + `<session_key>${escapeXmlText(opts.sessionKey)}</session_key><checkpoint_dir>${escapeXmlText(opts.checkpointDir)}</checkpoint_dir>`
    + `<configuration><stanza name="${escapeXmlAttr(opts.stanza)}">${params}</stanza></configuration></input>`;
}

export interface StreamedEvent { time?: string; sourcetype?: string; data: string }

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    switch (e) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    }
  });
}

/** Complete `<event>` elements only: a kill can cut the last one, which splunkd drops. */
export function parseEvents(stdout: string): StreamedEvent[] {
  const out: StreamedEvent[] = [];
  for (const m of stdout.matchAll(/<event [^>]*>([\s\S]*?)<done\/><\/event>/g)) {
    const body = m[1];
    const field = (name: string) => {
      const f = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body);
      return f ? unescapeXml(f[1]) : undefined;
    };
    const time = field('time');
    const sourcetype = field('sourcetype');
    // Each run ends with its health event (tested in test/soc); callers here count vendor events.
    if (sourcetype === HEALTH_SOURCETYPE) continue;
    out.push({ data: field('data') ?? '', ...(time !== undefined ? { time } : {}), ...(sourcetype !== undefined ? { sourcetype } : {}) });
  }
  return out;
}

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: StreamedEvent[];
  killed: boolean;
}

export interface LaunchOptions {
  /** SIGKILL as soon as this many complete events arrived. */
  killAfter?: number;
  /** Sees the child once spawned (its pid for /proc, or to kill it from outside). */
  onSpawn?: (child: ChildProcess) => void;
  env?: NodeJS.ProcessEnv;
  /** splunkd's arguments, e.g. --validate-arguments (none for a run). */
  args?: string[];
}

/** Runs the launcher; with killAfter, SIGKILLs it as soon as that many complete events arrived. */
export function runLauncher(scheme: string, xml: string, splunkHome: string, killAfterOrOpts?: number | LaunchOptions): Promise<SpawnResult> {
  const opts: LaunchOptions = typeof killAfterOrOpts === 'number' ? { killAfter: killAfterOrOpts } : killAfterOrOpts ?? {};
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TA_ZEROTRUST_NODE: process.execPath, SPLUNK_HOME: splunkHome, ...opts.env };
    // The app folder is the launcher's own unless the caller installs one elsewhere.
    if (!opts.env?.TA_ZEROTRUST_APP_DIR) delete env.TA_ZEROTRUST_APP_DIR;
    const child = spawn(path.join(REPO, 'bin', `${scheme}.sh`), opts.args ?? [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let complete = 0;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      complete += (c.match(/<\/event>/g) ?? []).length;
      if (opts.killAfter !== undefined && !killed && complete >= opts.killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events: parseEvents(stdout), killed: killed || signal === 'SIGKILL' }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(xml);
    opts.onSpawn?.(child);
  });
}

export function logFileText(splunkHome: string, scheme: string): string {
  const f = path.join(splunkHome, 'var', 'log', 'splunk', `ta_zerotrust_events_${scheme}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
}
