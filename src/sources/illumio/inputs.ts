/**
 * The illumio_pce_traffic, illumio_pce_health and illumio_pce_objects inputs: validation and
 * collection around the engines in traffic.ts, health.ts and objects.ts. Loaded only when one of
 * them runs (module.ts).
 */
import { randomBytes } from 'node:crypto';
import type { TypedConfig } from '../../core/description';
import { AuthError, ConfigError, ProtocolError, TransientError } from '../../core/errors';
import { VALIDATE_TIMEOUT_MS } from '../../core/http/options';
import type { Batch, OutEvent, Source, SourceContext } from '../../core/types';
import { ILLUMIO_TRAFFIC_CHECKPOINT } from './checkpoint';
import { apiBase, keyHome, PceClient, pceSettings, type PceSettings } from './client';
import { healthDescription, objectsDescription, OBJECT_TYPES, trafficDescription } from './description';
import { fetchHealth } from './health';
import { BAD_ITEMS, collectionsOf, fetchObjects, unusableWhy, type ObjectKind } from './objects';
import { TrafficCollector, trafficQueryTemplate, type TrafficCheckpoint, type TrafficConfig } from './traffic';

export const OBJECTS_SOURCETYPE = objectsDescription.sourcetype;

/** A 403 in the words of the input: the events client's message speaks of reading events. */
function forbidden(e: unknown, s: PceSettings, host: string, what: string): unknown {
  if (e instanceof AuthError && /HTTP 403/.test(e.message)) {
    return new AuthError(`${s.stanza}: API key "${s.keyId}" may not read ${what} of org ${s.org} on the PCE ${host} (HTTP 403). Check the org_id of ${keyHome(s)} (it is shown with the key) and give the key's user a role that can read them, e.g. Global Read Only.`);
  }
  return e;
}

/** One quick GET that proves URL, org, key and role without changing anything on the PCE. */
async function probe(config: TypedConfig, ctx: SourceContext, path: string, what: string): Promise<void> {
  const s = pceSettings(config, ctx);
  const client = new PceClient(ctx.http, s);
  try {
    const res = await client.request({
      url: `${apiBase(s.pceUrl)}/api/v2${path}`, query: { max_results: 1 }, timeoutMs: VALIDATE_TIMEOUT_MS, bodyTimeoutMs: VALIDATE_TIMEOUT_MS, retry: false, signal: ctx.signal,
    }, what);
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      if (e instanceof ProtocolError) throw new ConfigError(`${ctx.stanza}: ${client.where} answered, but not like a PCE (${e.message}). Check that pce_url points to the PCE, not a proxy login page or another service.`, 'pce_url');
      throw e;
    }
    if (!Array.isArray(body)) throw new ConfigError(`${ctx.stanza}: ${client.where} answered the ${what} request with something other than a JSON array. Check that pce_url points to the PCE.`, 'pce_url');
  } catch (e) {
    throw forbidden(e, s, client.where, what);
  }
}

export const trafficSource: Source<TypedConfig, TrafficCheckpoint> = {
  description: trafficDescription,
  checkpoint: ILLUMIO_TRAFFIC_CHECKPOINT,
  async validate(config, ctx) {
    trafficQueryTemplate(config as unknown as TrafficConfig);
    // Listing the org's traffic queries needs the same role as running one, and starts nothing.
    await probe(config, ctx, `/orgs/${Number(config.org_id)}/traffic_flows/async_queries`, 'traffic queries');
  },
  collect(config, ctx): AsyncIterable<Batch<TrafficCheckpoint>> {
    return new TrafficCollector(config as unknown as TrafficConfig, ctx).run();
  },
};

export const healthSource: Source<TypedConfig, never> = {
  description: healthDescription,
  async validate(config, ctx) {
    await fetchHealth(pceSettings(config, ctx), { ...ctx, http: ctx.makeHttp({ timeoutMs: VALIDATE_TIMEOUT_MS, retry: { retries: 0 } }) });
  },
  async *collect(config, ctx): AsyncIterable<Batch<never>> {
    yield { events: await fetchHealth(pceSettings(config, ctx), ctx) };
  },
};

function kinds(config: TypedConfig): ObjectKind['kind'][] {
  const chosen = Array.isArray(config.object_types) && config.object_types.length ? config.object_types : [...OBJECT_TYPES];
  return chosen as ObjectKind['kind'][];
}

function kvstoreOf(ctx: SourceContext) {
  if (!ctx.kvstore) {
    throw new ConfigError(`${ctx.stanza}: this input writes to the add-on's KV store collections and runs only under splunkd, which hands it access to the KV store.`);
  }
  return ctx.kvstore;
}

