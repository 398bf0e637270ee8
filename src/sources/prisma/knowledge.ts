/**
 * Prisma SaaS search-time knowledge as data (props.conf stanza, eventtypes); generated into
 * default/ by src/build/generators. KV_MODE=json is the only JSON parse per event.
 */
import { line, type SourceKnowledge } from '../../core/knowledge/spec';
import { JSON_EVENT_TRUNCATE } from '../../core/knowledge/limits';
import { PRISMA_EVENT_TYPES, PRISMA_SOURCETYPE } from './eventtypes';
import { PRISMA_INDEX_MACRO_DESCRIPTION, PRISMA_MACROS, PRISMA_SEARCHES } from './searches';

/** Admin logins: the documented action=login/logout, and event_type=login with action=sign_in/sign_out. */
export const PRISMA_ADMIN_LOGIN = 'log_type=="admin_audit" AND (event_type=="login" OR in(action, "login", "logout", "sign_in", "sign_out"))';
const LOGIN_FAILED = 'match(action, "(?i)fail")';
const IP_RE = '"^(?:\\\\d{1,3}(?:\\\\.\\\\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*)$"';
const ALERT_TYPES = 'in(log_type, "incident", "policy_violation", "remediation")';

export const prismaKnowledge: SourceKnowledge = {
  name: 'Prisma SaaS',
  origin: 'src/sources/prisma/knowledge.ts',
  props: [
    {
      name: PRISMA_SOURCETYPE,
      comment: 'Prisma SaaS log events (the prisma_saas_log_events input).',
      lines: [
        line('SHOULD_LINEMERGE', 'false'),
        line('LINE_BREAKER', '([\\r\\n]+)'),
        line('TRUNCATE', String(JSON_EVENT_TRUNCATE), 'JSON documents up to 1 MB stay whole.'),
        line('TIME_PREFIX', '"timestamp"\\s*:\\s*"', 'Prisma SaaS writes timestamps with and without milliseconds; without, automatic recognition reads them.'),
        line('TIME_FORMAT', '%Y-%m-%dT%H:%M:%S.%3N%Z'),
        line('MAX_TIMESTAMP_LOOKAHEAD', '24'),
        line('TZ', 'UTC'),
        line('KV_MODE', 'json'),
        line('AUTO_KV_JSON', 'true'),
        line('EVAL-vendor', '"Palo Alto Networks"'),
        line('EVAL-product', '"Prisma SaaS"'),
        line('EVAL-vendor_product', '"Palo Alto Networks Prisma SaaS"'),
        line('EVAL-app', 'coalesce(cloud_app_instance, "prisma_saas")'),
        line('EVAL-dest', 'coalesce(cloud_app_instance, "prisma_saas")'),
        line('EVAL-dvc', 'coalesce(serial, "prisma_saas")'),
        line(
          'EVAL-src',
          `coalesce(if(match(source_ip, ${IP_RE}), source_ip, null()), if(match(ip, ${IP_RE}), ip, null()))`,
          'Only a client address (CIM src); the cloud app an incident concerns is dest and app.',
        ),
        line('EVAL-user', 'coalesce(nullif(admin_id, "null"), nullif(user, "null"), nullif(item_owner, "null"), nullif(action_taken_by, "null"), nullif(item_creator, "null"))'),
        line('EVAL-src_user', 'coalesce(nullif(admin_id, "null"), nullif(action_taken_by, "null"))'),
        line('EVAL-vendor_severity', 'nullif(severity, "null")'),
        line('EVAL-severity', `case(${ALERT_TYPES} AND isnull(tonumber(severity)), "informational", tonumber(severity)>=5, "critical", tonumber(severity)>=4, "high", tonumber(severity)>=3, "medium", tonumber(severity)>=2, "low", isnotnull(tonumber(severity)), "informational")`),
        line('EVAL-type', `if(${ALERT_TYPES}, "alert", null())`),
        line('EVAL-id', 'coalesce(nullif(incident_id, "null"), nullif(asset_id, "null"))'),
        line('EVAL-signature', 'coalesce(nullif(policy_rule_name, "null"), log_type)'),
        line('EVAL-signature_id', 'coalesce(nullif(policy_rule_name, "null"), log_type)'),
        line('EVAL-description', 'case(log_type=="remediation", "Remediation " . coalesce(action_taken, "taken") . " on " . coalesce(item_type, "item") . " " . coalesce(item_name, asset_id), in(log_type, "incident", "policy_violation"), replace(log_type, "_", " ") . " of " . coalesce(policy_rule_name, "a policy rule") . " by " . coalesce(item_type, "item") . " " . coalesce(item_name, asset_id))'),
        line(
          'EVAL-action',
          `case(${PRISMA_ADMIN_LOGIN}, if(${LOGIN_FAILED}, "failure", "success"), log_type=="admin_audit" AND action=="create", "created", log_type=="admin_audit" AND action=="delete", "deleted", log_type=="admin_audit" AND action=="edit", "modified", log_type=="remediation", action_taken, true(), action)`,
          'Admin logins (documented login/logout, and event_type=login with sign_in/sign_out) are CIM Authentication.',
        ),
        line('EVAL-status', `if(log_type=="admin_audit", if(${PRISMA_ADMIN_LOGIN} AND ${LOGIN_FAILED}, "failure", "success"), null())`),
        line('EVAL-change_type', `if(log_type=="admin_audit" AND NOT (${PRISMA_ADMIN_LOGIN}), coalesce(nullif(event_type, "null"), "configuration"), null())`),
        line('EVAL-command', 'if(log_type=="admin_audit", action, null())', 'The raw admin action (login, sign_in, create, edit, delete, …) stays in command: eventtypes.conf\nsearches it, because action carries the CIM value.'),
        line('EVAL-object', 'coalesce(nullif(item_name, "null"), nullif(asset_id, "null"))'),
        line('EVAL-object_id', 'coalesce(nullif(asset_id, "null"), nullif(item_name, "null"))'),
        line('EVAL-object_category', 'lower(nullif(item_type, "null"))'),
        line('EVAL-object_attrs', 'coalesce(nullif(field, "null"), nullif(item_type, "null"))'),
        line('EVAL-file_name', 'if(lower(item_type)=="file", item_name, null())'),
      ],
    },
  ],
  transforms: [],
  lookups: [],
  eventtypes: PRISMA_EVENT_TYPES,
  indexMacroDescription: PRISMA_INDEX_MACRO_DESCRIPTION,
  macros: PRISMA_MACROS,
  savedSearches: PRISMA_SEARCHES,
};
