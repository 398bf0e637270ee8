/**
 * JSON schema of a PCE event, version 2 (REST API guide, Events reference and "Examples of
 * Events"). Events that fail it are still indexed: the schema tells the admin that the PCE sent
 * something our knowledge objects may not read correctly, it never decides what reaches Splunk.
 *
 * Deliberately lenient where Illumio's own examples are: `version` is absent from several
 * documented events, `action.uuid` is not always a UUID, and new fields appear across releases
 * (so no additionalProperties: false). Strict where searches depend on it: href shape,
 * RFC 3339 timestamp, the severity and status vocabularies, the creator kinds, change types.
 */
import type { ErrorObject } from 'ajv';
import { lazyValidator } from '../../core/schema';

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

const hrefRef = { type: 'object', required: ['href'], properties: { href: { type: 'string' } } };

export const eventSchemaV2 = {
  $id: 'illumio-pce-event-v2',
  type: 'object',
  required: ['href', 'pce_fqdn', 'created_by', 'event_type', 'status', 'severity', 'action', 'resource_changes', 'notifications'],
  // Some PCE versions name the field `time`; one of the two must carry the event time.
  anyOf: [{ required: ['timestamp'] }, { required: ['time'] }],
  properties: {
    href: { type: 'string', pattern: '^/(orgs/[0-9]+/events|system_events)/[^/\\s]+$' },
    timestamp: { type: 'string', format: 'date-time' },
    time: { type: 'string', format: 'date-time' },
    pce_fqdn: { type: 'string', minLength: 1 },
    created_by: {
      type: 'object',
      minProperties: 1,
      properties: {
        system: { type: 'object' },
        user: { ...hrefRef, properties: { href: { type: 'string' }, username: { type: 'string' } } },
        agent: { ...hrefRef, properties: { href: { type: 'string' }, hostname: { type: ['string', 'null'] } } },
        ven: { ...hrefRef, properties: { href: { type: 'string' }, hostname: { type: ['string', 'null'] } } },
        container_cluster: { ...hrefRef, properties: { href: { type: 'string' }, name: { type: ['string', 'null'] } } },
        service_account: hrefRef,
      },
      additionalProperties: { type: 'object' },
    },
    event_type: { type: 'string', pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)*$' },
    status: { enum: ['success', 'failure', null] },
    severity: { enum: SEVERITIES },
    // One branch, no oneOf/anyOf whose failing branches allocate an error object per valid event
    // (issue 16): `required` and `properties` constrain objects only, so null passes as before.
    action: {
      type: ['object', 'null'],
      required: ['api_endpoint', 'api_method', 'http_status_code', 'src_ip'],
      properties: {
        uuid: { type: 'string' },
        api_endpoint: { type: 'string' },
        api_method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
        http_status_code: { type: 'integer', minimum: 100, maximum: 599 },
        // The PCE replaces the client address with the literal FILTERED when so configured.
        // The common case first: anyOf stops at the first branch that passes.
        src_ip: { anyOf: [{ type: 'string', format: 'ipv4' }, { type: 'string', format: 'ipv6' }, { const: 'FILTERED' }] },
        info: {},
      },
    },
    resource_changes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['resource', 'change_type'],
        properties: {
          uuid: { type: 'string' },
          resource: { type: 'object', minProperties: 1 },
          changes: { type: ['object', 'null'] },
          change_type: { enum: ['create', 'update', 'delete'] },
        },
      },
    },
    notifications: {
      type: 'array',
      items: {
        type: 'object',
        required: ['notification_type'],
        properties: {
          uuid: { type: 'string' },
          notification_type: { type: 'string', minLength: 1 },
          info: { type: ['object', 'null'] },
        },
      },
    },
    version: { const: 2 },
  },
} as const;

export interface EventValidator {
  (event: unknown): boolean;
  /** One line naming the first problem of the last failed event. */
  lastError(): string;
}

/** Compiled once per process, on first use (src/core/schema.ts); every stanza's collector shares it. */
const eventValidator = lazyValidator(eventSchemaV2, ['date-time', 'ipv4', 'ipv6']);

export function createEventValidator(): EventValidator {
  const check = eventValidator;
  let last: ErrorObject[] | null | undefined;
  const fn = ((event: unknown): boolean => {
    const ok = check(event) as boolean;
    last = ok ? undefined : check.errors;
    return ok;
  }) as EventValidator;
  fn.lastError = () => describe(last);
  return fn;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'unknown schema error';
  const where = e.instancePath || '(event)';
  const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})` : '';
  return `${where} ${e.message ?? e.keyword}${extra}`;
}
