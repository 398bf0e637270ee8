/**
 * `npm run bench -- protocol`, first half: a launcher's cold start for `--scheme` (splunkd runs
 * it for every input at start-up and whenever the inputs page opens), against a bare node. The
 * other half, event serialisation, is src/core/protocol/bench.ts.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { bundle } from '../build/bundle';
import { atMost, median, percentile, type Bench, type BenchResult } from '../core/bench';
import { SOURCE_MODULES } from '../sources';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = 20;

function timeSpawn(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Interleaves the commands so a busy host slows them alike: the difference between the
 * launcher and a bare node is then the launcher's own cost.
 */
function sample(commands: [string, string[]][], env: NodeJS.ProcessEnv): number[][] {
  // Two warm-ups so the page cache holds node and the bundle, as on a running Splunk host.
  for (const [cmd, args] of commands) {
    timeSpawn(cmd, args, env);
    timeSpawn(cmd, args, env);
  }
  const out: number[][] = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) commands.forEach(([cmd, args], j) => out[j].push(timeSpawn(cmd, args, env)));
  return out;
}

/**
 * CPU time (user + sys) per run of a command, from the shell's `times` over RUNS runs: unlike
 * wall time it hardly moves when other processes load the host.
 */
function cpuPerRun(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('/bin/sh', ['-c', `i=0; while [ $i -lt ${RUNS} ]; do ${quoted} >/dev/null 2>&1; i=$((i+1)); done; times`], { env, encoding: 'utf8' });
  // `times` prints the shell's own line, then its children's: "0m0.480000s 0m0.120000s".
  const children = r.stdout.trim().split('\n').pop() ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return ((secs[0] ?? NaN) + (secs[1] ?? NaN)) * 1000 / RUNS;
}

export const coldStart: Bench = async () => {
  await bundle();
  // One launcher stands for all: they differ only in the scheme name they pass on.
  const scheme = SOURCE_MODULES[0].inputs[0].description.scheme;
  const launcherCmd: [string, string[]] = [path.join(ROOT, 'bin', `${scheme}.sh`), ['--scheme']];
  const nodeCmd: [string, string[]] = [process.execPath, ['-e', '0']];
  // Timed in the environment splunkd gives an input: splunkd does not set NODE_EXTRA_CA_CERTS.
  // Where the build host sets it, Node parses every listed certificate at start-up (~90 ms here),
  // which says nothing about the launcher; that figure is reported separately below.
  const bare = { ...process.env };
  delete bare.NODE_EXTRA_CA_CERTS;
  const [launcher, node] = sample([launcherCmd, nodeCmd], bare);
  const med = median(launcher);
  const results: BenchResult[] = [
    { name: 'launcher_scheme_cold_start_median', value: med, unit: 'ms', ...atMost(med, 150) },
    { name: 'launcher_scheme_cold_start_p90', value: percentile(launcher, 90), unit: 'ms' },
    // The floor under the launcher: what a bare `node -e 0` costs on this host right now.
    { name: 'node_empty_start_median', value: median(node), unit: 'ms' },
    { name: 'launcher_overhead_over_node_median', value: median(launcher.map((v, i) => v - node[i])), unit: 'ms' },
    { name: 'launcher_scheme_cpu_per_run', value: cpuPerRun(...launcherCmd, bare), unit: 'ms' },
    { name: 'node_empty_cpu_per_run', value: cpuPerRun(...nodeCmd, bare), unit: 'ms' },
  ];
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const [withCa] = sample([launcherCmd], process.env);
    results.push({ name: 'launcher_scheme_cold_start_median_with_host_NODE_EXTRA_CA_CERTS', value: median(withCa), unit: 'ms' });
  }
  return results;
};

export const benches: Bench[] = [coldStart];
