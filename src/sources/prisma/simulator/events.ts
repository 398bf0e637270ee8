/**
 * Realistic Prisma SaaS log events, one shape per log_type, with the fields of Palo Alto
 * Networks' Log Events API page. Each generated event is unique (ids, names and timestamps carry
 * a sequence number) so tests can assert exactly-once by content.
 */
export const LOG_TYPES = ['activity_monitoring', 'incident', 'remediation', 'policy_violation', 'admin_audit'] as const;
export type LogType = (typeof LOG_TYPES)[number];
export type PrismaEvent = Record<string, string | number | null>;

const USERS = ['John Smith', 'Maria Garcia', 'Wei Chen', 'Aisha Khan', 'Lars Nilsson', 'Yuki Tanaka'];
const APPS = ['Box Corporate', 'Office 365 - Finance', 'Google Drive EU', 'Slack Engineering', 'AWS S3 prod', 'Salesforce Sales'];
const FILES = ['Q3 forecast.xlsx', 'customer-list.csv', 'design-spec.pdf', 'payroll 2026.xlsx', 'roadmap.pptx', 'id_rsa.bak'];
const RULES = ['PCI Policy', 'PII - SSN', 'Credentials in files', 'Public share of confidential', 'HIPAA PHI'];
const EXPOSURE = ['public', 'external', 'company', 'internal'];
const ADMIN_ROLES = ['super_admin', 'admin', 'limited_admin', 'read_only'];

/** Deterministic PRNG so a seed reproduces a stream. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

export interface GeneratorOptions {
  seed?: number;
  serial?: string;
  /** Only these log types (default: all five, incidents and activity most frequent). */
  types?: readonly LogType[];
  /** Timestamp of the first event, epoch ms (default: now). */
  startMs?: number;
}

export function eventGenerator(opts: GeneratorOptions = {}): () => PrismaEvent {
  const rand = rng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const serial = opts.serial ?? '007051000123456';
  const types = opts.types ?? LOG_TYPES;
  const weights = types.map((t) => (t === 'activity_monitoring' ? 4 : t === 'incident' ? 2 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let seq = 0;
  let clock = opts.startMs ?? Date.now();
  const email = (u: string) => `${u.toLowerCase().replace(/ /g, '.')}@example.com`;

  return (): PrismaEvent => {
    seq++;
    clock += 1 + Math.floor(rand() * 40);
    let r = rand() * total;
    let type = types[0];
    for (let i = 0; i < types.length; i++) {
      r -= weights[i];
      if (r < 0) { type = types[i]; break; }
    }
    // The service writes timestamps both with and without milliseconds; seconds-only ones are
    // made unique by the sequence number in the item name.
    const iso = new Date(clock).toISOString();
    const timestamp = seq % 3 === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
    const user = pick(USERS);
    const owner = pick(USERS);
    const item = `${pick(FILES).replace(/(\.[a-z]+)$/, ` ${seq}$1`)}`;
    const app = pick(APPS);
    const base = { item_type: 'File', item_name: item, serial, cloud_app_instance: app };
    switch (type) {
      case 'activity_monitoring':
        return {
          log_type: type, ...base, user, source_ip: `10.${seq % 250}.${Math.floor(rand() * 250)}.${1 + Math.floor(rand() * 250)}`,
          location: pick(['Santa Clara, USA', 'Amsterdam, Netherlands', 'Tokyo, Japan', 'Sydney, Australia']),
          action: pick(['view', 'download', 'upload', 'delete', 'share', 'login']),
          target_name: null, target_type: null, timestamp,
        };
      case 'incident':
        return {
          log_type: type, ...base, asset_id: hex(32), item_owner: owner, container_name: app.startsWith('AWS') ? 'prod-data' : null,
          item_creator: owner, exposure: pick(EXPOSURE), occurrences_by_rule: 1 + Math.floor(rand() * 20), timestamp,
          incident_id: hex(32), policy_rule_name: pick(RULES), incident_category: pick(['Testing', 'Business Justified', 'Personal', 'Unknown']),
          incident_owner: pick(USERS), severity: Math.floor(rand() * 6), collaborators: `${email(pick(USERS))},${email(pick(USERS))}`,
          datetime_edited: new Date(clock - 3600_000).toISOString(), item_owner_email: email(owner), item_creator_email: email(owner),
        };
      case 'remediation':
        return {
          log_type: type, ...base, asset_id: hex(32), item_owner: owner, item_creator: owner, container_name: null,
          action_taken: pick(['Admin Quarantine', 'UserQuarantine', 'Remove Public Links']),
          action_taken_by: rand() < 0.5 ? 'Aperture' : pick(USERS), timestamp, incident_id: hex(32),
          policy_rule_name: pick(RULES), item_owner_email: email(owner), item_creator_email: email(owner),
        };
      case 'policy_violation':
        return {
          log_type: type, severity: Math.floor(rand() * 6), ...base, item_owner: owner, item_creator: owner,
          action_taken: pick(['Alerted Admin', 'Removed PublicLinks', 'Quarantine', 'EmailOwner']),
          action_taken_by: 'Aperture', asset_id: hex(32), timestamp, policy_rule_name: pick(RULES), incident_id: hex(32),
          item_owner_email: null, item_creator_email: null,
        };
      case 'admin_audit': {
        const action = pick(['create', 'edit', 'delete', 'login', 'logout']);
        const login = action === 'login' || action === 'logout';
        return {
          log_type: type, admin_id: email(pick(USERS)), admin_role: pick(ADMIN_ROLES),
          ip: `192.0.2.${1 + (seq % 250)}`, event_type: login ? 'login' : pick(['settings', 'policy', 'remediation']),
          item_type: login ? 'user' : pick(['apps', 'settings', 'content_policy', 'risk', 'general_settings']),
          item_name: login ? `session ${seq}` : `${pick(RULES)} ${seq}`, field: login ? '' : pick(['enabled', 'action', 'severity']),
          action, resource_value_old: login ? '' : 'false', resource_value_new: login ? '' : 'true', timestamp, serial,
        };
      }
    }
  };
}

/**
 * Renders events the way the vendor's own documentation prints them: pretty `"key" : value`
 * pairs with a missing comma between two fields and a trailing comma, i.e. not valid JSON.
 */
export function seedStyleInvalid(ev: PrismaEvent): string {
  const pairs = Object.entries(ev).map(([k, v]) => `"${k}" : ${JSON.stringify(v)}`);
  const cut = Math.max(1, pairs.length - 2);
  return `{ ${pairs.slice(0, cut).join(', ')} ${pairs.slice(cut).join(', ')}, }`;
}
