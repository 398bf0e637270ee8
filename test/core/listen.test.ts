/**
 * The simulators' command lines on a busy port: one line saying what to do, exit 1, no stack.
 * `--help` prints the options and exits 0 without listening.
 */
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const MAINS: [string, string][] = [
  ['Illumio PCE simulator', 'src/sources/illumio/simulator/main.ts'],
  ['Prisma SaaS simulator', 'src/sources/prisma/simulator/main.ts'],
  ['Lacework Edge simulator', 'src/sources/lacework/simulator/cli.ts'],
];

function run(file: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

test.each(MAINS)('%s: a busy port is one line on stderr', async (what, file) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = run(file, ['--port', String(port)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${what}: port ${port} on 127.0.0.1 is already in use; stop what listens there or choose another port (--port, 0 picks a free one).\n`);
    expect(r.stdout).toBe('');
  } finally {
    blocker.close();
  }
}, 90_000);

test.each(MAINS)('%s: --help', (_what, file) => {
  const r = run(file, ['--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^usage: npx tsx src\/sources\/.*\n/);
  expect(r.stdout).toContain('--port N');
}, 90_000);
