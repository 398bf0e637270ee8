/**
 * Renders one PCE event (events API JSON) as the PCE's syslog forwarder writes it: JSON, CEF or
 * LEEF after the RFC 5424 header and the PCE prefix (reference: illumio.md, "Syslog stream").
 * CEF: header fields escape `\` and `|`; extension values escape `\`, `=` and newlines, except
 * the raw JSON of resource_changes/notifications, which Illumio writes unescaped; more than
 * CEF_RC_LIMIT characters of resource_changes overflow into cs3 (resource_changes_2).
 * Used by tests (cross-format consistency) and the demo.
 */
export type PceEvent = Record<string, unknown>;

export const CEF_RC_LIMIT = 3995;

/** Illumio's syslog severity names and the CEF/LEEF numbers seen for them (info 1, warning 3, err 4). */
export const SEVERITY_NUMBER: Readonly<Record<string, number>> = { debug: 0, info: 1, notice: 2, warning: 3, err: 4, crit: 6, alert: 8, emerg: 10 };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `Mon dd yyyy HH:mm:ss.SSS +0000` (audit) or without millis and zone (flow summaries). */
export function cefTime(iso: string, withMillisAndZone = true): string {
  const d = new Date(iso);
  const base = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMillisAndZone ? `${base}.${pad(d.getUTCMilliseconds(), 3)} +0000` : base;
}

export function cefHeaderEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

export function cefValueEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n|\r|\n/g, '\\n');
}

