/**
 * Illumio PCE search-time knowledge as data: the four sourcetypes (events API JSON, syslog JSON,
 * CEF, LEEF), their transforms, the catalog lookups and the eventtypes. props.conf,
 * transforms.conf, eventtypes.conf, tags.conf and lookups/illumio_*.csv are generated from
 * `illumioKnowledge` (src/build/generators), so the catalog (./catalog.ts) is the one truth.
 *
 * Cost model (what Splunk pays per event; measured by `npm run bench` and test/knowledge):
 * - the raw event name is split once (EVAL-event_type_original) and an automatic lookup keyed on
 *   it supplies family, CIM model, change_type, object_category, action, signature and the
 *   pre-18.2 name; a second keyed on action class + status gives login success/failure; a third
 *   maps vendor_severity to CIM severity. Calculated fields are short and read extracted fields.
 * - JSON is parsed at most once per event (KV_MODE=json of illumio:pce:event); no spath(): Splunk
 *   parses the document again for every spath() call of every calculated field. The other
 *   formats read the few JSON keys they need with key-anchored regexes.
 * - every regex is linear: character-class runs, no `.*?` scans, so PCRE2 stays far below
 *   transforms.conf MATCH_LIMIT/DEPTH_LIMIT even on 1 MB events (test/knowledge/pcre2.test.ts).
 */
import type { EventTypeDefinition } from '../../core/eventtype';
import { line, type ConfLine, type LookupTableSpec, type SourceKnowledge, type StanzaSpec } from '../../core/knowledge/spec';
import { JSON_EVENT_TRUNCATE } from '../../core/knowledge/limits';
import {
  ActionClass,
  ILLUMIO_EVENT_TYPES,
  ILLUMIO_FAMILIES,
  ILLUMIO_RENAMES,
  ILLUMIO_SOURCETYPES,
} from './catalog';
import { SEVERITY_NUMBER } from './formats';
import { ILLUMIO_INDEX_MACRO_DESCRIPTION, ILLUMIO_MACROS, ILLUMIO_SEARCHES } from './searches';
import { hostShortEval } from './hostkey';
import { REST_EVENTTYPES, REST_PROPS, REST_TRANSFORMS, workloadLookups } from './knowledge-rest';

// ---------------------------------------------------------------------------------------------
// Shared expressions: defined once here, emitted with a comment an admin can read.

/** `"…"` as an eval string literal (backslashes and quotes escaped as Splunk's eval reads them). */
export function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The raw name without the `.success`/`.failure` that CEF and LEEF append. */
const splitName = (name: string) => `replace(${name}, ${q('\\.(?:success|failure)$')}, "")`;

/** Legacy (pre-18.2) name → current name, as a case() generated from ILLUMIO_RENAMES. */
function renameCase(s: string): string {
  const byCurrent = new Map<string, string[]>();
  for (const r of ILLUMIO_RENAMES) byCurrent.set(r.current, [...(byCurrent.get(r.current) ?? []), r.legacy]);
  const arms = [...byCurrent].map(([cur, olds]) => `${olds.length === 1 ? `${s}==${q(olds[0])}` : `in(${s}, ${olds.map(q).join(', ')})`}, ${q(cur)}`);
  return `case(${arms.join(', ')}, true(), ${s})`;
}

/** success/failure from the status field, else from the suffix of the name (new or pre-18.2). */
const statusOf = (status: string, name: string) =>
  `coalesce(${status}, case(match(${name}, ${q('[._]success$')}), "success", match(${name}, ${q('[._]failure$')}), "failure"))`;

/** An IPv4 or IPv6 address; anything else (FILTERED, the PCE's own name) is no client address. */
const IP_RE = '^(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*)$';
const ipOrNull = (v: string) => `if(match(${v}, ${q(IP_RE)}), ${v}, null())`;

/** CEF/LEEF numeric severity → Illumio's syslog severity name (SEVERITY_NUMBER in ./formats.ts). */
const severityName = (n: string) => `case(${Object.entries(SEVERITY_NUMBER).map(([name, num]) => `${n}==${q(String(num))}, ${q(name)}`).join(', ')})`;

/** IANA protocol number (or name) → CIM transport; other protocols have none. */
const transportOf = (p: string) => `case(${p}=="6" OR lower(${p})=="tcp", "tcp", ${p}=="17" OR lower(${p})=="udp", "udp", in(${p}, "1", "58") OR lower(${p})=="icmp", "icmp")`;

/** CEF escapes `\\` and `\=` in extension values; this undoes them. */
const cefUnescape = (f: string) => `replace(${f}, ${q('\\\\([\\\\=])')}, "\\1")`;

/** Illumio's CEF labels: which slot carries what, and whether the label comes before the value. */
const CEF_LABELS: { slot: string; label: string; field: string; json?: boolean; labelFirst?: boolean; bounded?: boolean }[] = [
  { slot: 'cs1', label: 'event_href', field: 'event_href', labelFirst: true },
  { slot: 'cs2', label: 'resource_changes', field: 'resource_changes', json: true, bounded: true },
  { slot: 'cs3', label: 'resource_changes_2', field: 'resource_changes_2', json: true },
  { slot: 'cs4', label: 'notifications', field: 'notifications', json: true },
  { slot: 'cn2', label: 'schema-version', field: 'schema_version' },
  { slot: 'cn1', label: 'interval_sec', field: 'interval_sec' },
  { slot: 'cn2', label: 'dbi', field: 'dbi' },
  { slot: 'cn3', label: 'dbo', field: 'dbo' },
  { slot: 'cs2', label: 'state', field: 'state' },
  { slot: 'cs3', label: 'src_labels', field: 'src_labels', json: true, bounded: true },
  { slot: 'cs4', label: 'dst_labels', field: 'dst_labels', json: true, bounded: true },
  { slot: 'cs5', label: 'src_href', field: 'src_href' },
  { slot: 'cs6', label: 'dst_href', field: 'dst_href' },
];

