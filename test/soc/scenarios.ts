/**
 * Crafted situations the demo does not produce, each made the way it happens in production:
 * input runs that fail (a launcher without Node.js, a PCE refusing the API key) through the real
 * launchers, and vendor events rendered by our simulators' generators with the fields that
 * matter set by hand (a burst of failed logins from one client, logouts, a late event).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamReader } from '../../src/cli/demo';
import { escapeXmlAttr, escapeXmlText } from '../../src/core/protocol';
import { startIllumioSimulator } from '../../src/sources/illumio/simulator';
import { RawEvent, ROOT } from './data';

export function inputXml(stanza: string, params: Record<string, string>, checkpointDir: string): string {
  const ps = Object.entries(params).map(([k, v]) => `<param name="${escapeXmlAttr(k)}">${escapeXmlText(v)}</param>`).join('');
  return `<input><server_host>soc</server_host><checkpoint_dir>${escapeXmlText(checkpointDir)}</checkpoint_dir>`
    + `<configuration><stanza name="${escapeXmlAttr(stanza)}">${ps}</stanza></configuration></input>`;
}

/** Runs bin/<scheme>.sh as splunkd does and returns the events of its `<stream>`. */
export function runLauncher(scheme: string, xml: string, env: NodeJS.ProcessEnv): Promise<{ events: RawEvent[]; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const events: RawEvent[] = [];
    const reader = new StreamReader((meta, data) => {
      events.push({ raw: data, sourcetype: meta.sourcetype, source: meta.source ?? `${scheme}://?`, index: meta.index ?? 'main', host: meta.host, time: meta.time === undefined ? undefined : Number(meta.time) });
    });
    const child = spawn(path.join(ROOT, 'bin', `${scheme}.sh`), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => reader.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (reader.error) return reject(new Error(`${scheme}: stream is not well-formed XML: ${reader.error}`));
      resolve({ events, code, stderr });
    });
    child.stdin.end(xml);
  });
}

/** A directory whose only programs are the few the launcher's failure path uses: no node. */
function noNodePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-nonode-'));
  for (const tool of ['sed', 'date', 'uname']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (found) fs.symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

export interface FailedRuns {
  /** Health events of: a launcher that found no Node.js; a run the PCE refused (wrong secret). */
  noNode: RawEvent[];
  refused: RawEvent[];
  secret: string;
  stderr: string;
}

export async function failedRuns(): Promise<FailedRuns> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-fail-'));
  const bin = noNodePath();
  const noNode = await runLauncher('lacework_edge_audit', inputXml('lacework_edge_audit://tenant', { index: 'main', interval: '300', base_url: 'https://x.example.net', api_token: 'unused' }, tmp), { PATH: bin });
  const sim = await startIllumioSimulator({ events: [{ count: 5, fromMs: Date.now() - 3_600_000, toMs: Date.now() - 60_000 }] });
  const secret = 'wrong-secret-5f4e3d2c1b';
  try {
    const refused = await runLauncher('illumio_pce_events', inputXml('illumio_pce_events://prod', {
      pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: secret, interval: '300', index: 'main',
    }, tmp), { ...process.env, SPLUNK_HOME: path.join(tmp, 'splunk'), TA_ZEROTRUST_NODE: process.execPath, TA_ZEROTRUST_APP_DIR: '' });
    return { noNode: noNode.events, refused: refused.events, secret, stderr: noNode.stderr + refused.stderr };
  } finally {
    await sim.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
  }
}
