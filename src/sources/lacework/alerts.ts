/**
 * Alerts and their state changes. An alert changes after it is created (assigned, moved,
 * closed), and the query is documented as "open alerts", so a collector reading only new
 * windows would never see a closure. Each run therefore:
 *   1. asks again for the time windows that hold alerts still open in the checkpoint,
 *   2. reads new windows from the checkpoint (with overlap),
 *   3. fetches one by one the open alerts that neither query returned (closed, or outside
 *      status_filter) through alert_path.
 * An event is written for a new alert and whenever (status, incident_status, owner_uuid,
 * update_time) differs from what the checkpoint holds, with the previous values alongside.
 */
import { createHash } from 'node:crypto';
import { ProtocolError } from '../../core/errors';
import type { Batch, OutEvent, SourceContext } from '../../core/types';
import { probeTimeUnit, startCursor } from './audit';
import { ALERTS_CHECKPOINT, type AlertsCheckpoint, type TrackedAlert } from './checkpoint';
import {
  alertItem, alertsEnvelope, AlertsConfig, historyEnvelope, int, LaceworkClient, schemaProblem, TimeReader, toApi, windows,
} from './client';
import { redactValue } from './redact';

export type { AlertsCheckpoint, TrackedAlert } from './checkpoint';

export type ChangeKind = 'new' | 'updated';

/** Fields compared to detect a change, in the order they are reported. */
export const CHANGE_FIELDS = ['status', 'incident_status', 'owner_uuid', 'update_time'] as const;

export const ALERT_BATCH = 200;
/** alert_path 404s in a row before an alert is taken as deleted and no longer followed. */
export const MAX_MISSES = 3;

export function track(rec: Record<string, unknown>, createMs: number): TrackedAlert {
  return {
    s: int(rec.status), i: int(rec.incident_status),
    o: typeof rec.owner_uuid === 'string' ? rec.owner_uuid : '',
    on: typeof rec.owner_display_name === 'string' ? rec.owner_display_name : '',
    u: int(rec.update_time), c: createMs,
  };
}

export function changedFields(a: TrackedAlert, b: TrackedAlert): string[] {
  const out: string[] = [];
  if (a.s !== b.s) out.push('status');
  if (a.i !== b.i) out.push('incident_status');
  if (a.o !== b.o) out.push('owner_uuid');
  if (a.u !== b.u) out.push('update_time');
  return out;
}

/**
 * The event: the alert as the service sent it (fields at top level for extraction), then
 * change_kind, changed_fields and previous_* (for updates whose previous state is known), then
 * investigation_actions.
 */
export function changeEvent(
  rec: Record<string, unknown>, kind: ChangeKind, prev: TrackedAlert | undefined, changed: string[],
  history: unknown[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rec, change_kind: kind };
  if (prev) {
    out.changed_fields = changed;
    out.previous_status = prev.s;
    out.previous_incident_status = prev.i;
    out.previous_owner_uuid = prev.o;
    out.previous_owner_display_name = prev.on;
    out.previous_update_time = prev.u;
  }
  if (history) out.investigation_actions = history;
  return out;
}

