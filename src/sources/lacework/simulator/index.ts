/**
 * A Lacework Edge API stand-in on loopback: the three alert operations and the audit query with
 * the document's response shapes, alerts that change state over time, configurable auth header,
 * scheme, paths and time unit (all unknown in the real API), and a fault plan. It records what it
 * served so tests can assert exactly-once delivery.
 */
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { listen } from '../../../core/net/listen';
import { DEFAULT_PATHS } from '../description';
import { SIM_ALERT_STATUS, SIM_USERS, SimAlert, SimAuditEvent, SimData, SimInvestigationAction } from './data';

export * from './data';

export type SimOperation = 'audit' | 'alerts' | 'alert' | 'history';

export interface SimFault {
  /** Which operation; any when absent. */
  op?: SimOperation;
  /** Matching requests to let through first. */
  after?: number;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  kind: 'status' | 'reset' | 'delay' | 'truncate' | 'malformed';
  status?: number;
  retryAfter?: number;
  delayMs?: number;
}

export interface LaceworkSimulatorOptions {
  host?: string;
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  token?: string;
  /** Header carrying the token (default Authorization). */
  authHeader?: string;
  /** Word before the token; '' sends the token alone (default Bearer). */
  authScheme?: string;
  paths?: Partial<Record<SimOperation, string>>;
  /** Unit of query parameters and of times in responses (default ms). */
  timeUnit?: 'ms' | 's';
  /** proto3 JSON style: 64-bit integers as strings, zero values left out. */
  protoJson?: { int64AsString?: boolean; omitEmpty?: boolean };
  /** "Query open alerts" returns closed alerts too (default false: only open ones). */
  queryReturnsClosed?: boolean;
  /** Answer 400 to an alert query without status_filter (the document marks it required). */
  statusFilterRequired?: boolean;
  /** Which time start_time/end_time select on in the alert query (default create_time). */
  alertQueryTime?: 'create_time' | 'update_time';
  seed?: number;
  now?: () => number;
  faults?: SimFault[];
}

export interface SimRequest {
  op: SimOperation | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  count?: number;
}

export interface AlertChange {
  status?: number;
  incident_status?: number;
  owner?: { uuid: string; display_name: string } | null;
  close?: { incident_status: number; note?: string };
  note?: string;
  actor?: { uuid: string; display_name: string };
}

export interface LaceworkSimulator {
  url: string;
  token: string;
  options: Required<Pick<LaceworkSimulatorOptions, 'authHeader' | 'authScheme' | 'timeUnit'>> & { paths: Record<SimOperation, string> };
  stop(): Promise<void>;
  /** Adds n audit events with create_time spread over [fromMs, toMs]. */
  addAuditEvents(n: number, fromMs: number, toMs: number): SimAuditEvent[];
  auditEvents(): SimAuditEvent[];
  /** Adds records as given (repeats, records missing fields) to see how the input copes. */
  pushAuditRecords(records: Array<Partial<SimAuditEvent>>): void;
  /** Secrets planted in request_body values. */
  plantedSecrets(): string[];
  addAlerts(n: number, fromMs: number, toMs: number): SimAlert[];
  alerts(): SimAlert[];
  alert(uuid: string): SimAlert | undefined;
  /** Applies an investigation action: updates the alert and its history. */
  changeAlert(uuid: string, change: AlertChange): SimAlert;
  /** n random assignments/status moves/closures among open alerts (for the demo). */
  randomChanges(n: number): SimAlert[];
  history(uuid: string): SimInvestigationAction[];
  deleteAlert(uuid: string): void;
  addFault(f: SimFault): void;
  requests: SimRequest[];
}