function cefLabelTransforms(): StanzaSpec[] {
  return CEF_LABELS.map((l) => {
    const label = l.label.replace(/[-]/g, '\\-');
    // JSON may hold spaces and `=`: the value runs up to the label Illumio writes after it.
    // resource_changes_2 and notifications take the line greedily and give back only the short tail
    // after their label. The others are short (cs2 is capped by Illumio at CEF_RC_LIMIT characters,
    // flow labels are a few words): at most 200 space-separated chunks, so a slot holding something
    // else (cs3 of a bulk change) fails within a few hundred steps. No construct nests backtracking
    // deeper than DEPTH_LIMIT.
    const value = l.json ? (l.bounded ? `[^ ]*(?: (?!${l.slot}Label=)[^ ]*){0,200}` : '.*') : '\\S*';
    const regex = l.labelFirst
      ? `(?<=[\\s|])${l.slot}Label=${label} ${l.slot}=(?<${l.field}>${value})`
      : `(?<=[\\s|])${l.slot}=(?<${l.field}>${value}) ${l.slot}Label=${label}(?=\\s|$)`;
    return { name: `illumio_cef_${l.slot}_${l.field}`, lines: [line('REGEX', regex)] };
  });
}

// ---------------------------------------------------------------------------------------------
// Formats: how each sourcetype reaches the same logical values.

interface FlowAccess {
  /** True for a flow summary record. */
  is: string;
  src: string;
  dst: string;
  dport: string;
  proto: string;
  bytesIn: string;
  bytesOut: string;
  count: string;
  shost: string;
  dhost: string;
  /** The workloads' hrefs, where the format carries them (keys of the href lookups). */
  shref?: string;
  dhref?: string;
  /** allowed, potentially_blocked, blocked, unknown */
  decision: string;
  direction: string;
}

interface IllumioFormat {
  sourcetype: string;
  comment: string;
  head: ConfLine[];
  /** Raw event name (may carry .success/.failure); null on flow records. */
  name: string;
  status: string;
  vendorSeverity: string;
  href: string;
  fqdn: string;
  dvc: string;
  actor: string;
  /** The actor when it is a VEN (its own API calls): the client when the PCE filtered the address. */
  venActor: string;
  client: string;
  method: string;
  endpoint: string;
  http: string;
  flow?: FlowAccess;
  extra?: ConfLine[];
}

const VEN_ACTOR = 'if(in(illumio_actor_type, "agent", "ven"), illumio_actor, null())';

const PCE_PREFIX = '(?:^|\\s)sec=(?<pce_sec>\\S+)\\s+sev=(?<pce_sev>\\S+)\\s+pid=(?<pce_pid>\\d+)\\s+tid=(?<pce_tid>\\d+)\\s+rid=(?<pce_rid>\\S+)';
/** RFC 5424: `<pri>1 time host app procid msgid `; RFC 3164: `<pri>Mmm dd hh:mm:ss host tag[pid]: `. */
const SYSLOG_5424 = '^(?:<(?<syslog_pri>\\d{1,3})>)?1 (?<syslog_time>\\S+) (?<syslog_host>\\S+) (?<syslog_app>\\S+) (?<syslog_procid>\\S+) (?<syslog_msgid>\\S+) ';
const SYSLOG_3164 = '^(?:<(?<syslog_pri>\\d{1,3})>)?(?<syslog_time>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d) (?<syslog_host>[^\\s:]+) (?<syslog_app>[^\\s:\\[]+)(?:\\[(?<syslog_procid>\\d+)\\])?: ';

function syslogHeader(): ConfLine[] {
  return [
    line('EXTRACT-a1_syslog_3164', SYSLOG_3164, 'Syslog header, RFC 3164 (BSD) or RFC 5424, whichever the relay wrote; syslog_host names the sender.'),
    line('EXTRACT-a2_syslog_5424', SYSLOG_5424),
    line('EXTRACT-b_pce_prefix', PCE_PREFIX, 'The PCE\'s own prefix before the payload.'),
  ];
}

const common = (truncate = String(JSON_EVENT_TRUNCATE)): ConfLine[] => [
  line('SHOULD_LINEMERGE', 'false'),
  line('LINE_BREAKER', '([\\r\\n]+)'),
  line('TRUNCATE', truncate),
];

/** Details inside resource_changes and notifications, read from the raw text by key-anchored regexes. */
export const DETAIL_TRANSFORMS = [
  'illumio_resource', 'illumio_resource_href', 'illumio_resource_name', 'illumio_change_type', 'illumio_changed_attr',
  'illumio_notification_type', 'illumio_supplied_username', 'illumio_notification_src_ip', 'illumio_notification_host', 'illumio_actor',
];

/** Keys Illumio writes once at the top level of an event or a flow record (illumio:pce:syslog). */
const TOP_KEYS = ['href', 'src_ip', 'pce_fqdn', 'event_type', 'status', 'severity', 'version', 'dst_ip', 'dst_port', 'proto', 'count', 'tbi', 'tbo', 'pd', 'dir', 'src_hostname', 'dst_hostname', 'state', 'interval_sec'];
const ACTION_KEYS = ['api_method', 'api_endpoint', 'http_status_code', 'src_ip'];

/** RFC 3339 timestamps of the JSON formats (event API and syslog payload), read after `prefix`. */
function jsonTime(prefix: string, comment?: string): ConfLine[] {
  return [
    line('TIME_PREFIX', prefix, comment),
    line('TIME_FORMAT', '%Y-%m-%dT%H:%M:%S.%3N%Z'),
    line('MAX_TIMESTAMP_LOOKAHEAD', '32'),
    line('TZ', 'UTC'),
  ];
}

