/**
 * The fault matrix: fault kinds × inputs. A case is a fault plan (for the simulator or for the
 * environment: the disk under the checkpoint directory, the vendor's clock), a faulted run, then
 * recovery runs, and what is asserted over all of them: the XML stream each run wrote parses,
 * every event the vendor holds arrived, none arrived twice once duplicates are removed by id,
 * nothing arrived that the vendor does not hold, and the faulted run logged a clear WARN/ERROR.
 *
 * Runs are in-process through the real runtime, HTTP client, XML stream sink and file
 * checkpoint store; process death is the spawned suite's part (kill.ts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { createHttpClient } from '../../src/core/http';
import { REPLACEMENT_CHAR } from '../../src/core/protocol';
import { runStanza, type RunSummary } from '../../src/core/runtime';
import { XmlStreamSink } from '../../src/core/sinks/xml';
import type { KvStore, Logger } from '../../src/core/types';
import { child, parseXml } from '../protocol/xml-tree';
import { HUGE_BYTES, MIN, type ApiFault, type InputUnderTest, type Payload, type SimHandle } from './inputs';
import { rng } from '../../src/sources/prisma/simulator/events';
import { startMangler } from './mangler';

export const FAULT_KINDS = [
  '429 storm', '5xx', 'connection reset', 'slow body', 'timeout', 'truncated body', 'malformed body',
  'huge event (10 MB)', 'XML-breaking payload', 'invalid UTF-8', 'token expiry / revoked key',
  'clock skew', 'disk full (checkpoint)', 'read-only checkpoint dir', 'sink failure', 'kill -9',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultCase {
  kind: FaultKind;
  /** What exactly was done, for the report. */
  detail: string;
  api?: ApiFault[];
  payload?: Payload;
  /** Vendor clock minus host clock. */
  skewMs?: number;
  disk?: 'enospc' | 'erofs';
  /** What takes the events fails during the run: the stream (splunkd stopped reading), or the input's KV store. */
  sink?: boolean;
  /** Overrides of stanza params (e.g. a 1 s timeout for the timeout faults). */
  params?: Record<string, string>;
}

export interface CaseResult {
  input: string;
  kind: FaultKind;
  detail: string;
  /** How the fault was produced (for faults of the environment). */
  mechanism?: string;
  runs: number;
  expected: number;
  delivered: number;
  lost: number;
  /** Deliveries of an id already delivered (at-least-once repeats, before dedup). */
  repeats: number;
  /** Ids left duplicated once repeats are removed by id: always 0 by construction, reported for the table. */
  duplicatesAfterDedup: number;
  /** Delivered ids the vendor never held. */
  phantom: number;
  /** Vendor-side loss no client can recover (a destructive read whose answer never arrived). */
  serviceLost: number;
  /** The first WARN/ERROR line of the faulted run (what the admin sees). */
  logged?: string;
  /** Why no WARN is expected, for faults the input treats as routine. */
  routine?: string;
  /** The faulted run's status and error kind. */
  faultedStatus: string;
  passed: boolean;
  problems: string[];
}

/** The same seeded xorshift the Prisma simulator generates with: a seed reproduces a whole profile. */
export { rng };

