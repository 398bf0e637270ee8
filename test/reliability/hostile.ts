/**
 * The hostile-server profile (issue 15): fake vendor servers on loopback that attack the add-on
 * the way a compromised or broken service would, each against bin/<scheme>.sh run as splunkd
 * runs it (stdin XML from a splunkd stand-in, $SPLUNK_HOME for the log file). Every place a
 * secret could surface is read: stdout (Splunk Web in validation), stderr (splunkd.log), the log.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logFileText, REPO, runLauncher, type SpawnResult } from '../support/launcher';
import { inputXml, itemsXml } from '../support/modinput-xml';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

export interface Launch {
  home: string;
  cpDir: string;
  splunkd: SplunkdStandIn;
  close(): Promise<void>;
}

export async function launchEnv(): Promise<Launch> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-hostile-home-'));
  fs.mkdirSync(path.join(home, 'var', 'log', 'splunk'), { recursive: true });
  const cpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-hostile-cp-'));
  const splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  return { home, cpDir, splunkd, close: async () => splunkd.close() };
}

export interface Ran extends SpawnResult {
  /** stdout + stderr + the add-on's log file: everything the process wrote. */
  all: string;
  log: string;
  ms: number;
}

/** Run mode, one stanza. */
export async function runInput(env: Launch, scheme: string, name: string, params: Record<string, string>): Promise<Ran> {
  const xml = inputXml({ serverUri: env.splunkd.url, sessionKey: env.splunkd.sessionKey, checkpointDir: env.cpDir }, { [`${scheme}://${name}`]: params });
  const started = Date.now();
  const r = await runLauncher(scheme, xml, env.home);
  const log = logFileText(env.home, scheme);
  return { ...r, log, all: `${r.stdout}\n${r.stderr}\n${log}`, ms: Date.now() - started };
}

/** --validate-arguments, as splunkd calls it when an admin saves the form. */
export function validateInput(env: Launch, scheme: string, name: string, params: Record<string, string>): Promise<Ran> {
  const xml = itemsXml({ serverUri: env.splunkd.url, sessionKey: env.splunkd.sessionKey, checkpointDir: env.cpDir }, name, params);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, TA_ZEROTRUST_NODE: process.execPath, SPLUNK_HOME: env.home };
    delete childEnv.TA_ZEROTRUST_APP_DIR;
    const child = spawn(path.join(REPO, 'bin', `${scheme}.sh`), ['--validate-arguments'], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const log = logFileText(env.home, scheme);
      resolve({ code, signal, stdout, stderr, events: [], killed: false, log, all: `${stdout}\n${stderr}\n${log}`, ms: Date.now() - started });
    });
    child.stdin.end(xml);
  });
}

/** Pieces (6+ characters) of `secret` and of base64 forms of it that appear in `text`. */
export function leaks(text: string, secret: string, id?: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64').replace(/=+$/, '')];
  if (id) forms.push(Buffer.from(`${id}:${secret}`).toString('base64').replace(/=+$/, ''));
  const found: string[] = [];
  for (const f of forms) {
    for (let i = 0; i + 8 <= f.length; i++) {
      if (text.includes(f.slice(i, i + 8))) {
        found.push(f.slice(i, i + 8));
        break;
      }
    }
  }
  return found;
}

export function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}
