/**
 * The faults that are about the process: each input's launcher (bin/<scheme>.sh) spawned as
 * splunkd spawns it, with the secret typed in clear on the first run (the runtime moves it to
 * storage/passwords of the splunkd stand-in and masks inputs.conf), killed with SIGKILL at
 * random points — right after the simulator answered a read (between fetch and emit), after the
 * nth event reached stdout (between emit and checkpoint), right after the checkpoint file
 * changed — then rerun until a run ends cleanly. Every place the secret could leak is read:
 * stdout, stderr, the log file under $SPLUNK_HOME, /proc/<pid>/cmdline and environ of the running
 * process, every file under the checkpoint dir (checkpoints, spools), the stand-in's inputs.conf.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { MASK } from '../../src/core/description';
import { inputXml, logFileText, runLauncher, type SpawnResult } from '../support/launcher';
import { startSplunkd } from '../support/splunkd';
import { MIN, type InputUnderTest, type SimHandle } from './inputs';
import { rng, type CaseResult } from './matrix';

export type KillPoint = 'after fetch' | 'after emit' | 'after checkpoint';

export interface Leak { where: string; secret: string }

export interface SpawnedOutcome {
  cases: CaseResult[];
  leaks: Leak[];
  /** Where the scan looked, with how many bytes/files, so a test can see it looked at all. */
  scanned: Record<string, number>;
  /** /proc showed the running node process (its argv names the bundled entry). */
  procSeen: boolean;
  /** The stand-in after the first run: secret stored, conf masked. */
  stored: boolean;
  masked: boolean;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

function readProc(pid: number | undefined, what: 'cmdline' | 'environ'): string {
  try {
    return pid ? fs.readFileSync(`/proc/${pid}/${what}`, 'latin1').replace(/\0/g, ' ') : '';
  } catch {
    return '';
  }
}

/** Polls until `cond` holds or the child is gone; then SIGKILLs it. */
function killWhen(child: ChildProcess, cond: () => boolean): void {
  const t = setInterval(() => {
    if (child.exitCode !== null || child.signalCode !== null) return clearInterval(t);
    if (cond()) {
      clearInterval(t);
      child.kill('SIGKILL');
    }
  }, 2);
}