/** At least `perInput` cases covering every kind; the seed picks counts, statuses and positions. */
export function planCases(input: InputUnderTest, seed: number, perInput: number, opts: { short?: boolean } = {}): FaultCase[] {
  const r = rng(seed * 7919 + input.scheme.length);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  // A destructive reader retries with its own backoff (hundreds of ms per attempt): the short
  // profile keeps its storms short, the soak does not.
  const most = (n: number) => (opts.short && input.destructive ? Math.min(n, 3) : n);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const out: FaultCase[] = [];
  const storm = (): FaultCase => {
    const retryAfter = pick([0, 0, 0, 1]); const times = retryAfter ? int(2, 3) : most(int(2, 12)); const after = int(0, 1);
    return { kind: '429 storm', detail: `${times}× 429 Retry-After ${retryAfter} after ${after} requests`, api: [{ kind: 'status', status: 429, retryAfter, times, after }] };
  };
  const fivexx = (): FaultCase => {
    const status = pick([500, 502, 503, 504]); const times = most(int(1, 8)); const after = int(0, 1);
    return { kind: '5xx', detail: `${times}× ${status} after ${after}`, api: [{ kind: 'status', status, times, after }] };
  };
  const reset = (): FaultCase => {
    const times = most(int(1, 8)); const after = int(0, 1);
    return { kind: 'connection reset', detail: `${times}× reset after ${after}`, api: [{ kind: 'reset', times, after }] };
  };
  const first = input.destructive ? () => 0 : () => int(0, 1);
  const truncated = (): FaultCase => { const after = first(); return { kind: 'truncated body', detail: `body cut in half, request ${after + 1}`, api: [{ kind: 'truncate', after }] }; };
  const malformed = (): FaultCase => { const after = first(); return { kind: 'malformed body', detail: `invalid JSON body, request ${after + 1}`, api: [{ kind: 'malformed', after }] }; };
  for (let i = 0; i < 6; i++) out.push(storm());
  for (let i = 0; i < 6; i++) out.push(fivexx());
  for (let i = 0; i < 5; i++) out.push(reset());
  for (let i = 0; i < 3; i++) {
    const delayMs = int(100, 400); const times = int(1, 3);
    out.push({ kind: 'slow body', detail: `${times}× ${delayMs} ms before the answer`, api: [{ kind: 'slow', delayMs, times, after: int(0, 1) }] });
  }
  for (let i = 0; i < 2; i++) {
    out.push({ kind: 'timeout', detail: 'answer held 2.5 s with timeout = 1 s', params: { timeout: '1' }, api: [{ kind: 'slow', delayMs: 2500, times: 1, after: int(0, 1) }] });
  }
  for (let i = 0; i < 4; i++) out.push(truncated());
  for (let i = 0; i < 4; i++) out.push(malformed());
  out.push({ kind: 'huge event (10 MB)', detail: 'one event with a 10 MB string field', payload: 'huge' });
  for (let i = 0; i < 3; i++) out.push({ kind: 'XML-breaking payload', detail: 'field closing </data></event></stream>, CDATA end, NUL/controls, lone surrogate, U+FFFE', payload: 'xml-hostile' });
  for (let i = 0; i < 3; i++) out.push({ kind: 'invalid UTF-8', detail: '19 bytes of broken UTF-8 sequences inside a field, on the wire', payload: 'invalid-utf8' });
  for (let i = 0; i < 4; i++) {
    const after = first();
    out.push({ kind: 'token expiry / revoked key', detail: `credentials refused at request ${after + 1}`, api: [{ kind: 'token-expiry', after }] });
  }
  for (const skewMs of [-240_000, -120_000, 120_000, 3_600_000]) {
    out.push({ kind: 'clock skew', detail: `vendor clock ${skewMs > 0 ? '+' : ''}${skewMs / 1000} s from the host`, skewMs });
  }
  for (let i = 0; i < 3; i++) out.push({ kind: 'disk full (checkpoint)', detail: 'checkpoint dir on a full file system', disk: 'enospc' });
  for (let i = 0; i < 3; i++) out.push({ kind: 'read-only checkpoint dir', detail: 'checkpoint dir remounted read-only between runs', disk: 'erofs' });
  for (let i = 0; i < 3; i++) {
    out.push({ kind: 'sink failure', detail: input.collections ? 'the KV store fails a write during the run' : 'splunkd stops reading the stream (EPIPE on write) during the run', sink: true });
  }
  // Inputs whose API cannot carry a hurtful payload, or to which a fault cannot happen, get more API faults instead.
  const usable = out.filter((c) => (!c.payload || input.payloads !== false) && !input.notApplicable?.[c.kind]);
  const more = [storm, fivexx, reset, truncated, malformed];
  while (usable.length < perInput) usable.push(pick(more)());
  return usable;
}

/** The report's record of each fault kind that cannot happen to an input, with the reason. */
export function notApplicableCases(input: InputUnderTest): CaseResult[] {
  return Object.entries(input.notApplicable ?? {}).map(([kind, why]) => ({
    input: input.scheme, kind: kind as FaultKind, detail: why ?? '', runs: 0, expected: 0, delivered: 0, lost: 0, repeats: 0,
    duplicatesAfterDedup: 0, phantom: 0, serviceLost: 0, faultedStatus: NOT_APPLICABLE, passed: true, problems: [],
  }));
}

export const NOT_APPLICABLE = 'not applicable';

export interface LogLine { level: string; message: string }

function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push({ level, message: meta && Object.keys(meta).length ? `${message} ${JSON.stringify(meta)}` : message });
  };
  const log: Logger = { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR'), child: () => log };
  return log;
}

export interface StreamRun { summary: RunSummary; datas: string[]; logs: LogLine[]; xml: string }

