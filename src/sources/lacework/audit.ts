/**
 * Audit events: time windows from the checkpoint, each window asked again `overlap` seconds back
 * so late records are caught, repeats dropped by uuid. The checkpoint holds the time up to which
 * everything was delivered and the uuids delivered since `cursor - overlap`.
 */
import { createHash } from 'node:crypto';
import { parseStartDate } from '../../core/time';
import type { Batch, OutEvent, SourceContext } from '../../core/types';
import { auditEnvelope, AuditConfig, auditItem, LaceworkClient, schemaProblem, TimeReader, toApi, windows } from './client';
import { AUDIT_CHECKPOINT, type AuditCheckpoint } from './checkpoint';
import { redactBody, redactPath } from './redact';
import { ProtocolError } from '../../core/errors';

export type { AuditCheckpoint } from './checkpoint';

/** Events per batch: bounds the repeats after a crash between flush and checkpoint save. */
export const AUDIT_BATCH = 500;
/** Most dedup keys kept; only a burst larger than this inside one overlap could repeat. */
export const MAX_SEEN = 50_000;

export function dedupKey(item: Record<string, unknown>): string {
  if (typeof item.uuid === 'string' && item.uuid) return item.uuid;
  return `sha1:${createHash('sha1').update(JSON.stringify(item)).digest('hex')}`;
}

export async function startCursor(saved: { cursor: number } | undefined, startDate: string, ctx: SourceContext): Promise<number> {
  if (saved && Number.isFinite(saved.cursor)) return saved.cursor;
  const t = parseStartDate(startDate, ctx.now());
  // parseConfig already checked start_date; this only guards against a clock jump.
  return t ?? ctx.now() - 86_400_000;
}

export async function* collectAudit(config: AuditConfig, ctx: SourceContext): AsyncGenerator<Batch<AuditCheckpoint>> {
  const saved = await ctx.checkpoint.load(AUDIT_CHECKPOINT, ctx.now());
  const overlapMs = config.overlap * 1000;
  let cursor = await startCursor(saved, config.start_date, ctx);
  const seen = new Map<string, number>(saved?.seen ?? []);
  let seenAny = saved?.seenAny ?? false;
  const client = new LaceworkClient(ctx.http, config, ctx.stanza, ctx.signal);
  const times = new TimeReader(config.time_unit);
  const now = ctx.now();
  const firstFrom = Math.max(0, cursor - overlapMs);
  let received = 0;
  let malformed = 0;
  let unparsed = 0;

  const snapshot = (): AuditCheckpoint => {
    const floor = cursor - overlapMs;
    let entries = [...seen].filter(([, t]) => t >= floor);
    if (entries.length > MAX_SEEN) {
      entries.sort((a, b) => a[1] - b[1]);
      entries = entries.slice(entries.length - MAX_SEEN);
    }
    seen.clear();
    for (const [k, t] of entries) seen.set(k, t);
    return { v: 1, cursor, seen: entries, seenAny };
  };

  for (const [from, to] of windows(firstFrom, now, config.window * 1000)) {
    const body = await client.get('path', config.path, { start_time: toApi(from, config.time_unit), end_time: toApi(to, config.time_unit) });
    if (!auditEnvelope(body)) {
      throw new ProtocolError(`${ctx.stanza}: the answer to ${config.path} is not the documented {"audit_events": [...]} (${schemaProblem(auditEnvelope)}). Check that path points at "Query Audit Events".`);
    }
    const items = ((body as { audit_events?: unknown[] }).audit_events ?? []);
    const fresh: Array<{ item: Record<string, unknown>; key: string; t: number | undefined; raw?: string }> = [];
    const inWindow = new Set<string>();
    for (const item of items) {
      received++;
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        // Not a record at all: indexed as received (redacted), apart, and deduplicated by content.
        unparsed++;
        const raw = ctx.http.redact(JSON.stringify(item));
        const key = `sha1:${createHash('sha1').update(raw).digest('hex')}`;
        if (seen.has(key) || inWindow.has(key)) continue;
        inWindow.add(key);
        fresh.push({ item: {}, key, t: undefined, raw });
        continue;
      }
      const rec = item as Record<string, unknown>;
      if (!auditItem(rec)) malformed++;
      const key = dedupKey(rec);
      if (seen.has(key) || inWindow.has(key)) continue;
      inWindow.add(key);
      fresh.push({ item: rec, key, t: times.toMs(rec.create_time) });
    }
    const warning = times.warning(ctx.stanza, 'create_time');
    if (warning) ctx.log.warn(warning);
    fresh.sort((a, b) => (a.t ?? from) - (b.t ?? from));

    if (!fresh.length) {
      cursor = Math.max(cursor, to);
      yield { events: [], checkpoint: snapshot() };
      continue;
    }
    for (let i = 0; i < fresh.length; i += AUDIT_BATCH) {
      const chunk = fresh.slice(i, i + AUDIT_BATCH);
      const events: OutEvent[] = chunk.map(({ item, t, raw }) => (raw === undefined
        ? toEvent(item, t, config.redact_request_body)
        : { data: raw, source: `${ctx.stanza}:unparsed` }));
      // A record without a time is kept for dedup as if it came at the end of the window.
      for (const { key, t } of chunk) seen.set(key, t ?? to);
      seenAny = true;
      const last = chunk[chunk.length - 1].t;
      // Sorted: everything before the last time of this chunk is delivered (ties are in `seen`);
      // after the window's last chunk, everything up to its end is.
      if (i + AUDIT_BATCH >= fresh.length) cursor = Math.max(cursor, to);
      else if (last !== undefined && last > cursor && last <= to) cursor = last;
      yield { events, checkpoint: snapshot() };
    }
  }

  if (client.depthCuts) ctx.log.warn(`${ctx.stanza}: ${client.depthCuts} answer(s) held records nested deeper than max_depth (${config.max_depth ?? 100}); the deeper parts were replaced by a marker and the records indexed. Raise max_depth if such nesting is expected.`);
  if (malformed) ctx.log.warn(`${ctx.stanza}: ${malformed} audit record(s) lacked uuid or create_time; they were indexed as received (without uuid they are deduplicated by content).`);
  if (unparsed) ctx.log.warn(`${ctx.stanza}: ${unparsed} audit record(s) were not JSON objects; they were set aside: indexed as received (secrets redacted) with source=${ctx.stanza}:unparsed, deduplicated by content.`);
  if (!seenAny && received === 0 && now - firstFrom > 0) await probeTimeUnit(client, config, ctx, firstFrom, now, 'audit_events');
}