/**
 * Each collection is replaced per snapshot: records are upserted with this run's snapshot id,
 * and the records of older snapshots are deleted only once the whole listing has arrived. A run
 * that fails midway leaves the previous objects in place (with some already refreshed); lookups
 * never see a half-empty collection.
 */
async function* collectObjects(config: TypedConfig, ctx: SourceContext): AsyncGenerator<Batch<never>> {
  const kv = kvstoreOf(ctx);
  const wanted = kinds(config);
  for (const c of collectionsOf(wanted)) await kv.check(c);
  const snapshot = `${new Date(ctx.now()).toISOString()}_${randomBytes(4).toString('hex')}`;
  const counts = new Map<string, { records: number; skipped: number; notJson: number; notObject: number; sample?: string; derived: number }>();
  /** The excerpt of an unreadable item is logged once per run (the PCE sends the same each run). */
  let shown = false;
  const policyVersion = config.policy_version === 'draft' ? 'draft' : 'active';
  /** A KV store that fails mid-snapshot: what stays for the lookups, in the admin's words. */
  const kept = async (collection: string, write: () => Promise<void>): Promise<void> => {
    try {
      await write();
    } catch (e) {
      if (!(e instanceof TransientError)) throw e;
      throw new TransientError(`${e.message} ${ctx.stanza}: the ${collection} snapshot was not completed, so lookups keep the previous objects there (and in the collections this run had not reached) until a run completes.`, e.status, { cause: e });
    }
  };
  for await (const chunk of fetchObjects(pceSettings(config, ctx), ctx, { kinds: wanted, policyVersion, maxResults: Number(config.max_results ?? 10_000) })) {
    const c = counts.get(chunk.collection) ?? { records: 0, skipped: 0, notJson: 0, notObject: 0, derived: 0 };
    c.derived += chunk.derived?.records.length ?? 0;
    c.records += chunk.records.length;
    c.skipped += chunk.skipped;
    c.notJson += chunk.notJson;
    c.notObject += chunk.notObject;
    c.sample ??= chunk.sample;
    counts.set(chunk.collection, c);
    if (chunk.records.length) await kept(chunk.collection, () => kv.batchSave(chunk.collection, chunk.records.map((r) => ({ ...r, snapshot }))));
    const derived = chunk.derived;
    if (derived?.records.length) await kept(derived.collection, () => kv.batchSave(derived.collection, derived.records.map((r) => ({ ...r, snapshot }))));
    if (!chunk.last) continue;
    await kept(chunk.collection, () => kv.deleteWhere(chunk.collection, { snapshot: { $ne: snapshot } }));
    if (derived) await kept(derived.collection, () => kv.deleteWhere(derived.collection, { snapshot: { $ne: snapshot } }));
    const unusable = c.skipped + c.notJson + c.notObject;
    if (unusable) {
      const first = c.sample && !shown ? `; the first unreadable one: ${c.sample}` : '';
      if (first) shown = true;
      ctx.log.warn(`${ctx.stanza}: ${unusable} ${chunk.kind} from the PCE could not be stored and were skipped (${unusableWhy({ ...c, noHref: c.skipped })}${first}); ${chunk.collection} was replaced with the other ${c.records}. Lookups miss the skipped objects until the PCE sends them intact; a listing with more than ${BAD_ITEMS.share * 100} % of such items (at least ${BAD_ITEMS.floor}, and fewer than half) is refused and keeps the previous snapshot. If this persists, check the objects in the PCE and report a PCE that sends broken objects to Illumio support.`);
    }
    ctx.log.info(`${ctx.stanza}: ${kv.where(chunk.collection)} now holds ${c.records} ${chunk.kind}${chunk.derived ? `, ${chunk.derived.collection} ${c.derived} records` : ''} (snapshot ${snapshot}).`);
    const event: OutEvent = {
      time: ctx.now() / 1000,
      sourcetype: OBJECTS_SOURCETYPE,
      data: JSON.stringify({
        object_type: chunk.kind, collection: chunk.collection, records: c.records, skipped: unusable, unreadable: c.notJson + c.notObject,
        ...(chunk.derived ? { derived_collection: chunk.derived.collection, derived_records: c.derived } : {}), snapshot, policy_version: policyVersion,
      }),
    };
    yield { events: [event] };
  }
}

export const objectsSource: Source<TypedConfig, never> = {
  description: objectsDescription,
  async validate(config, ctx) {
    await probe(config, ctx, `/orgs/${Number(config.org_id)}/labels`, 'labels');
    // Under splunkd the KV store must be there too; a form checked elsewhere has none to ask.
    if (ctx.kvstore) for (const c of collectionsOf(kinds(config))) await ctx.kvstore.check(c);
  },
  collect: collectObjects,
};
