/**
 * Deterministic Lacework Edge records shaped like the API document's response samples. The
 * AlertStatus and incident_status integers are the simulator's own choice: the document gives
 * them as integers without naming them.
 */
export const SIM_ALERT_STATUS = { OPEN: 1, IN_PROGRESS: 2, CLOSED: 3 } as const;
export const SIM_INCIDENT_STATUS = { NONE: 0, TRUE_POSITIVE: 1, FALSE_POSITIVE: 2, BENIGN: 3 } as const;

export interface SimAuditEvent {
  account_name: string;
  auth_account_name: string;
  auth_role: number;
  auth_type: string;
  auth_uuid: string;
  client_ip: string;
  create_time: number;
  expire_time_sec: number;
  matched_path: string;
  method: string;
  op: string;
  path: string;
  proto_version: string;
  protocol: string;
  request_body: string;
  response_status: number;
  response_status_text: string;
  trace: string;
  user_display_name: string;
  user_login: string;
  uuid: string;
}

export interface SimAlert {
  account_name: string;
  assignment_time: number;
  closed_time: number;
  create_time: number;
  description: string;
  event_type: string;
  incident_status: number;
  owner_display_name: string;
  owner_uuid: string;
  policy_action_taken: number;
  related_entities: { devices_count: number; users_count: number };
  severity: number;
  status: number;
  update_time: number;
  uuid: string;
}

export interface SimInvestigationAction {
  account_and_alert_uuid: string;
  action: {
    action_type: number;
    alert_status_change?: { new_status: number };
    close_with_reason?: { incident_status: number; note_text: string };
    note?: { card_id: string; note_text: string };
    update_owner?: { owner_display_name: string; owner_uuid: string };
  };
  actor_display_name: string;
  actor_uuid: string;
  timestamp: number;
  uuid: string;
}

/** mulberry32: small, seedable, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SIM_USERS = [
  { uuid: 'u-0001', login: 'alice@example.com', name: 'Alice Admin' },
  { uuid: 'u-0002', login: 'bob@example.com', name: 'Bob Analyst' },
  { uuid: 'u-0003', login: 'carol@example.com', name: 'Carol Ops' },
  { uuid: 'u-0004', login: 'ci-bot@example.com', name: 'CI Bot' },
];

const EVENT_TYPES = ['impossible_travel', 'malware_download', 'data_exfiltration', 'anomalous_login', 'policy_violation', 'risky_app_access'];

export class SimData {
  readonly rand: () => number;
  private n = 0;
  /** Every secret written into a request_body, so tests can prove none reached an index. */
  readonly secrets: string[] = [];

  constructor(seed: number, readonly account = 'acme') {
    this.rand = prng(seed);
  }

  /** A version-4 shaped uuid from the seeded generator, so the same seed gives the same records. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.rand() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(this.rand() * 4)];
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  private secret(prefix: string): string {
    const s = `${prefix}${Math.floor(this.rand() * 1e12).toString(36)}${(++this.n).toString(36)}Zq`;
    this.secrets.push(s);
    return s;
  }

  private body(): { method: string; path: string; op: string; body: string } {
    const k = Math.floor(this.rand() * 7);
    switch (k) {
      case 0:
        return { method: 'POST', path: '/api/v1/users', op: 'CreateUser', body: JSON.stringify({ user_login: `new${this.n}@example.com`, display_name: 'New User', password: this.secret('Pw!') }) };
      case 1:
        return { method: 'POST', path: '/api/v1/integrations', op: 'CreateIntegration', body: JSON.stringify({ name: 'okta', config: { client_id: 'cid-42', client_secret: this.secret('cs_'), scopes: ['read', 'write'] }, tokens: [{ name: 'scim', token: this.secret('tk_') }] }) };
      case 2:
        return { method: 'POST', path: '/api/v1/login', op: 'Login', body: `username=bob&password=${this.secret('pw')}&remember=1` };
      case 3:
        return { method: 'PUT', path: '/api/v1/settings', op: 'UpdateSettings', body: `{"webhook":"https://hooks.example.com/x?token=${this.secret('wh')}","retries":3}` };
      case 4:
        return { method: 'POST', path: '/api/v1/apps', op: 'CreateApp', body: JSON.stringify({ name: `app-${this.n}`, host: 'intranet.example.com', port: 443, protocol: 'https' }) };
      case 5:
        return { method: 'GET', path: `/api/v1/groups/g-${Math.floor(this.rand() * 100)}`, op: 'GetGroup', body: '' };
      default:
        return { method: 'DELETE', path: `/api/v1/apps/a-${Math.floor(this.rand() * 100)}`, op: 'DeleteApp', body: '' };
    }
  }

  auditEvent(createTimeMs: number): SimAuditEvent {
    const u = this.pick(SIM_USERS);
    const b = this.body();
    const ok = this.rand() > 0.1;
    return {
      account_name: this.account,
      auth_account_name: this.account,
      auth_role: 1 + Math.floor(this.rand() * 3),
      auth_type: this.pick(['api_key', 'session', 'saml']),
      auth_uuid: u.uuid,
      client_ip: `198.51.100.${1 + Math.floor(this.rand() * 250)}`,
      create_time: createTimeMs,
      expire_time_sec: 0,
      matched_path: b.path.replace(/\/[a-z]-\d+$/, '/:uuid'),
      method: b.method,
      op: b.op,
      path: b.path,
      proto_version: 'HTTP/1.1',
      protocol: 'https',
      request_body: b.body,
      response_status: ok ? 200 : 403,
      response_status_text: ok ? 'OK' : 'Forbidden',
      trace: Math.floor(this.rand() * 2 ** 48).toString(16),
      user_display_name: u.name,
      user_login: u.login,
      uuid: this.uuid(),
    };
  }

  alert(createTimeMs: number): SimAlert {
    return {
      account_name: this.account,
      assignment_time: 0,
      closed_time: 0,
      create_time: createTimeMs,
      description: `Suspicious activity ${++this.n}`,
      event_type: this.pick(EVENT_TYPES),
      incident_status: SIM_INCIDENT_STATUS.NONE,
      owner_display_name: '',
      owner_uuid: '',
      policy_action_taken: Math.floor(this.rand() * 3),
      related_entities: { devices_count: Math.floor(this.rand() * 5), users_count: 1 + Math.floor(this.rand() * 3) },
      severity: 1 + Math.floor(this.rand() * 4),
      status: SIM_ALERT_STATUS.OPEN,
      update_time: createTimeMs,
      uuid: this.uuid(),
    };
  }
}