/** The indexed text of an audit record (also for golden samples of lacework:edge:audit). */
export function auditEventData(item: Record<string, unknown>, redact = true): string {
  if (!redact) return JSON.stringify(item);
  const out = { ...item };
  if (typeof out.request_body === 'string' && out.request_body) out.request_body = redactBody(out.request_body);
  if (typeof out.path === 'string') out.path = redactPath(out.path);
  if (typeof out.matched_path === 'string') out.matched_path = redactPath(out.matched_path);
  return JSON.stringify(out);
}

function toEvent(item: Record<string, unknown>, t: number | undefined, redact: boolean): OutEvent {
  const ev: OutEvent = { data: auditEventData(item, redact) };
  if (t !== undefined) ev.time = t / 1000;
  return ev;
}

/**
 * Nothing has ever come back. If the same range in the other unit has records, time_unit is
 * wrong; say so (one extra request, only while the input has never received anything).
 */
export async function probeTimeUnit(
  client: LaceworkClient, config: AuditConfig | { path: string; time_unit: 'ms' | 's' }, ctx: SourceContext,
  from: number, to: number, listKey: string, extraQuery: Record<string, string> = {},
): Promise<void> {
  const other = config.time_unit === 'ms' ? 's' : 'ms';
  try {
    const body = await client.get('path', config.path, { start_time: toApi(from, other), end_time: toApi(to, other), ...extraQuery });
    const list = (body as Record<string, unknown> | undefined)?.[listKey];
    if (Array.isArray(list) && list.length > 0) {
      ctx.log.warn(`${ctx.stanza}: no records came back with time_unit = ${config.time_unit}, but the same time range sent in ${other === 'ms' ? 'milliseconds' : 'seconds'} returned ${list.length}. Set time_unit = ${other} for this input.`);
    }
  } catch (e) {
    ctx.log.debug(`${ctx.stanza}: time unit probe failed: ${(e as Error).message}`);
  }
}
