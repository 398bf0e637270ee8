/**
 * The Lacework Edge inputs' checkpoint states and their formats (src/core/checkpoint/format.ts).
 * Both hold a time cursor (epoch ms) and what was delivered around it: the audit input the dedup
 * keys inside the overlap, the alerts input the state of each alert it follows (to report
 * closures and reassignments) and of the recently closed ones.
 */
import type { JSONSchemaType } from 'ajv';
import type { CheckpointFormat } from '../../core/checkpoint';

export interface AuditCheckpoint {
  v: 1;
  /** ms: every record created before it has been delivered. */
  cursor: number;
  /** [dedup key, create ms] delivered at or after cursor - overlap. */
  seen: Array<[string, number]>;
  /** Any record ever received: until then an empty answer may mean a wrong time_unit. */
  seenAny?: boolean;
}

/** What the checkpoint remembers of an alert: the change key plus what the event shows. */
export interface TrackedAlert {
  /** status */
  s: number;
  /** incident_status */
  i: number;
  /** owner_uuid */
  o: string;
  /** owner_display_name */
  on: string;
  /** update_time as the API sends it */
  u: number;
  /** create_time in ms */
  c: number;
  /** Runs in a row alert_path answered 404. */
  m?: number;
}

export interface AlertsCheckpoint {
  v: 1;
  /** ms: new-alert windows start here (minus overlap). */
  cursor: number;
  open: Record<string, TrackedAlert>;
  /** Closed alerts still inside the overlap: a repeat there must not look new. */
  closed: Record<string, TrackedAlert>;
  seenAny?: boolean;
}

const auditSchema: JSONSchemaType<AuditCheckpoint> = {
  type: 'object',
  properties: {
    v: { type: 'number', const: 1 },
    cursor: { type: 'number' },
    seen: {
      type: 'array',
      items: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], minItems: 2, maxItems: 2 },
    },
    seenAny: { type: 'boolean', nullable: true },
  },
  required: ['v', 'cursor', 'seen'],
  additionalProperties: false,
};

const trackedAlert: JSONSchemaType<TrackedAlert> = {
  type: 'object',
  properties: {
    s: { type: 'number' },
    i: { type: 'number' },
    o: { type: 'string' },
    on: { type: 'string' },
    u: { type: 'number' },
    c: { type: 'number' },
    m: { type: 'number', nullable: true },
  },
  required: ['s', 'i', 'o', 'on', 'u', 'c'],
  additionalProperties: false,
};

const alertsSchema: JSONSchemaType<AlertsCheckpoint> = {
  type: 'object',
  properties: {
    v: { type: 'number', const: 1 },
    cursor: { type: 'number' },
    open: { type: 'object', required: [], additionalProperties: trackedAlert },
    closed: { type: 'object', required: [], additionalProperties: trackedAlert },
    seenAny: { type: 'boolean', nullable: true },
  },
  required: ['v', 'cursor', 'open', 'closed'],
  additionalProperties: false,
};

/** Both states: version in `v`, position at `cursor`. */
function laceworkFormat<S extends { cursor: number }>(title: string, schema: JSONSchemaType<S>): CheckpointFormat<S> {
  return { title, version: 1, versionKey: 'v', schema, position: (s) => s.cursor };
}

export const AUDIT_CHECKPOINT = laceworkFormat('Lacework Edge audit checkpoint', auditSchema);
export const ALERTS_CHECKPOINT = laceworkFormat('Lacework Edge alerts checkpoint', alertsSchema);