/** Where the two JSON formats keep an event's own fields: under the same keys. */
const JSON_EVENT_FIELDS = {
  name: 'event_type',
  status: 'nullif(status, "null")',
  vendorSeverity: 'nullif(severity, "null")',
  href: 'href',
  fqdn: 'pce_fqdn',
  actor: 'coalesce(illumio_actor, illumio_actor_type)',
  venActor: VEN_ACTOR,
} as const;

const JSON_EVENT: IllumioFormat = {
  sourcetype: 'illumio:pce:event',
  comment: 'Events API JSON (the illumio_pce_events input). KV_MODE=json is the one JSON parse per event.',
  head: [
    ...common(),
    ...jsonTime('"timestamp"\\s*:\\s*"', 'With or without fractional seconds: a timestamp TIME_FORMAT cannot read falls back to automatic recognition.'),
    line('KV_MODE', 'json'),
    line('AUTO_KV_JSON', 'true'),
    line('REPORT-illumio_details', DETAIL_TRANSFORMS.join(', ')),
  ],
  ...JSON_EVENT_FIELDS,
  dvc: 'pce_fqdn',
  client: "'action.src_ip'",
  method: "'action.api_method'",
  endpoint: "'action.api_endpoint'",
  http: "nullif('action.http_status_code', \"null\")",
};

const SYSLOG: IllumioFormat = {
  sourcetype: 'illumio:pce:syslog',
  comment: 'JSON after a syslog header (the PCE\'s syslog forwarder): audit events and flow summaries (version 4).\nThe payload is not parsed as JSON: key-anchored regexes read the keys Illumio writes.',
  head: [
    ...common(),
    ...jsonTime('"(?:timestamp|time)"\\s*:\\s*"'),
    line('KV_MODE', 'none'),
    line('AUTO_KV_JSON', 'false'),
    ...syslogHeader(),
    line('EXTRACT-c_payload', '(?<illumio_json>\\{"[^\\r\\n]*)', 'The JSON payload: from the first {" to the end of the line (also when TRUNCATE cut its end).'),
    line('REPORT-a_json', 'illumio_json_top, illumio_action_object, illumio_action_fields'),
    line('REPORT-illumio_details', DETAIL_TRANSFORMS.join(', ')),
  ],
  ...JSON_EVENT_FIELDS,
  dvc: 'coalesce(pce_fqdn, syslog_host)',
  client: 'src_ip',
  method: 'api_method',
  endpoint: 'api_endpoint',
  http: 'nullif(http_status_code, "null")',
  flow: {
    is: 'version=="4"', src: 'src_ip', dst: 'dst_ip', dport: 'dst_port', proto: 'proto', bytesIn: 'tbi', bytesOut: 'tbo', count: 'count',
    shost: 'src_hostname', dhost: 'dst_hostname',
    decision: 'case(pd=="0", "allowed", pd=="1", "potentially_blocked", pd=="2", "blocked", pd=="3", "unknown")',
    direction: 'case(dir=="I", "inbound", dir=="O", "outbound")',
  },
};

const CEF: IllumioFormat = {
  sourcetype: 'illumio:pce:cef',
  comment: 'CEF after a syslog header. rt with or without milliseconds and zone (without: automatic recognition).\nIllumio writes raw JSON, unescaped, in cs2/cs3/cs4: those values are anchored to the labels Illumio puts after them.',
  head: [
    ...common(),
    line('TIME_PREFIX', '[\\s|]rt='),
    line('TIME_FORMAT', '%b %d %Y %H:%M:%S.%3N %z'),
    line('MAX_TIMESTAMP_LOOKAHEAD', '32'),
    line('TZ', 'UTC'),
    line('KV_MODE', 'none'),
    line('AUTO_KV_JSON', 'false'),
    ...syslogHeader(),
    line(
      'EXTRACT-c_cef_header',
      'CEF:(?<cef_version>\\d+)\\|(?<cef_vendor>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|(?<cef_product>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|(?<cef_device_version>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|(?<cef_signature_id>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|(?<cef_name>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|(?<cef_severity>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|',
    ),
    line(
      'EXTRACT-d_cef_audit_name',
      'CEF:\\d+\\|(?:[^|\\\\]*(?:\\\\.[^|\\\\]*)*\\|){3}(?!flow_(?:allowed|blocked|potentially_blocked|unknown)\\|)(?<illumio_event_name>[^|\\\\]*(?:\\\\.[^|\\\\]*)*)\\|',
      'The audit event name (flow summaries carry flow_<decision> there instead).',
    ),
    line('REPORT-a_cef', ['illumio_cef_extension', ...cefLabelTransforms().map((t) => t.name)].join(', ')),
    line('REPORT-illumio_details', DETAIL_TRANSFORMS.join(', ')),
  ],
  name: 'illumio_event_name',
  status: 'if(in(lower(outcome), "success", "failure"), lower(outcome), null())',
  vendorSeverity: severityName('cef_severity'),
  href: 'event_href',
  fqdn: 'dvchost',
  dvc: 'coalesce(dvchost, syslog_host)',
  actor: cefUnescape('duser'),
  venActor: `if(match(duid, ${q('/(?:agents|vens)/')}), ${cefUnescape('duser')}, null())`,
  // Illumio puts the client address of the API call in dst (the PCE's name when there is none).
  client: 'dst',
  method: 'requestMethod',
  endpoint: cefUnescape('request'),
  http: 'reason',
  flow: {
    is: 'cat=="flow_summary"', src: 'src', dst: 'dst', dport: 'dpt', proto: 'proto', bytesIn: 'in', bytesOut: 'out', count: 'cnt',
    shost: 'shost', dhost: 'dhost', shref: 'src_href', dhref: 'dst_href', decision: 'act', direction: 'case(deviceDirection=="0", "inbound", deviceDirection=="1", "outbound")',
  },
  extra: [
    line('EVAL-resource_changes', 'if(isnotnull(resource_changes_2), resource_changes . resource_changes_2, resource_changes)', 'Illumio splits resource_changes over cs2 and cs3 when it is long.'),
    ...['request', 'duser', 'suser', 'msg', 'act', 'dhost', 'shost', 'dvchost'].map((f, i) =>
      line(`EVAL-${f}`, cefUnescape(f), i === 0 ? 'CEF escapes (\\= and \\\\) undone in the text fields.' : undefined),
    ),
  ],
};

