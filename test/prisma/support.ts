/** Wiring for the Prisma tests: the real HTTP client and logger, pointed at loopback. */
import { createHttpClient } from '../../src/core/http';
import type { HttpClientOptions, Logger } from '../../src/core/types';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import type { Batch, OutEvent, SourceContext } from '../../src/core/types';
import { PRISMA_CHECKPOINT } from '../../src/sources/prisma/checkpoint';
import type { PrismaCheckpoint, PrismaConfig } from '../../src/sources/prisma/collector';
import type { PrismaSimulator } from '../../src/sources/prisma/simulator';

/** Records log lines as `LEVEL message key=value…`; every level, so tests can read INFO too. */
export function testLogger(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const make = (base: Record<string, unknown>): Logger => {
    const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
      const pairs = Object.entries({ ...base, ...meta }).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      lines.push(`${level} ${message} ${pairs.join(' ')}`);
    };
    return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR'), child: (m) => make({ ...base, ...m }) };
  };
  return { log: make({}), text: () => lines.join('\n') };
}

export function http(baseUrl: string, extra: Partial<HttpClientOptions> = {}) {
  return createHttpClient({ baseUrl, verifyTls: true, timeoutMs: 10_000, ...extra });
}

export const STANZA = 'prisma_saas_log_events://test';

export async function tempDir(prefix = 'prisma-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function simConfig(sim: PrismaSimulator, extra: Partial<PrismaConfig> = {}): PrismaConfig {
  return {
    region: 'us', base_url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret,
    api_mode: 'bulk', max_runtime: 120, verify_tls: true, timeout: 60, ...extra,
  };
}

/** A SourceContext built from the real pieces, as the runtime builds it. */
export function makeCtx(dir: string, opts: { now?: () => number; signal?: AbortSignal; proxyUrl?: string } = {}) {
  const logger = testLogger();
  const ctx: SourceContext = {
    stanza: STANZA,
    name: 'test',
    http: http('http://127.0.0.1:9'),
    makeHttp: (o) => createHttpClient({ verifyTls: true, timeoutMs: 10_000, ...(opts.proxyUrl ? { proxyUrl: opts.proxyUrl } : {}), ...o }),
    checkpoint: fileCheckpointStore(path.join(dir, 'checkpoints'), STANZA),
    stateDir: path.join(dir, 'state'),
    log: logger.log,
    signal: opts.signal ?? new AbortController().signal,
    now: opts.now ?? Date.now,
  };
  return { ctx, logText: logger.text };
}

/** Where a simulated crash stops the delivery of one batch. */
export type CrashPoint = 'before-emit' | 'after-flush' | 'after-checkpoint';

/**
 * Delivers batches the way the runtime does (events, then checkpoint, then committed) and, when
 * asked, stops dead at a crash point of the Nth batch: the generator is dropped without its
 * cleanup running, which is what a SIGKILL leaves behind.
 */
export async function deliver(
  batches: AsyncIterable<Batch<PrismaCheckpoint>>,
  ctx: SourceContext,
  crash?: { batch: number; at: CrashPoint },
): Promise<OutEvent[]> {
  const out: OutEvent[] = [];
  const it = batches[Symbol.asyncIterator]();
  for (let n = 1; ; n++) {
    const r = await it.next();
    if (r.done) return out;
    const batch = r.value;
    if (crash?.batch === n && crash.at === 'before-emit') return out;
    out.push(...batch.events);
    if (crash?.batch === n && crash.at === 'after-flush') return out;
    if (batch.checkpoint) await ctx.checkpoint.save(PRISMA_CHECKPOINT, batch.checkpoint);
    if (crash?.batch === n && crash.at === 'after-checkpoint') return out;
    await batch.committed?.();
  }
}
