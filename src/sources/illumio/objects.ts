/**
 * Policy objects for the coming `illumio_pce_objects` input: labels, workloads, IP lists,
 * services and rule sets as flat records, one KV-store collection each, for lookups that enrich
 * events and flows (workload href or IP → hostname and labels) and for VEN online/offline state.
 *
 * Paths from the guide's resource table: [org]/labels, [org]/workloads (listed under
 * agents/workloads), [org]/sec_policy/draft/ip_lists; services and rule_sets follow the same
 * sec_policy/<version>/ pattern (ASSUMPTION: the excerpt lists only ip_lists and label_groups
 * there). `policy_version` picks draft (what the guide shows) or active (what is enforced).
 *
 * Snapshot contract: records come in chunks per collection, `first` and `last` marked. A writer
 * stages the chunks and swaps the collection only after `last`; an error before `last` (a
 * truncated listing, a broken body) means the previous snapshot stays. A listing the PCE caps
 * (X-Total-Count above what came back, or exactly max_results items) is an error, never a
 * partial snapshot. An item that cannot be stored (not JSON, not an object, no href) is skipped
 * and counted, up to a bound (BAD_ITEMS); above it the listing is refused. ASSUMPTION: record field names (hostname, interfaces, online, ven.status,
 * agent.status.status, ip_ranges, service_ports, scopes, rules) follow Illumio's public docs;
 * the seed names the objects only.
 */
import { ProtocolError, TransientError } from '../../core/errors';
import { vendorText } from '../../core/log/redact';
import type { SourceContext } from '../../core/types';
import { apiBase, PceClient, type PceSettings } from './client';
import { hostShort } from './hostkey';
import { JsonArraySplitter } from './jsonarray';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export type ObjectRecord = Record<string, string | number | boolean | string[] | null>;

export interface ObjectKind {
  kind: 'labels' | 'workloads' | 'ip_lists' | 'services' | 'rule_sets';
  collection: string;
  path(org: number, version: 'draft' | 'active'): string;
  record(o: Obj): ObjectRecord | undefined;
  /**
   * A second collection filled from the same records and replaced with the same snapshot: the
   * workloads' interfaces one record per address, because a lookup matches a field's value and
   * a workload has several addresses.
   */
  derived?: { collection: string; records(r: ObjectRecord, o: Obj): ObjectRecord[] };
}

/**
 * KV-store keys are used in REST paths (storage/collections/data/<c>/<key>), so the href's
 * slashes become dots: /orgs/1/labels/7 → orgs.1.labels.7.
 */