export async function startLaceworkSimulator(opts: LaceworkSimulatorOptions = {}): Promise<LaceworkSimulator> {
  const token = opts.token ?? `sim-${randomUUID()}`;
  const authHeader = (opts.authHeader ?? 'Authorization').toLowerCase();
  const authScheme = opts.authScheme ?? 'Bearer';
  const timeUnit = opts.timeUnit ?? 'ms';
  const paths: Record<SimOperation, string> = {
    audit: DEFAULT_PATHS.audit, alerts: DEFAULT_PATHS.alerts, alert: DEFAULT_PATHS.alert, history: DEFAULT_PATHS.history,
    ...opts.paths,
  };
  const now = opts.now ?? Date.now;
  const queryTime = opts.alertQueryTime ?? 'create_time';
  const data = new SimData(opts.seed ?? 1);
  const audit: SimAuditEvent[] = [];
  const alerts = new Map<string, SimAlert>();
  const histories = new Map<string, SimInvestigationAction[]>();
  const faults = (opts.faults ?? []).map((f) => ({ ...f, seen: 0, used: 0 }));
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();

  const toUnit = (ms: number) => (timeUnit === 's' ? Math.floor(ms / 1000) : ms);
  const fromUnit = (v: number) => (timeUnit === 's' ? v * 1000 : v);
  const TIME_FIELDS = new Set(['create_time', 'update_time', 'closed_time', 'assignment_time', 'timestamp']);

  const serialize = (value: unknown): string =>
    JSON.stringify(value, (key, v) => {
      if (typeof v === 'number' && TIME_FIELDS.has(key)) v = toUnit(v);
      if (opts.protoJson?.omitEmpty && key !== '' && (v === 0 || v === '' || v === false)) return undefined;
      if (opts.protoJson?.int64AsString && typeof v === 'number' && TIME_FIELDS.has(key)) return String(v);
      return v;
    });

  const route = (pathname: string): { op: SimOperation | 'unknown'; uuid?: string } => {
    if (pathname === paths.audit) return { op: 'audit' };
    if (pathname === paths.alerts) return { op: 'alerts' };
    for (const op of ['alert', 'history'] as const) {
      const [pre, post] = paths[op].split('{uuid}');
      if (pathname.startsWith(pre) && pathname.endsWith(post) && pathname.length > pre.length + post.length) {
        const uuid = decodeURIComponent(pathname.slice(pre.length, pathname.length - post.length));
        if (!uuid.includes('/')) return { op, uuid };
      }
    }
    return { op: 'unknown' };
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://sim');
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const { op, uuid } = route(u.pathname);
    const record: SimRequest = { op, method: req.method ?? 'GET', path: u.pathname, query, status: 0 };
    requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = typeof body === 'string' ? body : serialize(body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };

    const expected = authScheme ? `${authScheme} ${token}` : token;
    if (req.headers[authHeader] !== expected) return send(401, { code: 16, message: 'unauthenticated' });
    if (op === 'unknown') return send(404, { code: 5, message: 'Not Found' });

    // Every fault counts the requests it matches; the first one that is due fires.
    let fault: (typeof faults)[number] | undefined;
    for (const f of faults) {
      if (f.op && f.op !== op) continue;
      f.seen++;
      if (!fault && f.seen > (f.after ?? 0) && f.used < (f.times ?? 1)) fault = f;
    }
    if (fault) {
      fault.used++;
      switch (fault.kind) {
        case 'status':
          return send(fault.status ?? 500, { code: 13, message: 'injected' }, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
        case 'reset':
          record.status = -1;
          req.socket.destroy();
          return;
        case 'delay':
          await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
          break;
        case 'truncate': {
          record.status = -2;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
          res.write('{"audit_events":[{"uuid":"');
          setTimeout(() => req.socket.destroy(), 10);
          return;
        }
        case 'malformed':
          return send(200, '<html>upstream gateway says hi</html>', { 'content-type': 'text/html' });
      }
    }

    if (req.method !== 'GET') return send(405, { code: 12, message: 'method not allowed' });
    const num = (name: string, required: boolean): number | undefined | null => {
      const raw = query[name];
      if (raw === undefined || raw === '') return required ? null : undefined;
      return /^\d+$/.test(raw) ? fromUnit(Number(raw)) : null;
    };

    if (op === 'audit') {
      const start = num('start_time', true);
      const end = num('end_time', false);
      if (start === null || end === null) return send(400, { code: 3, message: 'invalid start_time/end_time' });
      const hi = end ?? now();
      // Records without create_time (pushed by tests) are in every answer.
      const rows = audit.filter((e) => e.create_time === undefined || (e.create_time >= start! && e.create_time <= hi));
      record.count = rows.length;
      return send(200, { audit_events: rows });
    }
    if (op === 'alerts') {
      const start = num('start_time', true);
      const end = num('end_time', true);
      if (start === null || end === null) return send(400, { code: 3, message: 'start_time and end_time are required' });
      if (opts.statusFilterRequired && !query.status_filter) return send(400, { code: 3, message: 'status_filter is required' });
      const filter = query.status_filter ? query.status_filter.split(',').map(Number) : undefined;
      const rows = [...alerts.values()].filter((a) =>
        a[queryTime] >= start! && a[queryTime] <= end! && (opts.queryReturnsClosed || a.closed_time === 0)
        && (!filter || filter.includes(a.status)));
      record.count = rows.length;
      return send(200, { alerts: rows });
    }
    const a = alerts.get(uuid!);
    if (!a) return send(404, { code: 5, message: 'alert not found' });
    if (op === 'alert') return send(200, a);
    return send(200, { investigation_actions: histories.get(a.uuid) ?? [] });
  };

  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }) : createHttpServer();
  server.on('request', (req, res) => {
    handler(req, res).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1', 'Lacework Edge simulator');
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`;

  const spread = (n: number, from: number, to: number, i: number) =>
    Math.floor(from + ((to - from) * (i + data.rand())) / Math.max(n, 1));

  const act = (a: SimAlert, action: SimInvestigationAction['action'], actor: { uuid: string; display_name: string }, at: number) => {
    const list = histories.get(a.uuid) ?? [];
    list.push({
      account_and_alert_uuid: `${a.account_name}/${a.uuid}`,
      action, actor_display_name: actor.display_name, actor_uuid: actor.uuid, timestamp: at, uuid: data.uuid(),
    });
    histories.set(a.uuid, list);
  };

  const sim: LaceworkSimulator = {
    url,
    token,
    options: { authHeader: opts.authHeader ?? 'Authorization', authScheme, timeUnit, paths },
    requests,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    addAuditEvents(n, fromMs, toMs) {
      const added = Array.from({ length: n }, (_, i) => data.auditEvent(spread(n, fromMs, toMs, i)));
      audit.push(...added);
      audit.sort((x, y) => x.create_time - y.create_time);
      return added;
    },
    auditEvents: () => [...audit],
    pushAuditRecords(records) {
      audit.push(...(records as SimAuditEvent[]));
      audit.sort((x, y) => (x.create_time ?? 0) - (y.create_time ?? 0));
    },
    plantedSecrets: () => [...data.secrets],
    addAlerts(n, fromMs, toMs) {
      const added = Array.from({ length: n }, (_, i) => data.alert(spread(n, fromMs, toMs, i)));
      for (const a of added) alerts.set(a.uuid, a);
      return added.map((a) => ({ ...a }));
    },
    alerts: () => [...alerts.values()].map((a) => ({ ...a, related_entities: { ...a.related_entities } })),
    alert: (uuid) => {
      const a = alerts.get(uuid);
      return a && { ...a };
    },
    changeAlert(uuid, change) {
      const a = alerts.get(uuid);
      if (!a) throw new Error(`no alert ${uuid}`);
      // update_time must move even when two changes land in the same millisecond.
      const at = Math.max(now(), a.update_time + (timeUnit === 's' ? 1000 : 1));
      const actor = change.actor ?? { uuid: SIM_USERS[1].uuid, display_name: SIM_USERS[1].name };
      if (change.owner !== undefined) {
        a.owner_uuid = change.owner?.uuid ?? '';
        a.owner_display_name = change.owner?.display_name ?? '';
        a.assignment_time = change.owner ? at : 0;
        act(a, { action_type: 3, update_owner: { owner_uuid: a.owner_uuid, owner_display_name: a.owner_display_name } }, actor, at);
      }
      if (change.status !== undefined) {
        a.status = change.status;
        act(a, { action_type: 1, alert_status_change: { new_status: change.status } }, actor, at);
      }
      if (change.incident_status !== undefined) a.incident_status = change.incident_status;
      if (change.close) {
        a.status = SIM_ALERT_STATUS.CLOSED;
        a.incident_status = change.close.incident_status;
        a.closed_time = at;
        act(a, { action_type: 2, close_with_reason: { incident_status: change.close.incident_status, note_text: change.close.note ?? '' } }, actor, at);
      }
      if (change.note) act(a, { action_type: 4, note: { card_id: '', note_text: change.note } }, actor, at);
      a.update_time = at;
      return { ...a };
    },
    randomChanges(n) {
      const changed: SimAlert[] = [];
      for (let i = 0; i < n; i++) {
        const open = [...alerts.values()].filter((a) => a.closed_time === 0);
        if (!open.length) break;
        const a = open[Math.floor(data.rand() * open.length)];
        const r = data.rand();
        const owner = SIM_USERS[Math.floor(data.rand() * SIM_USERS.length)];
        if (!a.owner_uuid || r < 0.3) {
          changed.push(sim.changeAlert(a.uuid, { owner: { uuid: owner.uuid, display_name: owner.name }, status: SIM_ALERT_STATUS.IN_PROGRESS }));
        } else {
          changed.push(sim.changeAlert(a.uuid, { close: { incident_status: 1 + Math.floor(data.rand() * 3), note: 'Reviewed; user reset password: Temp#4711' } }));
        }
      }
      return changed;
    },
    history: (uuid) => [...(histories.get(uuid) ?? [])],
    deleteAlert(uuid) {
      alerts.delete(uuid);
      histories.delete(uuid);
    },
    addFault(f) {
      faults.push({ ...f, seen: 0, used: 0 });
    },
  };
  return sim;
}