export interface SyslogOptions {
  /** Host name in the syslog header (default: the event's pce_fqdn). */
  host?: string;
  program?: string;
  pceVersion?: string;
  /** Leave out the RFC 5424 header and PCE prefix (a relay that strips them). */
  bare?: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function get(e: PceEvent, ...path: string[]): unknown {
  let cur: unknown = e;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** The actor as CEF `duser` / LEEF `usrName` carry it: username, host or name, else `system`. */
export function actorOf(e: PceEvent): string {
  return (
    str(get(e, 'created_by', 'user', 'username')) ??
    str(get(e, 'created_by', 'service_account', 'name')) ??
    str(get(e, 'created_by', 'agent', 'hostname')) ??
    str(get(e, 'created_by', 'ven', 'hostname')) ??
    str(get(e, 'created_by', 'container_cluster', 'name')) ??
    'system'
  );
}

function prefix(e: PceEvent, o: SyslogOptions, program: string): string {
  if (o.bare) return '';
  const ts = str(e.timestamp) ?? str(e.time) ?? new Date(0).toISOString();
  const d = new Date(ts);
  const t5424 = `${d.toISOString().slice(0, 19)}.${pad(d.getUTCMilliseconds(), 3)}000+00:00`;
  const host = o.host ?? str(e.pce_fqdn) ?? 'pce';
  const rid = (str(e.href) ?? '').split('/').pop() || '00000000-0000-0000-0000-000000000000';
  return `<14>1 ${t5424} ${host} ${o.program ?? program} 12120 - [meta sequenceId="1"] sec=656349.156 sev=INFO pid=15944 tid=30326360 rid=${rid} `;
}

function programFor(e: PceEvent): string {
  const t = str(e.event_type) ?? '';
  if (t.startsWith('user.') || t.startsWith('request.')) return 'illumio_pce/login';
  if (t.startsWith('agent.') || t.startsWith('agents.')) return 'illumio_pce/agent';
  return 'illumio_pce/executor';
}

export function toSyslogJson(e: PceEvent, o: SyslogOptions = {}): string {
  return `${prefix(e, o, programFor(e))}${JSON.stringify(e)}`;
}

function nameWithStatus(e: PceEvent): string {
  const t = str(e.event_type) ?? 'unknown';
  const s = str(e.status);
  return s === 'success' || s === 'failure' ? `${t}.${s}` : t;
}

function titleCase(s: string): string {
  return s.replace(/[._]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export function toCef(e: PceEvent, o: SyslogOptions = {}): string {
  const sev = SEVERITY_NUMBER[str(e.severity) ?? 'info'] ?? 1;
  const name = nameWithStatus(e);
  const header = ['CEF:0', 'Illumio', 'PCE', o.pceVersion ?? '25.2.10', name, titleCase(name), String(sev)].map((x, i) => (i === 0 ? x : cefHeaderEscape(x))).join('|');
  const action = e.action && typeof e.action === 'object' ? (e.action as Record<string, unknown>) : undefined;
  const ext: string[] = [];
  const kv = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') ext.push(`${k}=${cefValueEscape(v)}`);
  };
  kv('rt', cefTime(str(e.timestamp) ?? str(e.time) ?? new Date(0).toISOString()));
  kv('dvchost', str(e.pce_fqdn));
  kv('duid', str(get(e, 'created_by', 'user', 'href')) ?? str(get(e, 'created_by', 'agent', 'href')) ?? str(get(e, 'created_by', 'ven', 'href')));
  kv('duser', actorOf(e));
  kv('dst', action ? (str(action.src_ip) ?? str(e.pce_fqdn)) : str(e.pce_fqdn));
  kv('outcome', str(e.status));
  kv('cat', 'audit_events');
  if (action) {
    kv('request', str(action.api_endpoint));
    kv('requestMethod', str(action.api_method));
    kv('reason', str(action.http_status_code));
  }
  const rc = JSON.stringify(e.resource_changes ?? []);
  // Raw JSON, not CEF-escaped: what the PCE writes.
  ext.push(`cs2=${rc.slice(0, CEF_RC_LIMIT)}`, 'cs2Label=resource_changes');
  if (rc.length > CEF_RC_LIMIT) ext.push(`cs3=${rc.slice(CEF_RC_LIMIT)}`, 'cs3Label=resource_changes_2');
  ext.push(`cs4=${JSON.stringify(e.notifications ?? [])}`, 'cs4Label=notifications');
  ext.push(`cn2=${str(e.version) ?? '2'}`, 'cn2Label=schema-version');
  ext.push('cs1Label=event_href', `cs1=${cefValueEscape(str(e.href) ?? '')}`);
  return `${prefix(e, o, programFor(e))}${header}|${ext.join(' ')}`;
}

/** A flow summary record (syslog JSON from illumio_pce/collector) as CEF. */
export function flowToCef(f: PceEvent, o: SyslogOptions & { pceFqdn: string }): string {
  const pd = Number(f.pd);
  const sig = pd === 2 ? 'flow_blocked' : pd === 1 ? 'flow_potentially_blocked' : pd === 3 ? 'flow_unknown' : 'flow_allowed';
  const act = pd === 2 ? 'blocked' : pd === 1 ? 'potentially_blocked' : pd === 3 ? 'unknown' : 'allowed';
  const header = ['CEF:0', 'Illumio', 'PCE', o.pceVersion ?? '25.2.10', sig, titleCase(sig), '1'].join('|');
  const ext = [
    `act=${act}`, `deviceDirection=${f.dir === 'O' ? 1 : 0}`, `dpt=${f.dst_port}`, `src=${f.src_ip}`, `dst=${f.dst_ip}`, `proto=${f.proto}`,
    `cnt=${f.count}`, `in=${f.tbi}`, `out=${f.tbo}`, `rt=${cefTime(str(f.timestamp) ?? str(f.time)!, false)}`, 'cat=flow_summary',
    `cn1=${f.interval_sec}`, 'cn1Label=interval_sec',
    ...(f.dbi !== undefined ? [`cn2=${f.dbi}`, 'cn2Label=dbi'] : []), ...(f.dbo !== undefined ? [`cn3=${f.dbo}`, 'cn3Label=dbo'] : []),
    `cs2=${f.state ?? ''}`, 'cs2Label=state',
    `shost=${f.src_hostname ?? ''}`, `cs5=${f.src_href ?? ''}`, 'cs5Label=src_href', `cs3=${JSON.stringify(f.src_labels ?? {})}`, 'cs3Label=src_labels',
    `dhost=${f.dst_hostname ?? ''}`, `cs6=${f.dst_href ?? ''}`, 'cs6Label=dst_href', `cs4=${JSON.stringify(f.dst_labels ?? {})}`, 'cs4Label=dst_labels',
    `dvchost=${o.pceFqdn}`,
  ].filter((x) => !/=$/.test(x));
  return `${prefix({ ...f, pce_fqdn: o.pceFqdn }, o, 'illumio_pce/collector')}${header}|${ext.join(' ')}`;
}

export interface LeefOptions extends SyslogOptions {
  version?: '1.0' | '2.0';
  /** LEEF 2.0 delimiter as written in the header: one character, `xHH` or `0xHH` (default tab). */
  delimiter?: string;
}

/** The character a LEEF 2.0 header's delimiter field stands for. */
export function leefDelimiterChar(field: string | undefined): string {
  if (!field) return '\t';
  const hex = /^(?:0x|x)([0-9a-fA-F]{2})$/.exec(field);
  return hex ? String.fromCharCode(parseInt(hex[1], 16)) : field[0];
}

export function toLeef(e: PceEvent, o: LeefOptions = {}): string {
  const version = o.version ?? '2.0';
  const delimField = version === '2.0' ? (o.delimiter ?? 'x09') : undefined;
  const d = version === '2.0' ? leefDelimiterChar(delimField) : '\t';
  const name = nameWithStatus(e);
  const header = `LEEF:${version}|Illumio|PCE|${o.pceVersion ?? '25.2.10'}|${name}|${delimField !== undefined ? `${delimField}|` : ''}`;
  const action = e.action && typeof e.action === 'object' ? (e.action as Record<string, unknown>) : undefined;
  const attrs: [string, string | undefined][] = [
    ['cat', 'audit_events'],
    ['devTime', cefTime(str(e.timestamp) ?? str(e.time) ?? new Date(0).toISOString())],
    ['devTimeFormat', 'MMM dd yyyy HH:mm:ss.SSS Z'],
    ['sev', String(SEVERITY_NUMBER[str(e.severity) ?? 'info'] ?? 1)],
    ['usrName', actorOf(e)],
    ['src', action ? str(action.src_ip) : undefined],
    ['pce_fqdn', str(e.pce_fqdn)],
    ['status', e.status === null ? 'null' : str(e.status)],
    ['severity', str(e.severity)],
    ['created_by', JSON.stringify(e.created_by ?? {})],
    ['action', JSON.stringify(e.action ?? null)],
    ['resource_changes', JSON.stringify(e.resource_changes ?? [])],
    ['notifications', JSON.stringify(e.notifications ?? [])],
    ['version', str(e.version)],
    ['event_href', str(e.href)],
  ];
  const body = attrs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${v}`).join(d);
  return `${prefix(e, o, programFor(e))}${header}${body}`;
}