/**
 * LEEF delimiters: header forms (LEEF 2.0: the character, xHH or 0xHH) and the character. Not `,`:
 * Illumio's attributes carry raw JSON, which always holds commas, and LEEF values cannot hold the
 * delimiter.
 */
const LEEF_DELIMITERS: { name: string; char: string; hex: string }[] = [
  { name: 'caret', char: '^', hex: '5E' }, { name: 'pipe', char: '|', hex: '7C' }, { name: 'tilde', char: '~', hex: '7E' },
  { name: 'semicolon', char: ';', hex: '3B' }, { name: 'hash', char: '#', hex: '23' },
  { name: 'bang', char: '!', hex: '21' }, { name: 'at', char: '@', hex: '40' }, { name: 'dollar', char: '$', hex: '24' },
  { name: 'percent', char: '%', hex: '25' }, { name: 'star', char: '*', hex: '2A' }, { name: 'plus', char: '+', hex: '2B' },
];
const reEscape = (c: string) => (/[\\^$.|?*+()[\]{}]/.test(c) ? `\\${c}` : c);
const hexForm = (hex: string) => `0?x${hex[0]}[${hex[1].toUpperCase()}${hex[1].toLowerCase()}]`;

function leefExtracts(): ConfLine[] {
  const out: ConfLine[] = [
    line(
      'EXTRACT-d_leef_tab',
      `LEEF:(?:1\\.0\\|(?:[^|]*\\|){4}|2\\.0\\|(?:[^|]*\\|){4}(?:(?:${hexForm('09')}|\\t)\\||(?=[^|=]*=)))(?<leef_attrs_tab>.*)`,
      'Attributes split by the delimiter the header declares (LEEF 1.0: tab; LEEF 2.0: the 6th header field, a character,\nxHH or 0xHH, tab when absent), so a value holding another delimiter character stays whole.',
    ),
  ];
  for (const d of LEEF_DELIMITERS) {
    const forms = d.char === '|' ? hexForm(d.hex) : `${reEscape(d.char)}|${hexForm(d.hex)}`;
    out.push(line(`EXTRACT-d_leef_${d.name}`, `LEEF:2\\.0\\|(?:[^|]*\\|){4}(?:${forms})\\|(?<leef_attrs_${d.name}>.*)`));
  }
  return out;
}

function leefTransforms(): StanzaSpec[] {
  const all = [{ name: 'tab', char: '\t' }, ...LEEF_DELIMITERS];
  return all.map((d) => {
    const c = d.char === '\t' ? '\\t' : reEscape(d.char);
    return {
      name: `illumio_leef_attrs_${d.name}`,
      lines: [
        line('SOURCE_KEY', `leef_attrs_${d.name}`),
        line('REGEX', `(?:^|${c})(?<_KEY_1>[A-Za-z][A-Za-z0-9_]*)=(?<_VAL_1>[^${c === '\\t' ? '\\t' : c}]*)`),
      ],
    };
  });
}

/** Java SimpleDateFormat (LEEF devTimeFormat) → strptime, for dev_time at search time. */
const JAVA_TO_STRPTIME: [string, string][] = [['yyyy', '%Y'], ['MMM', '%b'], ['MM', '%m'], ['dd', '%d'], ['HH', '%H'], ['mm', '%M'], ['ss', '%S'], ['SSS', '%3N'], ['(?<!%)z', '%Z'], ['(?<!%)Z', '%z']];
const devTimeFormat = () => JAVA_TO_STRPTIME.reduce((acc, [java, c]) => `replace(${acc}, ${q(java)}, ${q(c)})`, 'devTimeFormat');

const LEEF: IllumioFormat = {
  sourcetype: 'illumio:pce:leef',
  comment: 'LEEF 1.0 or 2.0 after a syslog header. devTime with or without milliseconds; dev_time follows devTimeFormat.',
  head: [
    ...common(),
    line('TIME_PREFIX', 'devTime='),
    line('TIME_FORMAT', '%b %d %Y %H:%M:%S.%3N %z'),
    line('MAX_TIMESTAMP_LOOKAHEAD', '40'),
    line('TZ', 'UTC'),
    line('KV_MODE', 'none'),
    line('AUTO_KV_JSON', 'false'),
    ...syslogHeader(),
    line('EXTRACT-c_leef_header', 'LEEF:(?<leef_version>\\d+\\.\\d+)\\|(?<leef_vendor>[^|]*)\\|(?<leef_product>[^|]*)\\|(?<leef_product_version>[^|]*)\\|(?<leef_event_id>[^|]*)\\|'),
    ...leefExtracts(),
    line('REPORT-a_leef', [...leefTransforms().map((t) => t.name), 'illumio_action_object', 'illumio_action_fields'].join(', ')),
    line('REPORT-illumio_details', DETAIL_TRANSFORMS.join(', ')),
  ],
  name: 'leef_event_id',
  status: 'nullif(status, "null")',
  vendorSeverity: `coalesce(nullif(severity, "null"), ${severityName('sev')})`,
  href: 'event_href',
  fqdn: 'pce_fqdn',
  dvc: 'coalesce(pce_fqdn, syslog_host)',
  actor: 'coalesce(illumio_actor, usrName)',
  venActor: `if(match(created_by, ${q('^\\{\\s*"(?:agent|ven)"')}), usrName, null())`,
  client: 'src',
  method: 'api_method',
  endpoint: 'api_endpoint',
  http: 'nullif(http_status_code, "null")',
  extra: [
    line('EVAL-dev_time', `if(isnotnull(devTimeFormat), strptime(devTime, ${devTimeFormat()}), null())`, 'devTime read with the devTimeFormat of the event (Java pattern), as epoch seconds.'),
  ],
};

