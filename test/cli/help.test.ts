/**
 * Every command answers --help on stdout with exit 0 and its usage: the collector
 * (`npx ta-zerotrust`, its run and check), preview, the demo, package. preview's table format
 * shows the same values as its JSON (the contract), for people.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/ta-zerotrust';
import { goldenLines } from '../knowledge/support';

const ROOT = path.resolve(__dirname, '..', '..');
const tsx = (file: string, args: string[], input = '') => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });

async function collector(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(c.toString()); cb(); } });
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: {} });
  return { code, out, err };
}

test('npx ta-zerotrust --help, through the bin script', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ta-zerotrust.js'), '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('usage: ta-zerotrust run --config <collector.json> [--once]');
  expect(r.stdout).toContain('TA_ZEROTRUST_SECRET_HEC_TOKEN');
  expect(r.stdout).toContain('TA_ZEROTRUST_SECRET_<INPUT NAME>_<PARAM>');
}, 60_000);

test('ta-zerotrust: help for each command, in any position; errors still exit 2 on stderr', async () => {
  for (const argv of [['-h'], ['help'], ['run', '--config', 'x.json', '--help']]) {
    const r = await collector(argv);
    expect(r).toMatchObject({ code: 0, err: '' });
  }
  expect((await collector(['run', '--help'])).out).toMatch(/^usage: ta-zerotrust run --config <collector\.json> \[--once\]\n[\s\S]*--once\s+run every enabled input once/);
  expect((await collector(['check', '--help'])).out).toMatch(/^usage: ta-zerotrust check --config <collector\.json>\n[\s\S]*without contacting any server/);
  const bad = await collector(['frobnicate']);
  expect(bad.code).toBe(2);
  expect(bad.out).toBe('');
  expect(bad.err).toContain('unknown command "frobnicate"');
});

test('preview --help, and --format table for people', () => {
  const help = tsx('src/cli/preview.ts', ['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^usage: npm run preview -- --sourcetype <sourcetype>/);
  expect(help.stdout).toContain('--format table');

  const lines = goldenLines('lacework:edge:audit').slice(0, 3);
  const json = tsx('src/cli/preview.ts', ['--sourcetype', 'lacework:edge:audit'], `${lines.join('\n')}\n`).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const rows = tsx('src/cli/preview.ts', ['--sourcetype', 'lacework:edge:audit', '--format', 'table', '--fields', '_time,action,user,eventtype'], `${lines.join('\n')}\n`);
  expect(rows.status).toBe(0);
  const table = rows.stdout.trimEnd().split('\n');
  expect(table[0]).toMatch(/^_time\s+action\s+user\s+eventtype$/);
  expect(table).toHaveLength(4);
  json.forEach((o, i) => {
    const cells = table[i + 1].split(/\s{2,}/);
    expect(cells).toEqual([o._time, o.action, o.user, (o.eventtype as string[]).join(', ')]);
  });

  const vertical = tsx('src/cli/preview.ts', ['--sourcetype', 'lacework:edge:audit', '--format=table'], `${lines[0]}\n`);
  expect(vertical.stdout).toMatch(/^event 1\nfield\s+value\n_time\s+\S+\neventtype\s+/);
  for (const [k, v] of Object.entries(json[0])) {
    const shown = Array.isArray(v) ? v.join(', ') : String(v);
    if (shown) expect(vertical.stdout).toMatch(new RegExp(`^${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  }
  const wrong = tsx('src/cli/preview.ts', ['--sourcetype', 'lacework:edge:audit', '--format', 'csv']);
  expect(wrong.status).toBe(2);
  expect(wrong.stderr).toContain('--format must be json or table');
}, 120_000);

test('npm start -- --help and npm run package -- --help', () => {
  const demo = tsx('src/cli/demo.ts', ['--help']);
  expect(demo.status).toBe(0);
  expect(demo.stdout).toMatch(/^usage: npm start \[-- --standalone\]/);
  expect(demo.stdout).toContain('--standalone');
  const pkg = tsx('src/build/package.ts', ['--help']);
  expect(pkg.status).toBe(0);
  expect(pkg.stdout).toContain('dist/ta-zerotrust-collector-<version>.tgz');
}, 60_000);

test('bench, generate and soak answer --help without running', () => {
  const cases: [string, RegExp][] = [
    ['src/cli/bench.ts', /^usage: npm run bench \[-- <suite> …\]\nRuns the benches \(all, or the suites named: [a-z, ]+\)/],
    ['src/build/generate.ts', /^usage: npm run generate \[-- --check\]\n/],
    ['test/reliability/soak.ts', /^usage: \[SOAK_SEEDS=5\] \[SOAK_SCALE=10\] \[SOAK_KILLS=10\] npm run soak\n/],
  ];
  for (const [file, usage] of cases) {
    const r = tsx(file, ['--help']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(usage);
    // One short usage text: nothing was run or written.
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(3);
  }
}, 90_000);