/** One run through the real runtime with the splunkd XML sink; the stream must parse. */
export async function runInput(input: InputUnderTest, params: Record<string, string>, cpDir: string, now?: number, kvstore?: KvStore, opts: { failSink?: boolean } = {}): Promise<StreamRun> {
  const out = opts.failSink
    // splunkd closed the pipe: every write fails.
    ? new PassThrough({ write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) })
    : new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const sink = new XmlStreamSink(out);
  const logs: LogLine[] = [];
  const summary = await runStanza(input.source, input.stanza, params, {
    sink,
    checkpoint: fileCheckpointStore(cpDir, input.stanza),
    log: recordingLogger(logs),
    // Short waits: the faults are about what happens, not how long it takes.
    makeHttp: (o) => createHttpClient({ ...o, retry: { retries: 4, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 2000 } }),
    signal: new AbortController().signal,
    stateDir: path.join(cpDir, 'state'),
    ...(now !== undefined ? { now: () => now } : {}),
    ...(kvstore ? { kvstore } : {}),
  });
  await sink.close().catch((e: unknown) => { if (!opts.failSink) throw e; });
  const xml = Buffer.concat(chunks).toString('utf8');
  // An empty run writes nothing at all, which splunkd accepts.
  const datas = xml ? parseXml(xml).children.map((e) => child(e, 'data')?.text ?? '') : [];
  return { summary, datas, logs, xml };
}

/** Whether this host lets us mount a small tmpfs (root, mount available): the honest way to fill a disk. */
let tmpfsOk: boolean | undefined;
export function canMountTmpfs(): boolean {
  if (tmpfsOk !== undefined) return tmpfsOk;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    tmpfsOk = true;
  } catch {
    tmpfsOk = false;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return tmpfsOk;
}

function fillUp(dir: string, leaveBytes: number): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(1024, 0x61);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  if (leaveBytes > 0) fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - leaveBytes));
  return filler;
}

const HOST_EPOCH = Date.parse('2026-11-21T12:00:00Z');