export function kvKey(href: string): string {
  return href.replace(/^\/+/, '').replace(/\//g, '.');
}

function base(o: Obj): { _key: string; href: string; name: string | null } | undefined {
  const href = str(o.href);
  if (!href) return undefined;
  return { _key: kvKey(href), href, name: str(o.name) ?? null };
}

function labelPairs(labels: unknown): { pairs: string[]; values: string[]; hrefs: string[]; byKey: Record<string, string> } {
  const pairs: string[] = []; const values: string[] = []; const hrefs: string[] = []; const byKey: Record<string, string> = {};
  for (const l of arr(labels).map(obj)) {
    if (!l) continue;
    const href = str(l.href); const key = str(l.key); const value = str(l.value);
    if (href) hrefs.push(href);
    if (key && value !== undefined) {
      pairs.push(`${key}:${value}`);
      values.push(value);
      // One field per label dimension (label_role=web) for lookups; keys are [a-z0-9_] in practice.
      const field = `label_${key.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
      byKey[field] = byKey[field] ? `${byKey[field]},${value}` : value;
    }
  }
  return { pairs, values, hrefs, byKey };
}

/**
 * One word for what an analyst asks of a workload's VEN, the same in every lookup: unmanaged (no
 * VEN), suspended, online or offline (the PCE's heartbeat view), unknown when the PCE says nothing.
 * A text field, so searches need not know how KV store renders booleans.
 */
export function venState(managed: boolean, online: boolean | null, status: string | null): string {
  if (!managed) return 'unmanaged';
  if (status === 'suspended') return 'suspended';
  return online === true ? 'online' : online === false ? 'offline' : 'unknown';
}

/** What the interface records copy from their workload (the enrichment a flow's address gets). */
export const INTERFACE_COPIED = ['hostname', 'name', 'labels', 'label_values', 'label_role', 'label_app', 'label_env', 'label_loc', 'online', 'enforcement_mode', 'ven_status', 'ven_state', 'managed'] as const;

/**
 * A workload's interface addresses, one record each (_key: the workload's key and the address,
 * `:` of IPv6 as `-`, so the key stays one REST path segment). An address two workloads share
 * (overlapping private networks) gives two records; the lookup then outputs both hostnames.
 */
function interfaceRecords(w: ObjectRecord, o: Obj): ObjectRecord[] {
  const seen = new Set<string>();
  const out: ObjectRecord[] = [];
  for (const i of arr(o.interfaces).map(obj)) {
    const ip = str(i?.address);
    if (!ip || seen.has(ip)) continue;
    seen.add(ip);
    const rec: ObjectRecord = { _key: `${String(w._key)}.${ip.replace(/:/g, '-')}`, ip, interface: str(i?.name) ?? null, workload_href: w.href };
    for (const f of INTERFACE_COPIED) rec[f] = w[f] ?? null;
    out.push(rec);
  }
  return out;
}

export const OBJECT_KINDS: ObjectKind[] = [
  {
    kind: 'labels', collection: 'illumio_labels', path: (org) => `/orgs/${org}/labels`,
    record: (o) => {
      const b = base(o);
      return b && { ...b, key: str(o.key) ?? null, value: str(o.value) ?? null };
    },
  },
  {
    kind: 'workloads', collection: 'illumio_workloads', path: (org) => `/orgs/${org}/workloads`,
    record: (o) => {
      const b = base(o);
      if (!b) return undefined;
      const ifaces = arr(o.interfaces).map(obj).filter((i): i is Obj => !!i);
      const ven = obj(o.ven);
      const agentStatus = obj(obj(obj(o.agent)?.status));
      const { pairs, values, hrefs, byKey } = labelPairs(o.labels);
      const online = typeof o.online === 'boolean' ? o.online : null;
      const venStatus = str(ven?.status) ?? str(agentStatus?.status) ?? null;
      const managed = ven || agentStatus ? true : false;
      return {
        ...b,
        hostname: str(o.hostname) ?? null,
        // The key VEN reports match on when their hostname is not the PCE's (short name, case).
        host_short: hostShort(str(o.hostname)),
        ips: ifaces.map((i) => str(i.address)).filter((a): a is string => !!a),
        interfaces: ifaces.map((i) => `${str(i.name) ?? ''}:${str(i.address) ?? ''}${typeof i.cidr_block === 'number' ? `/${i.cidr_block}` : ''}`),
        public_ip: str(o.public_ip) ?? null,
        labels: pairs,
        label_values: values,
        label_hrefs: hrefs,
        ...byKey,
        online,
        enforcement_mode: str(o.enforcement_mode) ?? null,
        ven_href: str(ven?.href) ?? null,
        // Newer PCEs report the VEN under `ven`, older ones under `agent.status`.
        ven_status: venStatus,
        ven_state: venState(managed, online, venStatus),
        ven_version: str(ven?.version) ?? null,
        last_heartbeat_on: str(agentStatus?.last_heartbeat_on) ?? null,
        managed,
      };
    },
    derived: { collection: 'illumio_workload_interfaces', records: interfaceRecords },
  },
  {
    kind: 'ip_lists', collection: 'illumio_ip_lists', path: (org, v) => `/orgs/${org}/sec_policy/${v}/ip_lists`,
    record: (o) => {
      const b = base(o);
      if (!b) return undefined;
      const ranges = arr(o.ip_ranges).map(obj).filter((r): r is Obj => !!r)
        .map((r) => `${r.exclusion === true ? '!' : ''}${str(r.from_ip) ?? ''}${str(r.to_ip) ? `-${str(r.to_ip)}` : ''}`);
      return { ...b, description: str(o.description) ?? null, ranges, fqdns: arr(o.fqdns).map((f) => str(obj(f)?.fqdn)).filter((f): f is string => !!f) };
    },
  },
  {
    kind: 'services', collection: 'illumio_services', path: (org, v) => `/orgs/${org}/sec_policy/${v}/services`,
    record: (o) => {
      const b = base(o);
      if (!b) return undefined;
      const ports = arr(o.service_ports).map(obj).filter((p): p is Obj => !!p)
        .map((p) => `${p.port ?? 'any'}${p.to_port !== undefined ? `-${String(p.to_port)}` : ''}/${p.proto ?? 'any'}`);
      const win = arr(o.windows_services).map((w) => str(obj(w)?.service_name) ?? str(obj(w)?.process_name)).filter((w): w is string => !!w);
      return { ...b, description: str(o.description) ?? null, ports, windows_services: win };
    },
  },
  {
    kind: 'rule_sets', collection: 'illumio_rule_sets', path: (org, v) => `/orgs/${org}/sec_policy/${v}/rule_sets`,
    record: (o) => {
      const b = base(o);
      if (!b) return undefined;
      const scopes = arr(o.scopes).map((s) => arr(s).map((x) => str(obj(obj(x)?.label)?.href) ?? str(obj(obj(x)?.label_group)?.href)).filter(Boolean).join('&'));
      return { ...b, description: str(o.description) ?? null, enabled: typeof o.enabled === 'boolean' ? o.enabled : null, scopes, rule_count: arr(o.rules).length };
    },
  },
];

/** The collections of the chosen kinds, derived ones included (each must exist before a run). */
export function collectionsOf(wanted: readonly ObjectKind['kind'][]): string[] {
  return OBJECT_KINDS.filter((x) => wanted.includes(x.kind)).flatMap((k) => [k.collection, ...(k.derived ? [k.derived.collection] : [])]);
}

/** Every collection the objects input writes (the kinds' and the derived ones). */
export const OBJECT_COLLECTIONS: string[] = collectionsOf(OBJECT_KINDS.map((k) => k.kind));

export interface ObjectChunk {
  kind: ObjectKind['kind'];
  collection: string;
  records: ObjectRecord[];
  first: boolean;
  /** The collection is complete with this chunk: the writer may swap the snapshot now. */
  last: boolean;
  /** Items the PCE sent that had no href (not stored). */
  skipped: number;
  /** Items that were not JSON, or JSON but not an object (not stored). */
  notJson: number;
  notObject: number;
  /** The first unreadable item of the listing, redacted, then clipped and quoted (vendorText). */
  sample?: string;
  /** The derived collection's records of this chunk's objects (swapped with the same snapshot). */
  derived?: { collection: string; records: ObjectRecord[] };
}

/**
 * How many unusable items (not JSON, JSON but not an object, no href) a listing may carry and
 * still replace its snapshot: 1 % of the items, at least 5, and always fewer than half.
 *
 * Why a bound at all: the PCE sends the same broken item every run, so failing the listing on
 * it would never replace the snapshot again (one bad record stopping the input for good); the
 * item is skipped instead and the rest stored. But a listing that is mostly garbage (a broken
 * serialiser, a proxy rewriting bodies, another API behind pce_url) would replace 5,000
 * workloads with a handful, or with none, and every lookup would lose them: above the bound
 * the listing is refused and the previous snapshot stays. 1 % keeps a large estate's refusal
 * meaningful (50 of 5,000); the floor of 5 keeps one bad item from blocking a small listing
 * for good; "fewer than half" keeps a listing of 1 to 9 items from being replaced by mostly
 * nothing.
 */
export const BAD_ITEMS = { share: 0.01, floor: 5 } as const;

/** Why items were not stored, in the admin's words: "2 not JSON, 1 without href". */
export function unusableWhy(n: { notJson: number; notObject: number; noHref: number }): string {
  return [n.notJson && `${n.notJson} not JSON`, n.notObject && `${n.notObject} JSON but not an object`, n.noHref && `${n.noHref} without href`].filter(Boolean).join(', ');
}

/** The unusable items a listing of `items` may skip and still replace its snapshot (BAD_ITEMS). */
export function toleratedBadItems(items: number): number {
  return Math.max(0, Math.min(Math.max(BAD_ITEMS.floor, Math.floor(items * BAD_ITEMS.share)), Math.ceil(items / 2) - 1));
}

export interface ObjectOptions {
  maxResults?: number;
  chunkSize?: number;
  policyVersion?: 'draft' | 'active';
  kinds?: ObjectKind['kind'][];
}

/** Streams each listing and yields its records in chunks (bounded memory whatever the estate size). */
export async function* fetchObjects(settings: PceSettings, ctx: SourceContext, o: ObjectOptions = {}): AsyncGenerator<ObjectChunk> {
  const client = new PceClient(ctx.http, settings);
  const max = o.maxResults ?? 10_000;
  const size = o.chunkSize ?? 1000;
  const api = `${apiBase(settings.pceUrl)}/api/v2`;
  const refused: string[] = [];
  for (const k of OBJECT_KINDS.filter((x) => !o.kinds || o.kinds.includes(x.kind))) {
    const res = await client.request({ url: `${api}${k.path(settings.org, o.policyVersion ?? 'draft')}`, query: { max_results: max }, signal: ctx.signal }, k.kind);
    const total = Number(res.headers['x-total-count']);
    const capped = (n: number) => new TransientError(`${ctx.stanza}: the PCE ${client.where} lists ${Number.isFinite(total) ? total : `at least ${n}`} ${k.kind}, more than the ${max} one request returns; the ${k.collection} snapshot was not replaced (a partial one would drop objects). Raise the objects max_results setting.`);
    if (Number.isFinite(total) && total > max) { await res.dump(); throw capped(total); }
    const splitter = new JsonArraySplitter();
    let records: ObjectRecord[] = [];
    let derived: ObjectRecord[] = [];
    const emit = (last: boolean): ObjectChunk => ({
      kind: k.kind, collection: k.collection, records, first, last, skipped, notJson, notObject, ...(sample ? { sample } : {}),
      ...(k.derived ? { derived: { collection: k.derived.collection, records: derived } } : {}),
    });
    let first = true;
    let skipped = 0;
    let notJson = 0;
    let notObject = 0;
    let sample: string | undefined;
    /** The whole listing's unusable items (the chunk counters restart with each chunk). */
    const bad = { notJson: 0, notObject: 0, noHref: 0, sample: undefined as string | undefined };
    const excerpt = (text: string) => vendorText(text.slice(0, 64 * 1024), (t) => ctx.http.redact(t), 60);
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      for (const text of splitter.push(chunk)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          // The PCE sends this item again next run: skipped (see BAD_ITEMS), never the run's end.
          notJson++; bad.notJson++;
          if (!bad.sample) sample = bad.sample = `${text.length} characters starting ${excerpt(text)}`;
          continue;
        }
        const item = obj(parsed);
        if (!item) {
          notObject++; bad.notObject++;
          if (!bad.sample) sample = bad.sample = `${text.length} characters: ${excerpt(text)}`;
          continue;
        }
        const rec = k.record(item);
        if (rec) {
          records.push(rec);
          if (k.derived) derived.push(...k.derived.records(rec, item));
        } else { skipped++; bad.noHref++; }
        if (records.length >= size) {
          yield emit(false);
          records = []; derived = []; first = false; skipped = 0; notJson = 0; notObject = 0; sample = undefined;
        }
      }
    }
    splitter.end();
    if (splitter.elements >= max && !Number.isFinite(total)) throw capped(splitter.elements);
    const items = splitter.elements;
    const unusable = bad.notJson + bad.notObject + bad.noHref;
    const tolerated = toleratedBadItems(items);
    if (unusable > tolerated) {
      // The last chunk is withheld, so the writer never swaps: the previous snapshot stays.
      refused.push(`${ctx.stanza}: the PCE ${client.where} sent ${unusable} of ${items} ${k.kind} that cannot be stored (${unusableWhy(bad)}${bad.sample ? `; the first unreadable one: ${bad.sample}` : ''}). That is more than the ${tolerated} a listing of ${items} may skip (${BAD_ITEMS.share * 100} % of the items, at least ${BAD_ITEMS.floor}, and fewer than half), so the ${k.collection} snapshot was not replaced and lookups keep the previous ${k.kind}. Check that pce_url reaches the PCE directly (not through a proxy that rewrites answers) and that GET /api/v2${k.path(settings.org, o.policyVersion ?? 'draft')} returns the objects; a PCE that sends broken objects is a case for Illumio support.`);
      continue;
    }
    yield emit(true);
  }
  // A refused listing does not hold up the others: they were refreshed, then the run fails.
  if (refused.length) throw new ProtocolError(refused.join(' '));
}