export async function* collectAlerts(config: AlertsConfig, ctx: SourceContext): AsyncGenerator<Batch<AlertsCheckpoint>> {
  const saved = await ctx.checkpoint.load(ALERTS_CHECKPOINT, ctx.now());
  const overlapMs = config.overlap * 1000;
  const windowMs = config.window * 1000;
  let cursor = await startCursor(saved, config.start_date, ctx);
  const open = new Map(Object.entries(saved?.open ?? {}));
  const closed = new Map(Object.entries(saved?.closed ?? {}));
  let seenAny = saved?.seenAny ?? false;
  const client = new LaceworkClient(ctx.http, config, ctx.stanza, ctx.signal);
  const times = new TimeReader(config.time_unit);
  const now = ctx.now();
  const newFrom = Math.max(0, cursor - overlapMs);
  const filter: Record<string, string> = config.status_filter?.length ? { status_filter: config.status_filter.join(',') } : {};
  const returned = new Set<string>();
  const followedAtStart = [...open.keys()];
  let evicted = 0;
  let malformed = 0;
  let unparsed = 0;
  /** Records of the last query without a uuid (or not objects), redacted JSON text. */
  let raws: string[] = [];
  let received = 0;
  let historyMissing = 0;

  const snapshot = (): AlertsCheckpoint => {
    const floor = cursor - overlapMs;
    // By the later of create and update time: a query that selects by update time returns a
    // recently closed alert again inside the overlap.
    for (const [k, t] of closed) if (Math.max(t.c, times.toMs(t.u) ?? 0) < floor) closed.delete(k);
    if (open.size > config.max_tracked_alerts) {
      const oldest = [...open].sort((a, b) => a[1].c - b[1].c).slice(0, open.size - config.max_tracked_alerts);
      for (const [k] of oldest) open.delete(k);
      evicted += oldest.length;
    }
    return { v: 1, cursor, open: Object.fromEntries(open), closed: Object.fromEntries(closed), seenAny };
  };

  const history = async (uuid: string): Promise<unknown[] | undefined> => {
    if (!config.include_history) return undefined;
    // The history only adds detail: a refusal must not stop the alerts themselves.
    const body = await client.get('history_path', config.history_path, {}, uuid, [403, 404]);
    if (body === undefined) {
      historyMissing ||= client.lastSoftStatus;
      return undefined;
    }
    if (!historyEnvelope(body)) {
      ctx.log.warn(`${ctx.stanza}: the investigation history of alert ${uuid} is not the documented {"investigation_actions": [...]} (${schemaProblem(historyEnvelope)}); the event is written without it.`);
      return undefined;
    }
    // Workflow runs in the history carry MFA tokens and keys.
    return redactValue((body as { investigation_actions?: unknown[] }).investigation_actions ?? []);
  };

  /** Compares one alert with the checkpoint; returns its event when it is new or changed. */
  const observe = async (rec: Record<string, unknown>, fromNewWindow: boolean): Promise<OutEvent | undefined> => {
    const uuid = rec.uuid as string;
    returned.add(uuid);
    const createMs = times.toMs(rec.create_time) ?? now;
    const cur = track(rec, createMs);
    const prev = open.get(uuid) ?? closed.get(uuid);
    // An unknown alert outside the new windows predates start_date or was dropped from the
    // checkpoint: it was either delivered long ago or is not ours to report.
    if (!prev && !fromNewWindow) return undefined;
    // Created before the new windows yet returned by them: the query selects by update time, and
    // this alert changed while not followed (before start_date, or beyond max_tracked_alerts).
    const unfollowedChange = !prev && createMs < newFrom;
    const isClosed = int(rec.closed_time) > 0;
    open.delete(uuid);
    closed.delete(uuid);
    (isClosed ? closed : open).set(uuid, cur);
    seenAny = true;
    if (prev) {
      const changed = changedFields(prev, cur);
      if (!changed.length) return undefined;
      const at = Math.max(times.toMs(rec.update_time) ?? 0, times.toMs(rec.closed_time) ?? 0, times.toMs(rec.assignment_time) ?? 0);
      const data = changeEvent(rec, 'updated', prev, changed, await history(uuid));
      return { data: JSON.stringify(data), time: (at || now) / 1000 };
    }
    if (unfollowedChange) {
      const at = times.toMs(rec.update_time) ?? now;
      return { data: JSON.stringify(changeEvent(rec, 'updated', undefined, [], await history(uuid))), time: at / 1000 };
    }
    return { data: JSON.stringify(changeEvent(rec, 'new', undefined, [], undefined)), time: createMs / 1000 };
  };

  const query = async (from: number, to: number): Promise<Record<string, unknown>[]> => {
    const body = await client.get('path', config.path, {
      start_time: toApi(from, config.time_unit), end_time: toApi(to, config.time_unit), ...filter,
    });
    if (!alertsEnvelope(body)) {
      throw new ProtocolError(`${ctx.stanza}: the answer to ${config.path} is not the documented {"alerts": [...]} (${schemaProblem(alertsEnvelope)}). Check that path points at "Query open alerts for the account".`);
    }
    const out: Record<string, unknown>[] = [];
    raws = [];
    for (const item of (body as { alerts?: unknown[] }).alerts ?? []) {
      received++;
      const isObject = !!item && typeof item === 'object' && !Array.isArray(item);
      if (!isObject || typeof (item as { uuid?: unknown }).uuid !== 'string') {
        // Without a uuid neither a change nor a repeat can be recognised: set aside, indexed raw.
        raws.push(ctx.http.redact(JSON.stringify(item)));
        continue;
      }
      if (!alertItem(item)) malformed++;
      out.push(item as Record<string, unknown>);
    }
    const warning = times.warning(ctx.stanza, 'create_time');
    if (warning) ctx.log.warn(warning);
    return out.sort((a, b) => (times.toMs(a.create_time) ?? 0) - (times.toMs(b.create_time) ?? 0));
  };

  /**
   * Records without a uuid, as `source=<stanza>:unparsed`; their content digest rides in
   * `closed` until the overlap passes, so the next run's overlap does not index them again.
   */
  const setAside = (texts: string[], to: number): OutEvent[] => {
    const out: OutEvent[] = [];
    for (const data of texts) {
      const key = `sha1:${createHash('sha1').update(data).digest('hex')}`;
      if (closed.has(key)) continue;
      closed.set(key, { s: 0, i: 0, o: '', on: '', u: 0, c: to });
      unparsed++;
      out.push({ data, source: `${ctx.stanza}:unparsed` });
    }
    return out;
  };

  // 1. Windows holding alerts that were open at the last run and lie before the new windows.
  const older = followedAtStart.map((k) => open.get(k)!).filter((t) => t.c < newFrom).map((t) => t.c).sort((a, b) => a - b);
  for (let i = 0; i < older.length;) {
    const from = older[i];
    const to = Math.min(from + windowMs, newFrom);
    while (i < older.length && older[i] <= to) i++;
    const events: OutEvent[] = [];
    for (const rec of await query(from, to)) {
      const ev = await observe(rec, false);
      if (ev) events.push(ev);
    }
    yield { events, checkpoint: snapshot() };
  }

  // 2. New windows from the checkpoint.
  for (const [from, to] of windows(newFrom, now, windowMs)) {
    const recs = await query(from, to);
    for (let i = 0; i < recs.length || i === 0; i += ALERT_BATCH) {
      const events: OutEvent[] = i === 0 ? setAside(raws, to) : [];
      for (const rec of recs.slice(i, i + ALERT_BATCH)) {
        const ev = await observe(rec, true);
        if (ev) events.push(ev);
      }
      if (i + ALERT_BATCH >= recs.length) cursor = Math.max(cursor, to);
      yield { events, checkpoint: snapshot() };
    }
  }

  // 3. Alerts followed but not returned: read them one by one.
  const missing = followedAtStart.filter((k) => open.has(k) && !returned.has(k));
  let notFound = 0;
  for (let i = 0; i < missing.length; i += ALERT_BATCH) {
    const events: OutEvent[] = [];
    for (const uuid of missing.slice(i, i + ALERT_BATCH)) {
      const body = await client.get('alert_path', config.alert_path, {}, uuid);
      if (body === undefined) {
        notFound++;
        const t = open.get(uuid)!;
        t.m = (t.m ?? 0) + 1;
        if (t.m >= MAX_MISSES) open.delete(uuid);
        continue;
      }
      if (!alertItem(body) || (body as { uuid?: unknown }).uuid !== uuid) {
        malformed++;
        continue;
      }
      const ev = await observe(body as unknown as Record<string, unknown>, false);
      if (ev) events.push(ev);
    }
    yield { events, checkpoint: snapshot() };
  }

  if (notFound && notFound === missing.length) {
    ctx.log.error(`${ctx.stanza}: GET ${config.alert_path} answered 404 for all ${notFound} open alert(s) read one by one, so closures and reassignments cannot be seen. `
      + `If these alerts were not deleted, set alert_path to the path of "Get a single alert by its ID" from your Lacework Edge API documentation (the default is an assumption). `
      + `An alert is no longer followed after ${MAX_MISSES} runs of 404.`);
  } else if (notFound) {
    ctx.log.info(`${ctx.stanza}: ${notFound} followed alert(s) were not found (deleted?); each is dropped after ${MAX_MISSES} runs of 404.`);
  }
  if (historyMissing === 404) {
    ctx.log.warn(`${ctx.stanza}: GET ${config.history_path} answered 404, so events were written without investigation_actions. Set history_path to the path of "Get the history of investigation actions taken for an alert" from your Lacework Edge API documentation (the default is an assumption), or turn include_history off.`);
  } else if (historyMissing) {
    ctx.log.warn(`${ctx.stanza}: GET ${config.history_path} answered ${historyMissing}, so events were written without investigation_actions. Give the API key a role that can read the investigation history, or turn include_history off.`);
  }
  if (evicted) ctx.log.warn(`${ctx.stanza}: more than max_tracked_alerts = ${config.max_tracked_alerts} alerts are open; the ${evicted} oldest are no longer followed, so their later changes will not be reported. Raise max_tracked_alerts if that matters.`);
  if (malformed) ctx.log.warn(`${ctx.stanza}: ${malformed} alert record(s) did not have the documented shape (integer times); they were indexed as received.`);
  if (unparsed) ctx.log.warn(`${ctx.stanza}: ${unparsed} alert record(s) had no uuid or were not JSON objects; they were set aside: indexed as received (secrets redacted) with source=${ctx.stanza}:unparsed, deduplicated by content.`);
  if (!seenAny && received === 0 && now > newFrom) await probeTimeUnit(client, config, ctx, newFrom, now, 'alerts', filter);
}