export const ILLUMIO_FORMATS: readonly IllumioFormat[] = [JSON_EVENT, SYSLOG, CEF, LEEF];

// ---------------------------------------------------------------------------------------------
// Calculated fields, the same for every format.

function evals(f: IllumioFormat): ConfLine[] {
  const S = splitName(f.name);
  const flow = f.flow;
  const audit = `isnotnull(${f.name})`;
  const auditOnly = (e: string) => `if(${audit}, ${e}, null())`;
  const either = (flowExpr: string, auditExpr: string) => (flow ? `case(${flow.is}, ${flowExpr}, ${audit}, ${auditExpr})` : auditOnly(auditExpr));
  const status = statusOf(f.status, f.name);
  const transport = flow ? transportOf(flow.proto) : '';
  const srcHost = either(flow?.shost ?? '', `coalesce(illumio_notification_host, ${f.venActor})`);
  const out: ConfLine[] = [
    line('EVAL-event_type_original', S, 'The raw event name split once: without the .success/.failure that CEF and LEEF append.\nLOOKUP-illumio_a_event keys on it.'),
    line('EVAL-event_type', renameCase(S), 'The current name: a pre-18.2 name becomes its 18.2 name (ILLUMIO_RENAMES); other names stay,\nso an event type the catalog does not know yet keeps its name.'),
    line('EVAL-status', auditOnly(status), 'success/failure: the status field, else the suffix of the name.'),
    line('EVAL-vendor_severity', auditOnly(f.vendorSeverity)),
    line('EVAL-severity', flow ? `if(${flow.is}, "informational", null())` : 'null()', 'CIM severity comes from LOOKUP-illumio_c_severity (vendor_severity).'),
    line('EVAL-event_href', auditOnly(f.href)),
    line('EVAL-id', auditOnly(f.href)),
    line('EVAL-pce_fqdn', f.fqdn),
    line('EVAL-dvc', f.dvc),
    line('EVAL-user', auditOnly(`coalesce(illumio_supplied_username, ${f.actor})`)),
    line('EVAL-src_user', auditOnly(`coalesce(illumio_supplied_username, ${f.actor})`)),
    line(
      'EVAL-src',
      either(flow?.src ?? '', `coalesce(${ipOrNull(f.client)}, ${ipOrNull('illumio_notification_src_ip')})`),
      'A client address only (never FILTERED, a host name or the PCE\'s name); absent when the PCE filtered the\naddress of a user\'s call or names the client only by host.',
    ),
    line(
      'EVAL-src_host',
      srcHost,
      'The client by name (no CIM field takes a host name apart from src, which holds addresses only):\nthe host a notification names, or the VEN for its own report or call.',
    ),
    line(
      'EVAL-src_host_short',
      hostShortEval(srcHost),
      'src_host lower-cased, cut at its first dot unless it is an address (the workloads\' host_short):\nLOOKUP-illumio_k6/k7 find the workload of a VEN that names itself without its domain or in\nanother case. Over src_host\'s expression, not the field: EVALs run in parallel.',
    ),
    line('EVAL-dest', either(flow?.dst ?? '', `coalesce(illumio_notification_host, ${f.fqdn})`)),
    line('EVAL-command', auditOnly(`coalesce(${f.method} . " " . ${f.endpoint}, ${S})`)),
    line('EVAL-description', auditOnly(`coalesce(mvjoin(notification_type, ", "), ${renameCase(S)})`)),
    line('EVAL-result', auditOnly(`if(${status}=="failure", coalesce(mvjoin(notification_type, ", "), "HTTP " . ${f.http}, ${S}), null())`)),
    line('EVAL-http_status', auditOnly(f.http)),
    line('EVAL-object', auditOnly(`coalesce(illumio_resource_name, illumio_resource_href, replace(${renameCase(S)}, ${q('\\..*$')}, ""))`)),
    line('EVAL-object_id', auditOnly(`coalesce(illumio_resource_href, illumio_resource_name, ${f.href})`)),
    line('EVAL-object_attrs', auditOnly(`coalesce(illumio_changed_attr, nullif(replace(${renameCase(S)}, ${q('^[^.]*\\.?')}, ""), ""))`)),
    line('EVAL-action', flow ? `if(${flow.is}, case(${flow.decision}=="blocked", "blocked", ${flow.decision}=="unknown", "flow", true(), "allowed"), null())` : 'null()', 'Audit events: action comes from LOOKUP-illumio_a_event and LOOKUP-illumio_b_action.'),
    line('EVAL-type', `if(${audit}, "alert", null())`),
    line('EVAL-vendor', '"Illumio"'),
    line('EVAL-product', '"PCE"'),
    line('EVAL-vendor_product', '"Illumio PCE"'),
  ];
  if (flow) {
    out.push(
      line('EVAL-src_ip', `if(${flow.is}, ${flow.src}, null())`, 'Flow summaries (CIM Network_Traffic).'),
      line('EVAL-dest_ip', `if(${flow.is}, ${flow.dst}, null())`),
      line('EVAL-dest_host', `if(${flow.is}, ${flow.dhost}, null())`),
      line('EVAL-transport', `if(${flow.is}, ${transport}, null())`, 'tcp, udp or icmp; other IP protocols have no transport, port or app.'),
      line('EVAL-dest_port', `if(${flow.is} AND in(${transport}, "tcp", "udp"), ${flow.dport}, null())`),
      line('EVAL-protocol', `if(${flow.is}, if(${transport}=="icmp", "icmp", "ip"), null())`),
      line('EVAL-protocol_version', `if(${flow.is}, if(match(${flow.src}, ":"), "ipv6", "ipv4"), null())`),
      line('EVAL-app', `if(${flow.is}, case(in(${transport}, "tcp", "udp"), ${transport} . "/" . ${flow.dport}, ${transport}=="icmp", "icmp", true(), "ip/" . ${flow.proto}), null())`, 'The IP service (transport/port, icmp, or ip/<protocol>): the PCE reports no application protocol.'),
      line('EVAL-bytes_in', `if(${flow.is}, tonumber(${flow.bytesIn}), null())`),
      line('EVAL-bytes_out', `if(${flow.is}, tonumber(${flow.bytesOut}), null())`),
      line('EVAL-bytes', `if(${flow.is}, tonumber(${flow.bytesIn}) + tonumber(${flow.bytesOut}), null())`, 'tonumber(): + concatenates when both sides are strings.'),
      line('EVAL-count', `if(${flow.is}, ${flow.count}, null())`),
      line('EVAL-direction', `if(${flow.is}, ${flow.direction}, null())`),
      line('EVAL-policy_decision', `if(${flow.is}, ${flow.decision}, null())`),
    );
    if (flow.shref && flow.dhref) {
      out.push(
        line('EVAL-src_workload', `if(${flow.is}, ${flow.shref}, null())`, 'The workloads\' hrefs under the names the REST flows use (keys of LOOKUP-illumio_k1/k2).'),
        line('EVAL-dest_workload', `if(${flow.is}, ${flow.dhref}, null())`),
      );
    }
  }
  return [...out, ...(f.extra ?? [])];
}