export async function runSpawnedCase(input: InputUnderTest, seed: number, kills: number): Promise<SpawnedOutcome> {
  const r = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-home-'));
  fs.mkdirSync(path.join(home, 'var', 'log', 'splunk'), { recursive: true });
  const cpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-cp-'));
  const splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: [...(input.collections ?? [])] });
  const sim: SimHandle = await input.start({ small: true });
  const cases: CaseResult[] = [];
  const proc: string[] = [];
  const outputs: SpawnResult[] = [];
  const inFlight: string[] = [];
  try {
    const now = Date.now();
    sim.add(int(20, 40), now - 150 * MIN);
    sim.add(int(20, 40), now - 90 * MIN);
    sim.add(int(20, 40), now - 30 * MIN);
    // Pacing only: each read answers a little late, so a kill lands inside the run.
    sim.inject({ kind: 'slow', delayMs: 25, times: 100_000, after: 0 });
    const clear = sim.params({ start_date: '-3h', window: '900', max_results: '15', ...input.spawnParams });
    const secret = String(clear[sim.secretParam]);
    splunkd.setConf('inputs', input.stanza, { [sim.secretParam]: secret });
    const masked = { ...clear, [sim.secretParam]: MASK };
    const checkpointFiles = () => filesUnder(cpDir).filter((f) => f.endsWith('.json'));
    const mtimes = () => checkpointFiles().map((f) => fs.statSync(f).mtimeMs).join(',');

    const spawnRun = async (params: Record<string, string>, point?: KillPoint): Promise<SpawnResult> => {
      const xml = inputXml({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: cpDir, stanza: input.stanza, params });
      const nth = int(1, 3);
      const before = sim.dataRequests();
      const cpBefore = mtimes();
      const res = await runLauncher(input.scheme, xml, home, {
        ...(point === 'after emit' ? { killAfter: int(1, 12) } : {}),
        onSpawn: (child) => {
          // The launcher execs node; read its argv and environment while it runs.
          const look = () => proc.push(readProc(child.pid, 'cmdline'), readProc(child.pid, 'environ'));
          // (The launcher execs node, so the pid is the node process itself, not a parent shell.)
          setTimeout(look, 50);
          setTimeout(look, 300);
          if (point === 'after fetch') killWhen(child, () => sim.dataRequests() - before >= nth);
          if (point === 'after checkpoint') killWhen(child, () => mtimes() !== cpBefore);
        },
      });
      outputs.push(res);
      // A destructive read in flight when the process died: the body existed only in its memory.
      if (res.signal === 'SIGKILL' && sim.dataRequests() > before) inFlight.push(...sim.lastDequeued());
      if (process.env.ZT_REL_DEBUG) process.stderr.write(`${input.scheme} ${point ?? 'recovery'}: code=${res.code} signal=${res.signal} events=${res.events.length} stderr=${res.stderr.slice(0, 300)}\n`);
      return res;
    };

    const runs: { res: SpawnResult; point?: KillPoint }[] = [];
    const points: KillPoint[] = ['after fetch', 'after emit', 'after checkpoint'];
    const shift = int(0, 2);
    for (let k = 0; k < kills; k++) {
      const point = points[(k + shift) % 3];
      runs.push({ res: await spawnRun(k === 0 ? clear : masked, point), point });
    }
    const stored = splunkd.getPassword(input.stanza, sim.secretParam) === secret;
    const maskedConf = splunkd.conf('inputs', input.stanza)?.[sim.secretParam] === MASK;
    let last: SpawnResult | undefined;
    for (let i = 0; i < 6; i++) {
      last = await spawnRun(masked);
      runs.push({ res: last });
      if (last.code === 0 && last.events.length === 0) break;
    }

    // A state input is judged by the state the last run left (its events, or the KV store).
    const observed = input.snapshot
      ? input.snapshot(last?.events.map((e) => e.data) ?? [], (c) => [...splunkd.kv(c).values()])
      : runs.flatMap(({ res }) => res.events.map((e) => e.data));
    const delivered = observed.flatMap((d) => input.idsOf(d));
    const counts = new Map<string, number>();
    for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
    const expected = sim.expected();
    const serviceLost = new Set(sim.serviceLost());
    // Dequeued by a killed process and never delivered: lost with the process (the window
    // between the service's dequeue and the spool fsync), counted apart from collector losses.
    const missing = expected.filter((id) => !counts.has(id));
    const inFlightSet = new Set(inFlight);
    for (const id of missing) if (inFlightSet.has(id)) serviceLost.add(id);
    const lost = missing.filter((id) => !inFlightSet.has(id));
    const phantom = [...counts.keys()].filter((id) => !expected.includes(id) && !serviceLost.has(id));
    const repeats = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    const killed = runs.filter((x) => x.point && x.res.signal === 'SIGKILL');
    const problems: string[] = [];
    if (last?.code !== 0) problems.push(`the recovery run exited ${last?.code} (${last?.stderr.slice(0, 200)})`);
    if (lost.length) problems.push(`lost ${lost.length}: ${lost.slice(0, 3).join(', ')}`);
    if (phantom.length) problems.push(`phantom ${phantom.length}`);
    problems.push(...(sim.residue?.() ?? []));
    for (const { res, point } of runs) {
      for (const cut of [res.stdout]) {
        // A kill may cut the last event; every complete one must have been parsed (the run's own
        // health event aside, which parseEvents leaves out).
        const complete = (cut.match(/<\/event>/g) ?? []).length - (cut.match(/<sourcetype>ta_zerotrust:health<\/sourcetype>/g) ?? []).length;
        if (complete !== res.events.length) problems.push(`stdout of a run${point ? ` killed ${point}` : ''} has events the parser could not read`);
      }
    }
    const killedRuns = runs.filter((x) => x.point);
    killedRuns.forEach(({ res, point }, i) => {
      // One session of kills and reruns: its totals go on its last case, so sums stay right.
      const last = i === killedRuns.length - 1;
      cases.push({
        input: input.scheme, kind: 'kill -9', detail: `SIGKILL ${point}`, mechanism: 'SIGKILL to the launched node process (spawned as splunkd does)',
        runs: last ? runs.length : 0, expected: last ? expected.length : 0, delivered: last ? counts.size : 0, lost: last ? lost.length : 0,
        repeats: last ? repeats : 0, duplicatesAfterDedup: 0, phantom: last ? phantom.length : 0, serviceLost: last ? serviceLost.size : 0,
        faultedStatus: res.signal === 'SIGKILL' ? 'killed' : `exited ${res.code} before the kill point`,
        routine: 'a killed process writes no last words (splunkd records the exit by signal); the rerun resumes from the checkpoint',
        passed: problems.length === 0, problems: [...problems],
      });
    });
    if (!killed.length) problems.push('no run was actually killed');

    // Secret hygiene over everything the runs left behind.
    const leaks: Leak[] = [];
    const places: Record<string, string> = {
      stdout: outputs.map((o) => o.stdout).join('\n'),
      stderr: outputs.map((o) => o.stderr).join('\n'),
      'log file': logFileText(home, input.scheme),
      '/proc/<pid>/cmdline+environ': proc.join('\n'),
      'inputs.conf (stand-in)': JSON.stringify(splunkd.conf('inputs', input.stanza) ?? {}),
    };
    for (const f of filesUnder(cpDir)) places[`checkpoint dir: ${path.relative(cpDir, f)}`] = fs.readFileSync(f, 'latin1');
    for (const f of filesUnder(path.join(home, 'var'))) places[`$SPLUNK_HOME/${path.relative(home, f)}`] = fs.readFileSync(f, 'latin1');
    for (const [where, text] of Object.entries(places)) {
      for (const s of sim.secrets) if (text.includes(s)) leaks.push({ where, secret: `${sim.secretParam} (${s.length} chars)` });
    }
    const scanned = Object.fromEntries(Object.entries(places).map(([k, v]) => [k, v.length]));
    if (cases.length) cases[cases.length - 1].problems.push(...(killed.length ? [] : ['no run was actually killed']));
    return { cases, leaks, scanned, stored, masked: maskedConf, procSeen: proc.some((t) => t.includes('modinput')) };
  } finally {
    await sim.stop();
    await splunkd.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(cpDir, { recursive: true, force: true });
  }
}

/** A wrong secret in storage/passwords: the error names the key id (where the input has one), never a secret. */
export async function authFailure(input: InputUnderTest): Promise<{ stderr: string; log: string; code: number | null; secret: string; wrong: string; keyId?: string; param: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-home-'));
  fs.mkdirSync(path.join(home, 'var', 'log', 'splunk'), { recursive: true });
  const cpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-cp-'));
  const splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: [...(input.collections ?? [])] });
  const sim = await input.start();
  try {
    sim.add(5, Date.now() - 30 * MIN);
    const params = sim.params();
    const wrong = `wrong-${String(params[sim.secretParam]).split('').reverse().join('')}`;
    splunkd.setPassword(input.stanza, sim.secretParam, wrong);
    const xml = inputXml({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: cpDir, stanza: input.stanza, params: { ...params, [sim.secretParam]: MASK } });
    const res = await runLauncher(input.scheme, xml, home);
    return { stderr: res.stderr, log: logFileText(home, input.scheme), code: res.code, secret: String(params[sim.secretParam]), wrong, ...(sim.keyId ? { keyId: sim.keyId } : {}), param: sim.secretParam };
  } finally {
    await sim.stop();
    await splunkd.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(cpDir, { recursive: true, force: true });
  }
}
