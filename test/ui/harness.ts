/**
 * What the configuration page tests run against: the system Chromium (driven by playwright-core),
 * the splunkd stand-in with splunkd's external validation (bin/<scheme>.sh --validate-arguments,
 * spawned with the <items> XML as splunkd does), and the Splunk Web stand-in in front of it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { exposeRulesOf, type ExposeRule } from '../../src/build/lint/expose';
import { ACCOUNTS_CONF } from '../../src/core/account';
import { parseConf, toMap } from '../../src/core/conf/parse';
import { webExposes } from '../../src/facts';
import { inputXml, runLauncher, type SpawnResult } from '../support/launcher';
import { itemsXml, utf16be } from '../support/modinput-xml';
import { startSplunkd, type InputValidator, type SplunkdStandIn } from '../support/splunkd';
import { ROOT, startSplunkWeb, type SplunkWeb } from './splunkweb';

export const CHROMIUM = '/usr/bin/chromium';
/**
 * The tests always take the screenshots; they replace the committed ones in docs/screenshots/
 * only with UPDATE_SCREENSHOTS=1 (ports in the page differ on every run), else they go to the
 * gitignored test/ui/out/.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(ROOT, 'test', 'ui', 'out', 'screenshots');
const SETTINGS = 'ta_zerotrust_events_settings';
/** The app's confs the inputs read from its default/ and local/ (splunkd writes REST edits to local/). */
const APP_CONFS = [SETTINGS, ACCOUNTS_CONF];

/**
 * The [expose:] stanzas a Splunk Web with this app installed applies: Splunk's shipped web.conf
 * (committed facts, src/facts) plus the app's default/web.conf.
 */
export function exposeRules(root = ROOT): ExposeRule[] {
  const shipped = Object.entries(webExposes())
    .map(([name, e]): ExposeRule => ({ name: `expose:${name}`, pattern: e.pattern, methods: e.methods.join(',') }));
  const own = exposeRulesOf(toMap(parseConf(fs.readFileSync(path.join(root, 'default', 'web.conf'), 'utf8'), 'default/web.conf')));
  // Stanzas merge by name across layers, an app's over Splunk's.
  return [...new Map([...shipped, ...own].map((r) => [r.name, r])).values()];
}

/** Never skipped: a machine without the browser fails with what to install. */
export async function launchChromium(executablePath = CHROMIUM): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} not found: install chromium (apt-get install chromium)`);
  // playwright-core starts the browser on a fresh temporary --user-data-dir of its own and
  // removes it on close (it refuses the flag in args for that reason).
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

export interface ValidationRun {
  scheme: string;
  name: string;
  params: Record<string, string>;
  message?: string;
}

export interface Harness {
  splunkd: SplunkdStandIn;
  web: SplunkWeb;
  validations: ValidationRun[];
  /** Where the validation runs read default/ and local/ settings from. */
  appDir: string;
  /** One run of the input as splunkd starts it (bin/<scheme>.sh, its stanza as saved now). */
  runInput(stanza: string): Promise<SpawnResult>;
  close(): Promise<void>;
}

export async function startHarness(opts: { expose?: ExposeRule[] } = {}): Promise<Harness> {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-ui-app-'));
  fs.mkdirSync(path.join(appDir, 'default'));
  const shipped = APP_CONFS.filter((f) => fs.existsSync(path.join(ROOT, 'default', `${f}.conf`)));
  for (const f of shipped) fs.copyFileSync(path.join(ROOT, 'default', `${f}.conf`), path.join(appDir, 'default', `${f}.conf`));
  const validations: ValidationRun[] = [];
  let splunkd: SplunkdStandIn | undefined;
  // splunkd keeps REST edits of a conf in the app's local/; the script reads them from there.
  const writeLocalSettings = () => {
    const local = path.join(appDir, 'local');
    fs.mkdirSync(local, { recursive: true });
    for (const file of APP_CONFS) {
      const text = splunkd!.stanzas(file).map((s) => [s, splunkd!.conf(file, s)] as const)
        .filter(([, v]) => v).map(([s, v]) => `[${s}]\n${Object.entries(v!).map(([k, x]) => `${k} = ${x}`).join('\n')}\n`).join('\n');
      fs.writeFileSync(path.join(local, `${file}.conf`), text);
    }
  };
  const validate: InputValidator = (scheme, name, params) => new Promise((resolve) => {
    writeLocalSettings();
    const proc = spawn(path.join(ROOT, 'bin', `${scheme}.sh`), ['--validate-arguments'], {
      env: { ...process.env, TA_ZEROTRUST_APP_DIR: appDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    proc.stderr.resume();
    proc.stdin.on('error', () => undefined);
    proc.stdin.end(utf16be(itemsXml({ serverUri: splunkd!.url, sessionKey: splunkd!.sessionKey, checkpointDir: path.join(appDir, 'modinputs', scheme) }, name, params)));
    proc.on('close', (code) => {
      const said = /<message>([\s\S]*?)<\/message>/.exec(stdout)?.[1]
        ?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
      const message = code === 0 ? undefined : said ?? `script running failed (PID ${proc.pid} exited with code ${code})`;
      validations.push({ scheme, name, params, ...(message !== undefined ? { message } : {}) });
      resolve(message);
    });
  });
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events', validate, meta: fs.readFileSync(path.join(ROOT, 'metadata', 'default.meta'), 'utf8') });
  // What splunkd serves from the app's default/ layer.
  for (const file of shipped) {
    const defaults = parseConf(fs.readFileSync(path.join(ROOT, 'default', `${file}.conf`), 'utf8'));
    for (const [stanza, values] of toMap(defaults)) splunkd.setConf(file, stanza, Object.fromEntries(values));
  }
  const web = await startSplunkWeb(splunkd.url, { expose: opts.expose ?? exposeRules() });
  const h: Harness = {
    splunkd,
    web,
    validations,
    appDir,
    runInput: async (stanza) => {
      const scheme = stanza.split('://')[0];
      const params = h.splunkd.conf('inputs', stanza);
      if (!params) throw new Error(`no stanza [${stanza}] in inputs.conf`);
      const home = path.join(appDir, 'splunk-home');
      fs.mkdirSync(home, { recursive: true });
      const xml = inputXml({ serverUri: splunkd!.url, sessionKey: splunkd!.sessionKey, checkpointDir: path.join(appDir, 'modinputs', scheme), stanza, params });
      return runLauncher(scheme, xml, home);
    },
    close: async () => {
      await web.close();
      await splunkd!.close().catch(() => undefined);
      fs.rmSync(appDir, { recursive: true, force: true });
    },
  };
  return h;
}