const LOOKUPS: ConfLine[] = [
  line(
    'LOOKUP-illumio_a_event',
    'illumio_event_names event_name AS event_type_original OUTPUT family AS illumio_family cim_model AS illumio_cim_model label AS signature current_name AS signature_id legacy_names AS event_type_legacy change_type object_category action_class AS illumio_action_class action app',
    'The catalog, keyed on the split raw name (current or pre-18.2): family, CIM model, signature,\nchange_type, object_category, the default action and the pre-18.2 name(s).',
  ),
  line('LOOKUP-illumio_b_action', 'illumio_actions action_class AS illumio_action_class status OUTPUT action', 'Logins: action follows status (success/failure).'),
  line('LOOKUP-illumio_c_severity', 'illumio_severities vendor_severity OUTPUT severity', 'CIM severity from Illumio\'s syslog severity.'),
];

function stanza(f: IllumioFormat): StanzaSpec {
  return { name: f.sourcetype, comment: f.comment, lines: [...f.head, ...evals(f), ...LOOKUPS, ...workloadLookups({ href: !!f.flow?.shref, ip: !!f.flow, host: true })] };
}

// ---------------------------------------------------------------------------------------------
// transforms.conf

/** A JSON string value without escaped quotes, or a bare scalar (numbers, null, true, false). */
const JSON_SCALAR = '"?(?<_VAL_1>[^",}]*)';

const CEF_KEYS = ['act', 'app', 'cat', 'cnt', 'deviceDirection', 'deviceExternalId', 'dhost', 'dpt', 'dproc', 'dst', 'duid', 'duser', 'dvc', 'dvchost', 'end', 'externalId', 'in', 'msg', 'out', 'outcome', 'proto', 'reason', 'request', 'requestMethod', 'rt', 'shost', 'spt', 'sproc', 'src', 'start', 'suid', 'suser'];

