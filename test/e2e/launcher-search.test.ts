/**
 * bin/<scheme>.sh's Node search, run by the real /bin/sh with fake `node` programs in temp dirs:
 * each fake answers `--version` like Node and otherwise prints who it is and what it was given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const SCHEMES = ['illumio_pce_events', 'prisma_saas_log_events', 'lacework_edge_audit', 'lacework_edge_alerts'];

let tmp: string;
let app: string;
let tools: string;

function write(file: string, text: string, mode = 0o644): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
  return file;
}

function fakeNode(file: string, version: string, label: string): string {
  return write(file, `#!/bin/sh
if [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi
echo "label=${label}"
for a in "$@"; do echo "arg=$a"; done
echo "ld=\${LD_LIBRARY_PATH-<unset>}"
`, 0o755);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  label?: string;
  args: string[];
}

function launch(env: Record<string, string>, args: string[] = ['--scheme'], scheme = 'illumio_pce_events'): Run {
  const r = spawnSync(path.join(app, 'bin', `${scheme}.sh`), args, {
    env: { PATH: tools, LD_LIBRARY_PATH: '/opt/splunk/lib', ...env },
    encoding: 'utf8',
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    label: /^label=(.*)$/m.exec(r.stdout)?.[1],
    args: [...r.stdout.matchAll(/^arg=(.*)$/gm)].map((m) => m[1]),
  };
}

function platformDir(): string {
  const m = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? (process.platform === 'darwin' ? 'arm64' : 'aarch64') : os.arch();
  return `${process.platform}_${m}`;
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-launcher-'));
  app = path.join(tmp, 'TA-zerotrust-events');
  fs.mkdirSync(path.join(app, 'bin'), { recursive: true });
  for (const f of fs.readdirSync(path.join(REPO, 'bin')).filter((n) => n.endsWith('.sh'))) {
    fs.copyFileSync(path.join(REPO, 'bin', f), path.join(app, 'bin', f));
    fs.chmodSync(path.join(app, 'bin', f), fs.statSync(path.join(REPO, 'bin', f)).mode);
  }
  write(path.join(app, 'bin', 'lib', 'modinput.js'), '// stand-in: the fake nodes never read it\n');
  // Nothing on PATH by default, not even uname (splunkd's PATH may be that bare), so the
  // machine's real node can never answer.
  tools = path.join(tmp, 'tools');
  fs.mkdirSync(tools);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('each launcher is executable and execs the bundle with its scheme and splunkd\'s argv unchanged', () => {
  const dir = path.join(tmp, 'pathnode');
  fakeNode(path.join(dir, 'node'), 'v20.11.1', 'path');
  for (const scheme of SCHEMES) {
    expect(fs.statSync(path.join(REPO, 'bin', `${scheme}.sh`)).mode & 0o111).toBe(0o111);
    const r = launch({ PATH: `${tools}:${dir}` }, ['--validate-arguments', 'two words', ''], scheme);
    expect(r.status).toBe(0);
    expect(r.args).toEqual(['--max-semi-space-size=2', '--no-flush-bytecode', path.join(fs.realpathSync(app), 'bin', 'lib', 'modinput.js'), scheme, '--validate-arguments', 'two words', '']);
  }
});

test('search order: app runtime, then [node] path, then TA_ZEROTRUST_NODE, then $SPLUNK_HOME/bin/node, then PATH', () => {
  const splunkHome = path.join(tmp, 'splunk');
  fakeNode(path.join(splunkHome, 'bin', 'node'), 'v18.17.0', 'splunk');
  const pathDir = path.join(tmp, 'pathnode');
  fakeNode(path.join(pathDir, 'node'), 'v22.1.0', 'path');
  const envNode = fakeNode(path.join(tmp, 'env', 'node'), 'v20.0.0', 'env');
  const confNode = fakeNode(path.join(tmp, 'conf dir', 'node'), 'v21.0.0', 'conf');
  const env = { PATH: `${tools}:${pathDir}`, SPLUNK_HOME: splunkHome, TA_ZEROTRUST_NODE: envNode };

  expect(launch({ PATH: `${tools}:${pathDir}` }).label).toBe('path');
  expect(launch({ PATH: `${tools}:${pathDir}`, SPLUNK_HOME: splunkHome }).label).toBe('splunk');
  expect(launch(env).label).toBe('env');
  write(path.join(app, 'default', 'ta_zerotrust_events_settings.conf'), `[logging]\npath = /wrong/stanza\n\n[node]\npath = ${confNode}\n`);
  expect(launch(env).label).toBe('conf');
  fakeNode(path.join(app, platformDir(), 'bin', 'node'), 'v20.0.0', 'shipped');
  expect(launch(env).label).toBe('shipped');
});

test('[node] path in local/ overrides default/, CRLF and spaces around = are fine', () => {
  const a = fakeNode(path.join(tmp, 'a', 'node'), 'v20.0.0', 'default');
  const b = fakeNode(path.join(tmp, 'b b', 'node'), 'v20.0.0', 'local');
  write(path.join(app, 'default', 'ta_zerotrust_events_settings.conf'), `[node]\npath = ${a}\n`);
  expect(launch({}).label).toBe('default');
  write(path.join(app, 'local', 'ta_zerotrust_events_settings.conf'), `# admin's choice\r\n[node]\r\n  path=   ${b}  \r\n`);
  expect(launch({}).label).toBe('local');
});

test('a configured path that is not usable is reported on stderr and the search goes on', () => {
  const pathDir = path.join(tmp, 'pathnode');
  fakeNode(path.join(pathDir, 'node'), 'v20.0.0', 'path');
  write(path.join(app, 'local', 'ta_zerotrust_events_settings.conf'), '[node]\npath = /nonexistent/node\n');
  const r = launch({ PATH: `${tools}:${pathDir}` });
  expect(r.label).toBe('path');
  expect(r.stderr).toMatch(/^WARN TA-zerotrust-events: \[node\] path = \/nonexistent\/node .*unusable/);
});

test('versions below 18.17 are skipped wherever they are found; 18.17 and later are taken', () => {
  const old1 = path.join(tmp, 'old1');
  const old2 = path.join(tmp, 'old2');
  const good = path.join(tmp, 'good');
  fakeNode(path.join(old1, 'node'), 'v8.11.4', 'old1');
  fakeNode(path.join(old2, 'node'), 'v18.16.1', 'old2');
  fakeNode(path.join(good, 'node'), 'v18.17.0', 'good');
  const splunkHome = path.join(tmp, 'splunk');
  fakeNode(path.join(splunkHome, 'bin', 'node'), 'v16.20.0', 'splunk');
  const r = launch({ PATH: `${tools}:${old1}:${old2}:${good}`, SPLUNK_HOME: splunkHome, TA_ZEROTRUST_NODE: path.join(old1, 'node') });
  expect(r.label).toBe('good');
  fakeNode(path.join(good, 'node'), 'v100.0.0', 'future');
  expect(launch({ PATH: `${tools}:${old1}:${good}` }).label).toBe('future');
  // Not a Node at all: a version it cannot read.
  fakeNode(path.join(good, 'node'), 'something else', 'odd');
  expect(launch({ PATH: `${tools}:${good}` }).status).toBe(1);
});

test('LD_LIBRARY_PATH from splunkd is cleared before node starts', () => {
  const dir = path.join(tmp, 'pathnode');
  fakeNode(path.join(dir, 'node'), 'v20.0.0', 'path');
  const r = launch({ PATH: `${tools}:${dir}` });
  expect(r.stdout).toMatch(/^ld=<unset>$/m);
});

test('nothing usable: one ERROR line on stderr naming every place and what to install, exit 1', () => {
  const splunkHome = path.join(tmp, 'splunk');
  fakeNode(path.join(splunkHome, 'bin', 'node'), 'v8.11.4', 'splunk');
  const r = launch({ SPLUNK_HOME: splunkHome, TA_ZEROTRUST_NODE: '/no/such/node' });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ERROR TA-zerotrust-events: no Node\.js >= 18\.17 found \(looked in: .*\); install Node\.js 18\.17 or later, or set \[node\] path in local\/ta_zerotrust_events_settings\.conf$/);
  expect(lines[0]).toContain('[node] path: not set');
  expect(lines[0]).toContain('TA_ZEROTRUST_NODE: /no/such/node');
  expect(lines[0]).toContain(`${splunkHome}/bin/node (v8.11.4, too old)`);
  expect(lines[0]).toContain('PATH: no node');
});

test('a shipped runtime that cannot run on this host is not used, and says so', () => {
  const other = platformDir() === 'linux_x86_64' ? 'linux_aarch64' : 'linux_x86_64';
  // An ELF header of another machine: exec fails (ENOEXEC), so it never answers --version.
  const elf = Buffer.alloc(64);
  elf.write('\x7fELF', 0, 'latin1');
  elf.writeUInt8(2, 4);
  elf.writeUInt8(1, 5);
  elf.writeUInt16LE(other === 'linux_aarch64' ? 183 : 62, 0x12);
  write(path.join(app, other, 'bin', 'node'), elf.toString('latin1'), 0o755);
  const r = launch({});
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`app runtime ${other}/bin/node: missing, not executable or not Node.js`);
});

test('the shipped runtime is found without uname (or anything else) on PATH', () => {
  expect(spawnSync('/bin/sh', ['-c', 'command -v uname'], { env: { PATH: tools }, encoding: 'utf8' }).status).toBe(127);
  fakeNode(path.join(app, platformDir(), 'bin', 'node'), 'v20.0.0', 'shipped');
  const r = launch({ PATH: tools });
  expect([r.status, r.label]).toEqual([0, 'shipped']);
});

test('an app without its build says what is missing instead of a Node stack trace', () => {
  fs.rmSync(path.join(app, 'bin', 'lib'), { recursive: true });
  const dir = path.join(tmp, 'pathnode');
  fakeNode(path.join(dir, 'node'), 'v20.0.0', 'path');
  const r = launch({ PATH: `${tools}:${dir}` });
  expect(r.status).toBe(1);
  expect(r.label).toBeUndefined();
  expect(r.stderr).toMatch(/^ERROR TA-zerotrust-events: .*bin\/lib\/modinput\.js is missing/);
});
