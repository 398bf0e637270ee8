/**
 * Lacework Edge search-time knowledge as data (props.conf stanzas, transforms, eventtypes);
 * generated into default/ by src/build/generators. KV_MODE=json is the only JSON parse per event.
 */
import { line, type ConfLine, type SourceKnowledge } from '../../core/knowledge/spec';
import { JSON_EVENT_TRUNCATE } from '../../core/knowledge/limits';
import { LACEWORK_ALERT_SOURCETYPE, LACEWORK_AUDIT_SOURCETYPE, LACEWORK_EVENT_TYPES } from './eventtypes';
import { LACEWORK_INDEX_MACRO_DESCRIPTION, LACEWORK_MACROS, LACEWORK_SEARCHES } from './searches';

const head = (comment: string): ConfLine[] => [
  line('SHOULD_LINEMERGE', 'false'),
  line('LINE_BREAKER', '([\\r\\n]+)'),
  line('TRUNCATE', String(JSON_EVENT_TRUNCATE), 'JSON documents up to 1 MB stay whole.'),
  line('TIME_PREFIX', '"create_time"\\s*:\\s*', comment),
  line('TIME_FORMAT', '%s%3N'),
  line('MAX_TIMESTAMP_LOOKAHEAD', '13'),
  line('TZ', 'UTC'),
  line('KV_MODE', 'json'),
  line('AUTO_KV_JSON', 'true'),
];

/** Audit keys Lacework writes after request_body (keys come sorted). */
const TAIL_STRINGS = ['response_status_text', 'trace', 'user_display_name', 'user_login', 'uuid'];

export const laceworkKnowledge: SourceKnowledge = {
  name: 'Lacework Edge',
  origin: 'src/sources/lacework/knowledge.ts',
  props: [
    {
      name: LACEWORK_AUDIT_SOURCETYPE,
      comment: 'Lacework Edge audit trail (the lacework_edge_audit input): one event per API call.',
      lines: [
        ...head('create_time is epoch milliseconds.'),
        line(
          'REPORT-a_after_request_body',
          'lacework_audit_tail_strings, lacework_audit_tail_status',
          'Keys after request_body: automatic JSON extraction stops at limits.conf [spath] extraction_cutoff\n(5000 bytes), and a large request body pushes them past it.',
        ),
        line('EVAL-vendor', '"Lacework"'),
        line('EVAL-product', '"Lacework Edge"'),
        line('EVAL-vendor_product', '"Lacework Edge"'),
        line('EVAL-app', '"lacework_edge"'),
        line('EVAL-dest', 'coalesce(account_name, "lacework_edge")'),
        line('EVAL-dvc', 'coalesce(account_name, "lacework_edge")'),
        line('EVAL-src', 'client_ip'),
        line('EVAL-src_ip', 'client_ip'),
        line('EVAL-user', 'coalesce(user_login, auth_account_name, auth_uuid)'),
        line('EVAL-src_user', 'coalesce(user_login, auth_account_name, auth_uuid)'),
        line('EVAL-user_name', 'user_display_name'),
        line('EVAL-http_method', 'method'),
        line('EVAL-status', 'if(tonumber(response_status) < 400, "success", "failure")'),
        line('EVAL-result', 'if(tonumber(response_status) >= 400, coalesce(response_status_text, response_status), null())'),
        line('EVAL-action', 'case(tonumber(response_status)>=400, "failure", op=="Login", "success", method=="POST", "created", method=="DELETE", "deleted", in(method, "PUT", "PATCH"), "modified", tonumber(response_status) < 400, "success", true(), "failure")', 'A refused call (any 4xx/5xx) changed nothing: failure, never created/modified/deleted.'),
        line('EVAL-change_type', '"API"'),
        line('EVAL-command', 'method . " " . path'),
        line('EVAL-object', 'path'),
        line('EVAL-object_id', 'coalesce(uuid, path)'),
        line('EVAL-object_category', 'coalesce(replace(matched_path, "^/api/v\\d+/([^/]+).*$", "\\1"), "api")'),
        line('EVAL-object_attrs', 'coalesce(op, method)'),
      ],
    },
    {
      name: LACEWORK_ALERT_SOURCETYPE,
      comment: 'Lacework Edge alerts (the lacework_edge_alerts input).',
      lines: [
        ...head('create_time is epoch milliseconds; an alert resent after a state change keeps its creation time.'),
        line('EVAL-vendor', '"Lacework"'),
        line('EVAL-product', '"Lacework Edge"'),
        line('EVAL-vendor_product', '"Lacework Edge"'),
        line('EVAL-app', '"lacework_edge"'),
        line('EVAL-type', '"alert"'),
        line('EVAL-id', 'uuid'),
        line('EVAL-signature', 'event_type'),
        line('EVAL-signature_id', 'event_type'),
        line('EVAL-dest', 'coalesce(account_name, "lacework_edge")'),
        line('EVAL-dvc', 'coalesce(account_name, "lacework_edge")'),
        line('EVAL-vendor_account', 'account_name', 'The Lacework account the alert belongs to (CIM vendor_account); an alert names no client, so no src.'),
        line('EVAL-user', 'coalesce(owner_display_name, owner_uuid, "unassigned")'),
        line('EVAL-vendor_severity', 'severity'),
        line(
          'EVAL-severity',
          'case(severity=="4", "critical", severity=="3", "high", severity=="2", "medium", severity=="1", "low", true(), "informational")',
          'The API gives severity as an unnamed integer enum; protobuf order unspecified, low, medium, high, critical assumed.',
        ),
      ],
    },
  ],
  transforms: [
    {
      name: 'lacework_audit_tail_strings',
      comment: 'Top-level string keys after request_body (an escaped \\" inside request_body is no key). Escapes in a\npossessive repeat: PCRE2 keeps no frame per escape, so a value with thousands stays under DEPTH_LIMIT.',
      lines: [line('REGEX', `(?<!\\\\)"(?<_KEY_1>${TAIL_STRINGS.join('|')})"\\s*:\\s*"(?<_VAL_1>(?:[^"\\\\]*\\\\.)*+[^"\\\\]*)"`)],
    },
    { name: 'lacework_audit_tail_status', lines: [line('REGEX', '(?<!\\\\)"(?<_KEY_1>response_status)"\\s*:\\s*(?<_VAL_1>\\d+)')] },
  ],
  lookups: [],
  eventtypes: LACEWORK_EVENT_TYPES,
  indexMacroDescription: LACEWORK_INDEX_MACRO_DESCRIPTION,
  macros: LACEWORK_MACROS,
  savedSearches: LACEWORK_SEARCHES,
};