function transforms(): StanzaSpec[] {
  const kv = (name: string, source: string | undefined, keys: string[], comment?: string): StanzaSpec => ({
    name,
    comment,
    lines: [
      ...(source ? [line('SOURCE_KEY', source)] : []),
      line('REGEX', `(?<!\\\\)"(?<_KEY_1>${keys.join('|')})"\\s*:\\s*${JSON_SCALAR}`),
    ],
  });
  return [
    {
      name: 'illumio_cef_extension',
      comment:
        'CEF extension pairs other than the labelled cs/cn slots. A value is everything up to the next unescaped `=`\nless the key before it, so spaces and escaped `\\=` stay in the value (undone by the EVALs).\n' +
        'The escapes are taken by a possessive repeat (runs ending in an escape): PCRE2 keeps no frame per escape, so a\nvalue with thousands of them stays under DEPTH_LIMIT; only the run after the last escape backtracks to the next key.',
      lines: [
        line('REGEX', `(?<=[\\s|])(${CEF_KEYS.join('|')})=((?:[^=\\\\]*\\\\.)*+[^=\\\\]*)(?=\\s[A-Za-z][A-Za-z0-9_]*=|\\s*$)`),
        line('FORMAT', '$1::$2'),
      ],
    },
    ...cefLabelTransforms(),
    ...leefTransforms(),
    kv('illumio_json_top', 'illumio_json', TOP_KEYS, 'Top-level keys of the syslog JSON payload (first occurrence: Illumio writes them before any nested object\nthat could repeat them).'),
    {
      name: 'illumio_action_object',
      comment: 'The action object (the API call; null for system events): "action":{…} in JSON, action={…} in LEEF.',
      lines: [line('REGEX', '(?:"action"\\s*:|[^A-Za-z0-9_"]action=)\\s*\\{(?<illumio_action>[^{}]*)\\}')],
    },
    kv('illumio_action_fields', 'illumio_action', ACTION_KEYS),
    {
      name: 'illumio_resource',
      comment: 'Details read by key from resource_changes and notifications wherever the format put them.',
      lines: [line('REGEX', '"resource"\\s*:\\s*\\{\\s*"(?<illumio_resource_type>[^"]+)"\\s*:\\s*\\{(?<illumio_resource_attrs>[^{}]*)')],
    },
    { name: 'illumio_resource_href', lines: [line('SOURCE_KEY', 'illumio_resource_attrs'), line('REGEX', '"href"\\s*:\\s*"(?<illumio_resource_href>[^"]*)"')] },
    { name: 'illumio_resource_name', lines: [line('SOURCE_KEY', 'illumio_resource_attrs'), line('REGEX', '"(?:name|username|hostname)"\\s*:\\s*"(?<illumio_resource_name>[^"]+)"')] },
    { name: 'illumio_change_type', lines: [line('REGEX', '"change_type"\\s*:\\s*"(?<illumio_change_type>[^"]+)"')] },
    { name: 'illumio_changed_attr', lines: [line('REGEX', '"changes"\\s*:\\s*\\{\\s*"(?<illumio_changed_attr>[^"]+)"')] },
    { name: 'illumio_notification_type', lines: [line('REGEX', '"(?<_KEY_1>notification_type)"\\s*:\\s*"(?<_VAL_1>[^"]+)"'), line('MV_ADD', 'true')] },
    { name: 'illumio_supplied_username', lines: [line('REGEX', '"supplied_username"\\s*:\\s*"(?<illumio_supplied_username>[^"]+)"')] },
    {
      name: 'illumio_notification_src_ip',
      lines: [line('REGEX', '"notification_type"\\s*:\\s*"[^"]*"\\s*,\\s*"info"\\s*:\\s*\\{[^{}]*"src_ip"\\s*:\\s*"(?<illumio_notification_src_ip>[^"]+)"')],
    },
    {
      name: 'illumio_notification_host',
      lines: [line('REGEX', '"notification_type"\\s*:\\s*"[^"]*"\\s*,\\s*"info"\\s*:\\s*\\{\\s*"(?:agent|ven|workload)"\\s*:\\s*\\{[^{}]*"hostname"\\s*:\\s*"(?<illumio_notification_host>[^"]+)"')],
    },
    {
      name: 'illumio_actor',
      comment: 'Who did it: created_by.user.username, .service_account.name, .agent/.ven.hostname, .container_cluster.name;\nillumio_actor_type alone for the PCE itself (created_by.system).',
      lines: [line('REGEX', '"created_by"\\s*:\\s*\\{\\s*"(?<illumio_actor_type>[A-Za-z_]+)"\\s*:\\s*\\{(?:[^{}]*"(?:username|name|hostname)"\\s*:\\s*"(?<illumio_actor>[^"\\\\]*)")?')],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Lookups

const SEVERITY_CIM: Readonly<Record<string, string>> = { emerg: 'critical', alert: 'critical', crit: 'critical', err: 'high', warning: 'medium', notice: 'low', info: 'informational', debug: 'informational' };

const ACTION_BY_STATUS: Record<ActionClass, { success: string; failure: string }> = {
  authentication: { success: 'success', failure: 'failure' },
  authentication_failed: { success: 'failure', failure: 'failure' },
  created: { success: 'created', failure: 'created' },
  deleted: { success: 'deleted', failure: 'deleted' },
  modified: { success: 'modified', failure: 'modified' },
};

/** CIM app: the PCE for logins, the VEN for what VENs report; none otherwise (Change has no app). */
const APP_BY_MODEL: Readonly<Record<string, string>> = { Authentication: 'illumio:pce', Alerts: 'illumio:ven' };

function lookups(): LookupTableSpec[] {
  const byName = new Map(ILLUMIO_EVENT_TYPES.map((t) => [t.name, t]));
  const title = new Map(ILLUMIO_FAMILIES.map((f) => [f.name, f.title]));
  const row = (key: string, currentName: string, legacy: string) => {
    const t = byName.get(currentName)!;
    return [key, currentName, legacy, t.family, t.cim ?? '', t.label, t.changeType ?? '', t.objectCategory, t.actionClass, ACTION_BY_STATUS[t.actionClass].success, APP_BY_MODEL[t.cim ?? ''] ?? ''];
  };
  const names = [
    ...ILLUMIO_EVENT_TYPES.map((t) => row(t.name, t.name, t.legacy.join(' '))),
    ...ILLUMIO_RENAMES.map((r) => row(r.legacy, r.current, r.legacy)),
  ];
  return [
    {
      file: 'illumio_event_names.csv',
      header: ['event_name', 'current_name', 'legacy_names', 'family', 'cim_model', 'label', 'change_type', 'object_category', 'action_class', 'action', 'app'],
      rows: names,
      stanza: { name: 'illumio_event_names', comment: 'Automatic lookup of every Illumio sourcetype (LOOKUP-illumio_a_event).', lines: [line('case_sensitive_match', 'true'), line('max_matches', '1')] },
    },
    {
      file: 'illumio_actions.csv',
      header: ['action_class', 'status', 'action'],
      rows: Object.entries(ACTION_BY_STATUS).flatMap(([c, a]) => [[c, 'success', a.success], [c, 'failure', a.failure]]),
      stanza: { name: 'illumio_actions', lines: [line('max_matches', '1')] },
    },
    {
      file: 'illumio_severities.csv',
      header: ['vendor_severity', 'severity'],
      rows: Object.entries(SEVERITY_CIM),
      stanza: { name: 'illumio_severities', lines: [line('max_matches', '1')] },
    },
    {
      file: 'illumio_event_types.csv',
      header: ['event_type', 'family', 'family_title', 'label', 'cim_model', 'tags', 'alert_worthy', 'legacy_names'],
      rows: ILLUMIO_EVENT_TYPES.map((t) => [t.name, t.family, title.get(t.family) ?? '', t.label, t.cim ?? '', t.tags.join(' '), t.alert ? 'true' : 'false', t.legacy.join(' ')]),
      stanza: { name: 'illumio_event_types', comment: 'The catalog for searches and reports (| lookup illumio_event_types event_type).', lines: [line('case_sensitive_match', 'true'), line('max_matches', '1')] },
    },
    {
      file: 'illumio_event_renames.csv',
      header: ['legacy_event_type', 'event_type', 'status', 'renamed_in'],
      rows: ILLUMIO_RENAMES.map((r) => [r.legacy, r.current, r.status ?? '', r.release]),
      stanza: { name: 'illumio_event_renames', lines: [line('max_matches', '1')] },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Eventtypes: one per event type and family (untagged, for searches), CIM roll-ups (tagged).

/** Matches the four Illumio sourcetypes and nothing else, for every Illumio eventtype. */
export const ILLUMIO_GUARD = `(${ILLUMIO_SOURCETYPES.map((s) => `sourcetype="${s}"`).join(' OR ')})`;

function anyValue(field: string, values: readonly string[]): string {
  const terms = values.map((v) => `${field}="${v}"`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

/** CIM roll-ups: the only Illumio eventtypes with tags; their searches use the lookup's fields. */
export const ILLUMIO_CIM_ROLLUPS: readonly EventTypeDefinition[] = [
  { name: 'illumio_cim_authentication', description: 'Illumio logins, logouts and refused API credentials (CIM Authentication).', search: `${ILLUMIO_GUARD} illumio_cim_model="Authentication"`, tags: ['authentication'] },
  { name: 'illumio_cim_alert', description: 'Illumio VEN tampering, clones and missing services (CIM Alerts).', search: `${ILLUMIO_GUARD} illumio_cim_model="Alerts"`, tags: ['alert'] },
  { name: 'illumio_cim_change', description: 'Every Illumio change somebody made (CIM Change).', search: `${ILLUMIO_GUARD} illumio_cim_model="Change"`, tags: ['change'] },
  { name: 'illumio_cim_change_account', description: 'Illumio changes to accounts: users, security principals, service accounts (CIM Change, Account_Management).', search: `${ILLUMIO_GUARD} illumio_cim_model="Change" object_category="user"`, tags: ['account'] },
  { name: 'illumio_cim_change_network', description: 'Illumio changes to network policy: rulesets, provisioning, policy objects (CIM Change, Network_Changes).', search: `${ILLUMIO_GUARD} illumio_cim_model="Change" change_type="network"`, tags: ['network'] },
  { name: 'illumio_cim_change_endpoint', description: 'Illumio changes to VENs, workloads and containers (CIM Change, Endpoint_Changes).', search: `${ILLUMIO_GUARD} illumio_cim_model="Change" change_type="endpoint"`, tags: ['endpoint'] },
  { name: 'illumio_cim_change_audit', description: 'Illumio changes to what the PCE records and forwards (CIM Change, Auditing_Changes).', search: `${ILLUMIO_GUARD} illumio_cim_model="Change" change_type="audit"`, tags: ['audit'] },
];

export function illumioEventTypes(): EventTypeDefinition[] {
  const out: EventTypeDefinition[] = [
    { name: 'illumio_pce_event', description: 'Every Illumio PCE audit or system event, whichever way it arrived (events API, syslog JSON, CEF, LEEF).', search: `${ILLUMIO_GUARD} event_type=*`, tags: [], priority: 9 },
    {
      name: 'illumio_legacy_event_name',
      description: 'Illumio events indexed under a name the PCE used before 18.2; event_type carries the current name, event_type_original the indexed one.',
      search: `${ILLUMIO_GUARD} ${anyValue('event_type_original', ILLUMIO_RENAMES.map((r) => r.legacy))}`,
      tags: [],
    },
    {
      name: 'illumio_flow_summary',
      description: 'Illumio traffic flow summaries: CEF records with cat=flow_summary and JSON flow records (version 4) from the PCE collector.',
      search: '(sourcetype="illumio:pce:cef" cat="flow_summary") OR (sourcetype="illumio:pce:syslog" version=4)',
      tags: ['network', 'communicate'],
    },
    ...ILLUMIO_CIM_ROLLUPS,
  ];
  for (const t of ILLUMIO_EVENT_TYPES) {
    const legacy = t.legacy.length ? ` (before 18.2: ${t.legacy.join(', ')})` : '';
    out.push({ name: `illumio_${t.name}`, description: `Illumio ${t.name}: ${t.label}${legacy}.`, search: `${ILLUMIO_GUARD} ${anyValue('event_type', [t.name, ...t.legacy])}`, tags: [] });
  }
  for (const f of ILLUMIO_FAMILIES) {
    // Prefix wildcards also catch event types Illumio adds later to a family's resources.
    const patterns = f.prefixes.map((p) => (ILLUMIO_EVENT_TYPES.some((t) => t.name === p) ? p : `${p}.*`));
    const legacy = ILLUMIO_RENAMES.filter((r) => ILLUMIO_EVENT_TYPES.find((t) => t.name === r.current)?.family === f.name).map((r) => r.legacy);
    out.push({ name: `illumio_family_${f.name}`, description: `Illumio events of the ${f.name} family: ${f.title}.`, search: `${ILLUMIO_GUARD} ${anyValue('event_type', [...patterns, ...legacy])}`, tags: [], priority: 9 });
  }
  return out;
}

export const illumioKnowledge: SourceKnowledge = {
  name: 'Illumio PCE',
  origin: 'src/sources/illumio/knowledge.ts (catalog: src/sources/illumio/catalog.ts)',
  props: [...ILLUMIO_FORMATS.map(stanza), ...REST_PROPS],
  transforms: [...transforms(), ...REST_TRANSFORMS],
  lookups: lookups(),
  eventtypes: [...illumioEventTypes(), ...REST_EVENTTYPES],
  indexMacroDescription: ILLUMIO_INDEX_MACRO_DESCRIPTION,
  macros: ILLUMIO_MACROS,
  savedSearches: ILLUMIO_SEARCHES,
  maxJsonParsesPerEvent: 5,
};
