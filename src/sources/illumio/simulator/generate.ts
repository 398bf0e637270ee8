/**
 * Deterministic PCE events. Event i of a seed is a pure function of (seed, i), so the simulator
 * can hold millions of events without storing them and tests can recompute exactly what a
 * window contains. Shapes follow the documented examples (REST API guide, Examples of Events):
 * the creator kinds, actions whose src_ip may be FILTERED, resource_changes with before/after,
 * notifications.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GenerateOptions {
  seed: number;
  org: number;
  pceFqdn: string;
  eventTypes: readonly string[];
  /** Use the names PCEs before 18.2 wrote (fw_config_change, activation_success, ...). */
  legacyNames?: boolean;
}

/** The compact list shipped for the demo and bench (tests read the reference TSV). */
export function defaultEventTypes(): string[] {
  const file = path.join(__dirname, '..', 'samples', 'event-types.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { event_types: string[] }).event_types;
}

/** Event types from a TSV whose first column is the type (header line skipped). */
export function eventTypesFromTsv(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').slice(1)
    .map((l) => l.split('\t')[0].trim())
    .filter((t) => /^[a-z0-9_]+\.[a-z0-9_.]+$/.test(t));
}

function mulberry32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rngFor(seed: number, i: number): () => number {
  // Mix seed and index so neighbouring events are unrelated.
  const r = mulberry32((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0);
  r(); r();
  return r;
}

function uuid(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`;
}

/** Unique per (seed, i): a 32-bit PRNG state alone would collide within a few 100k events. */
function eventUuid(r: () => number, seed: number, i: number): string {
  const u = uuid(r);
  const seedHex = ((seed >>> 0) & 0xffff).toString(16).padStart(4, '0');
  return `${u.slice(0, 9)}${seedHex}${u.slice(13, 24)}${i.toString(16).padStart(12, '0')}`;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const USERS = ['albert.einstein@bigco.com', 'marie.curie@bigco.com', 'soc.analyst@bigco.com', 'svc-automation@bigco.com', 'ada.lovelace@bigco.com'];
const HOSTS = ['web-prod-01', 'web-prod-02', 'db-prod-01', 'k8s-node-07', 'win-dc-01', 'jump-01', 'app-stg-03', 'pos-store-114'];
const CLUSTERS = ['eks-prod-eu', 'aks-payments', 'openshift-core'];
const METHODS: Record<string, string> = { create: 'POST', update: 'PUT', delete: 'DELETE' };

const LEGACY: Record<string, (status: string | null) => string> = {
  'agent.firewall_config': () => 'fw_config_change',
  'agent.activate': (s) => (s === 'failure' ? 'activation_failure' : 'activation_success'),
  'agent.deactivate': (s) => (s === 'failure' ? 'deactivation_failure' : 'deactivation_success'),
};

function ip(r: () => number): string {
  if (r() < 0.12) return 'FILTERED';
  return r() < 0.7
    ? `10.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`
    : `203.0.113.${1 + Math.floor(r() * 254)}`;
}

function creatorKind(type: string, status: string | null, r: () => number): string {
  const res = type.split('.')[0];
  if (type === 'user.sign_in' && status === 'failure') return 'system';
  if (/^(system_task|request|cluster|license|database)$/.test(res)) return 'system';
  if (res === 'agent' || res === 'agents') return r() < 0.6 ? 'agent' : 'ven';
  if (res === 'container_cluster') return 'container_cluster';
  return r() < 0.08 ? 'service_account' : 'user';
}

/** Builds event i for the given time. */
export function makeEvent(opts: GenerateOptions, i: number, timeMs: number): Record<string, unknown> {
  const r = rngFor(opts.seed, i);
  const type = pick(r, opts.eventTypes);
  const [res, verb = 'update'] = type.split(/\.(.*)/s);
  const failure = r() < (res === 'user' || res === 'request' ? 0.18 : 0.04);
  const status: string | null = type === 'agent.clone_detected' || res === 'system_task' ? null : failure ? 'failure' : 'success';
  const kind = creatorKind(type, status, r);
  const org = opts.org;
  const user = pick(r, USERS);
  const userN = 1 + USERS.indexOf(user);
  const host = pick(r, HOSTS);
  const agentN = 100 + Math.floor(r() * 900);
  const created_by: Record<string, unknown> =
    kind === 'system' ? { system: {} }
      : kind === 'agent' ? { agent: { href: `/orgs/${org}/agents/${agentN}`, hostname: host } }
        : kind === 'ven' ? { ven: { href: `/orgs/${org}/vens/${uuid(r)}`, hostname: host } }
          : kind === 'container_cluster' ? { container_cluster: { href: `/orgs/${org}/container_clusters/${uuid(r)}`, name: pick(r, CLUSTERS) } }
            : kind === 'service_account' ? { service_account: { href: `/orgs/${org}/service_accounts/${uuid(r)}`, name: 'splunk-ingest' } }
              : { user: { href: `/users/${userN}`, username: user } };

  const severity = failure ? (r() < 0.5 ? 'err' : 'warning')
    : type === 'agent.tampering' ? 'warning'
      : res === 'system_task' && r() < 0.2 ? 'notice' : 'info';

  let action: Record<string, unknown> | null = null;
  if (kind === 'user' || kind === 'service_account' || res === 'request' || type.startsWith('user.sign')) {
    const login = type.startsWith('user.sign') || type === 'user.login' || type === 'user.logout';
    action = {
      uuid: uuid(r),
      api_endpoint: login ? `/login/users/${verb}` : `/api/v2/orgs/${org}/${res}s${verb === 'create' ? '' : `/${1 + Math.floor(r() * 60)}`}`,
      api_method: login ? (verb === 'sign_out' ? 'GET' : 'POST') : METHODS[verb] ?? 'PUT',
      http_status_code: failure ? pick(r, [400, 401, 403, 406, 422]) : verb === 'create' ? 201 : login ? 302 : 204,
      src_ip: ip(r),
    };
  } else if (kind === 'agent' || kind === 'ven') {
    action = {
      uuid: uuid(r),
      api_endpoint: `/api/v25/orgs/${org}/agents/${agentN}/${verb}`,
      api_method: 'PUT',
      http_status_code: failure ? 500 : 200,
      src_ip: ip(r),
    };
  }

  const resource_changes: unknown[] = [];
  if (!failure && (verb === 'create' || verb === 'update' || verb === 'delete')) {
    const href = `/orgs/${org}/${res}s/${1 + Math.floor(r() * 500)}`;
    const name = `${res}-${Math.floor(r() * 10000)}`;
    const changed = verb === 'update' ? `${name}-v${1 + Math.floor(r() * 9)}` : name;
    resource_changes.push({
      uuid: uuid(r),
      resource: { [res]: { href, name: verb === 'update' ? changed : name } },
      changes: {
        name: { before: verb === 'create' ? null : name, after: verb === 'delete' ? null : changed },
        ...(verb === 'update' ? { description: { before: null, after: `changed by ${kind}` } } : {}),
      },
      change_type: verb,
    });
  } else if (type === 'user.sign_in' && !failure) {
    const n = Math.floor(r() * 400);
    resource_changes.push({
      uuid: uuid(r),
      resource: { user: { href: `/users/${userN}`, type: 'local', username: user } },
      changes: { sign_in_count: { before: n, after: n + 1 } },
      change_type: 'update',
    });
  }

  const notifications: unknown[] = [];
  if (type === 'user.sign_in') {
    notifications.push(failure
      ? { uuid: uuid(r), notification_type: 'user.login_failed', info: { associated_user: { supplied_username: user } } }
      : { uuid: uuid(r), notification_type: 'user.login_session_created', info: { user: { href: `/users/${userN}`, type: 'local', username: user } } });
  } else if (type === 'user.sign_out') {
    notifications.push({ uuid: uuid(r), notification_type: 'user.login_session_terminated', info: { reason: 'user_logout', user: { href: `/users/${userN}`, username: user } } });
  } else if (type === 'user.update_password' && failure) {
    notifications.push({ uuid: uuid(r), notification_type: 'user.pw_complexity_not_met', info: null });
  } else if (res === 'agent' && (verb === 'clone_detected' || verb === 'tampering' || verb === 'goodbye')) {
    notifications.push({ uuid: uuid(r), notification_type: type, info: { agent: { href: `/orgs/${org}/agents/${agentN}`, name: null, hostname: host } } });
  }

  const eventType = opts.legacyNames && LEGACY[type] ? LEGACY[type](status) : type;
  return {
    href: `/orgs/${org}/events/${eventUuid(r, opts.seed, i)}`,
    timestamp: new Date(timeMs).toISOString(),
    pce_fqdn: opts.pceFqdn,
    created_by,
    event_type: eventType,
    status,
    severity,
    action,
    resource_changes,
    notifications,
    version: 2,
  };
}