/** One case: faulted run, then recovery runs, then the assertions as a list of problems. */
export async function runCase(input: InputUnderTest, fc: FaultCase, seed: number, opts: { scale?: number } = {}): Promise<CaseResult> {
  const r = rng(seed);
  const scale = opts.scale ?? 1;
  const problems: string[] = [];
  const cpDir = fs.mkdtempSync(path.join(os.tmpdir(), `zt-rel-${input.scheme}-`));
  const sim: SimHandle = await input.start();
  const mangler = fc.payload === 'invalid-utf8' ? await startMangler(sim.url) : undefined;
  const params = sim.params({ ...(fc.params ?? {}), ...(mangler ? { [input.urlParam]: mangler.url } : {}) });
  // The host clock is injected where the source reads it from ctx.now; Prisma reads the real one.
  let host = input.injectableClock ? HOST_EPOCH : Date.now();
  const skew = fc.skewMs ?? 0;
  const vendorNow = () => host + skew;
  const datas: string[] = [];
  const payloadIds: string[] = [];
  let runs = 0;
  let mounted = false;
  let mechanism: string | undefined;
  const warnings: string[] = [];
  const run = async (failSink = false): Promise<StreamRun> => {
    runs += 1;
    const res = await runInput(input, params, cpDir, input.injectableClock ? host : undefined, sim.kvstore, { failSink });
    datas.push(...res.datas);
    warnings.push(...res.logs.filter((l) => l.level === 'WARN' || l.level === 'ERROR').map((l) => `${l.level} ${l.message}`));
    return res;
  };
  try {
    sim.add(int(r, 5, 25) * scale, vendorNow() - 40 * MIN);
    if (fc.payload) {
      const id = sim.addPayload(fc.payload, vendorNow() - 30 * MIN);
      if (id) payloadIds.push(id);
    }
    sim.add(int(r, 5, 25) * scale, vendorNow() - 20 * MIN);
    if (fc.disk) {
      mechanism = canMountTmpfs() ? 'tmpfs (size=1m) mounted on the checkpoint dir' : undefined;
      if (!mechanism) return skipped(input, fc, 'cannot mount tmpfs here (not root or no mount): not run');
      // Room for the largest checkpoint (alerts followed) of the soak's volumes, then filled up.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', cpDir]);
      mounted = true;
    }
    let filler: string | undefined;
    if (fc.disk === 'enospc') {
      filler = fillUp(cpDir, int(r, 0, 3) * 1024);
      mechanism += ', filled to ENOSPC by a filler file';
    }
    if (fc.disk === 'erofs') {
      // A first good run, so there is a checkpoint (and state dir) the read-only mount then holds.
      const first = await run();
      if (first.summary.status !== 'ok') problems.push(`setup run failed: ${first.summary.errorKind}`);
      host += MIN;
      sim.add(int(r, 3, 10), vendorNow() - MIN);
      execFileSync('mount', ['-o', 'remount,ro', cpDir]);
      mechanism += ', remounted read-only (mount -o remount,ro)';
    }
    for (const f of fc.api ?? []) sim.inject(f);
    let before: { state: string[] } | undefined;
    let sinkSaid: RegExp | undefined;
    if (fc.sink) {
      // A first good run, so there is a checkpoint (or a snapshot) the failing sink must leave as it was.
      const first = await run();
      if (first.summary.status !== 'ok') problems.push(`setup run failed: ${first.summary.errorKind}`);
      host += MIN;
      sim.add(int(r, 3, 10), vendorNow() - MIN);
      before = { state: input.snapshot ? input.snapshot(first.datas, (c) => sim.kv?.(c) ?? []).flatMap((d) => input.idsOf(d)) : [] };
      const own = sim.sinkFault?.(int(r, 0, 2));
      mechanism = own?.how ?? 'the XML stream sink over a pipe whose every write fails with EPIPE';
      sinkSaid = own?.said;
    }

    const faulted = await run(!!fc.sink && !sim.sinkFault);
    if (before) {
      if (faulted.summary.status === 'ok') problems.push('the run whose sink failed ended ok');
      // A checkpoint may move over a batch without events; one that moved past events the sink
      // did not take shows as events lost after the recovery runs (they were added just before).
      const said = faulted.logs.filter((l) => l.level === 'ERROR').map((l) => l.message).join('\n');
      if (sinkSaid && !sinkSaid.test(said)) problems.push(`the ERROR does not say what failed and what stays (${said.slice(0, 200) || 'no ERROR'})`);
      if (/unexpected error/.test(said)) problems.push(`the failing sink was reported as an unexpected error: ${said.slice(0, 200)}`);
      if (input.snapshot && sim.kv) {
        // The previous snapshot is kept: nothing the vendor still holds left the KV store.
        const held = new Set(sim.expected());
        const now = new Set(input.snapshot([], (c) => sim.kv?.(c) ?? []).flatMap((d) => input.idsOf(d)));
        const dropped = before.state.filter((id) => held.has(id) && !now.has(id));
        if (dropped.length) problems.push(`the previous snapshot was not kept: ${dropped.length} records the vendor still holds were removed (${dropped.slice(0, 3).join(', ')})`);
      }
    }
    if (fc.kind === 'malformed body' && input.skipsBadRecord) {
      // One record the vendor breaks is skipped with a WARN; it must not fail the run (it would every run).
      if (faulted.summary.status !== 'ok') problems.push(`one broken record failed the run (${faulted.summary.status}, ${faulted.summary.errorKind})`);
      const said = faulted.logs.filter((l) => l.level === 'WARN').map((l) => l.message).join('\n');
      if (!input.skipsBadRecord.test(said)) problems.push(`no WARN says the broken record was skipped (${said.slice(0, 200) || 'no WARN'})`);
    }
    const faultedStatus = `${faulted.summary.status}${faulted.summary.errorKind ? ` (${faulted.summary.errorKind})` : ''}`;

    if (filler) fs.rmSync(filler);
    if (fc.disk === 'erofs') execFileSync('mount', ['-o', 'remount,rw', cpDir]);

    // Events keep arriving while the input is failing; the vendor stamps them with its clock.
    host += 2 * MIN;
    sim.add(int(r, 3, 12) * scale, vendorNow());
    const clocks = [host + 8 * MIN, host + Math.max(0, skew) + 15 * MIN, host + Math.max(0, skew) + 30 * MIN, host + Math.max(0, skew) + 45 * MIN];
    let last: StreamRun | undefined;
    for (const t of clocks) {
      if (input.injectableClock) host = t;
      last = await run();
      if (last.summary.status === 'ok' && (!input.injectableClock || t >= host + Math.max(0, skew))) {
        // One more run must find nothing new: the checkpoint is where it should be.
        if (last.datas.length === 0) break;
      }
    }
    if (last?.summary.status !== 'ok') problems.push(`recovery run ended ${last?.summary.status} (${last?.summary.errorKind})`);

    // The fault may fire in a later run than the first (it waits for its request); a slow
    // answer inside the timeout is not an error and may pass silently.
    const logged = warnings.find((w) => w.startsWith('ERROR ')) ?? warnings[0];
    const routine = input.routine?.[fc.kind];
    if ((fc.api?.length && fc.kind !== 'slow body' && !routine) || fc.disk || fc.sink) {
      if (!logged) problems.push('no WARN/ERROR line was logged for the fault');
    }
    // A state input is judged by the state its last run left; a stream input by every event of every run.
    const observed = input.snapshot ? input.snapshot(last?.datas ?? [], (c) => sim.kv?.(c) ?? []) : datas;
    const counts = new Map<string, number>();
    const rawOnly = new Set<string>();
    for (const d of observed) {
      for (const id of input.idsOf(d)) {
        // A copy kept raw (not JSON) and a later intact copy are one arrival, not a repeat.
        if (input.keptRaw?.(d)) { if (!counts.has(id)) rawOnly.add(id); continue; }
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    for (const id of rawOnly) if (!counts.has(id)) counts.set(id, 1);
    const expected = sim.expected();
    const serviceLost = new Set(sim.serviceLost());
    const lost = expected.filter((id) => !counts.has(id));
    const known = new Set([...expected, ...serviceLost]);
    const phantom = [...counts.keys()].filter((id) => !known.has(id));
    const repeats = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    if (lost.length) problems.push(`lost ${lost.length}: ${lost.slice(0, 3).join(', ')}`);
    if (phantom.length) problems.push(`phantom ${phantom.length}: ${phantom.slice(0, 3).join(', ')}`);
    // Repeats are allowed only where a batch was delivered but its checkpoint could not be saved.
    if (repeats && !fc.disk) problems.push(`${repeats} repeated deliveries without a checkpoint failure`);
    if (repeats > faulted.datas.length) problems.push(`${repeats} repeats, more than the ${faulted.datas.length} events of the run whose checkpoint failed`);
    problems.push(...payloadProblems(fc.payload, payloadIds, observed, input));
    if (mangler && mangler.mangled === 0) problems.push('the invalid UTF-8 never reached the wire');
    problems.push(...(sim.residue?.() ?? []));
    return {
      input: input.scheme, kind: fc.kind, detail: fc.detail, ...(mechanism ? { mechanism } : {}), runs,
      expected: expected.length, delivered: counts.size, lost: lost.length, repeats, duplicatesAfterDedup: 0,
      phantom: phantom.length, serviceLost: serviceLost.size, ...(logged ? { logged } : {}), ...(routine ? { routine } : {}), faultedStatus,
      passed: problems.length === 0, problems,
    };
  } finally {
    await mangler?.close();
    await sim.stop();
    if (mounted) {
      try { execFileSync('umount', [cpDir], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
    fs.rmSync(cpDir, { recursive: true, force: true });
  }
}

function int(r: () => number, a: number, b: number): number {
  return a + Math.floor(r() * (b - a + 1));
}

function skipped(input: InputUnderTest, fc: FaultCase, why: string): CaseResult {
  return {
    input: input.scheme, kind: fc.kind, detail: `${fc.detail} — ${why}`, runs: 0, expected: 0, delivered: 0, lost: 0, repeats: 0,
    duplicatesAfterDedup: 0, phantom: 0, serviceLost: 0, faultedStatus: 'not run', passed: true, problems: [],
  };
}

/** The hurtful payload itself arrived, whole, as the documented sanitising makes it. */
function payloadProblems(p: Payload | undefined, ids: string[], datas: string[], input: InputUnderTest): string[] {
  if (!p || !ids.length) return [];
  const carrying = datas.filter((d) => input.idsOf(d).includes(ids[0]));
  if (!carrying.length) return [`the ${p} event was not delivered`];
  const d = carrying[0];
  if (p === 'huge' && d.length < HUGE_BYTES) return [`the 10 MB event arrived with ${d.length} characters`];
  if (p === 'invalid-utf8' && !(d.includes(`before ${REPLACEMENT_CHAR}`) && d.includes('after'))) return ['invalid UTF-8 did not become U+FFFD with the rest of the event kept'];
  if (p === 'xml-hostile' && !d.includes(']]></data><done/></event></stream>')) return ['the XML-breaking text did not arrive as text'];
  return [];
}
