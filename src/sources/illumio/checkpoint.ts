/**
 * The Illumio inputs' checkpoint state and its format (src/core/checkpoint/format.ts): the events
 * collector and the traffic engine keep the same shape (the traffic engine holds flow keys in
 * `recent_hrefs`), under two titles so that a message names the input it belongs to.
 */
import type { JSONSchemaType } from 'ajv';
import type { CheckpointFormat } from '../../core/checkpoint';

export interface IllumioCheckpoint {
  version: 1;
  /** Every event with a timestamp at or before this, visible when it was read, was delivered. */
  last_timestamp: string;
  /** The dedup set is complete from here on; the next window never starts earlier. */
  dedup_from: string;
  /** Hrefs (or digests) delivered in the last OVERLAP … */
  recent_hrefs: string[];
  /** … and their epoch-ms timestamps (parallel arrays: no per-entry objects to allocate). */
  recent_ts: number[];
}

const schema: JSONSchemaType<IllumioCheckpoint> = {
  type: 'object',
  properties: {
    version: { type: 'number', const: 1 },
    last_timestamp: { type: 'string' },
    dedup_from: { type: 'string' },
    recent_hrefs: { type: 'array', items: { type: 'string' } },
    recent_ts: { type: 'array', items: { type: 'number' } },
  },
  required: ['version', 'last_timestamp', 'dedup_from', 'recent_hrefs', 'recent_ts'],
  additionalProperties: false,
};

function check(s: IllumioCheckpoint): string | undefined {
  for (const key of ['last_timestamp', 'dedup_from'] as const) {
    if (Number.isNaN(Date.parse(s[key]))) return `/${key} is not a date (${JSON.stringify(s[key].slice(0, 40))})`;
  }
  // Parallel arrays: a href without its time could not be pruned, and would be dropped.
  if (s.recent_hrefs.length !== s.recent_ts.length) {
    return `/recent_hrefs holds ${s.recent_hrefs.length} entries but /recent_ts ${s.recent_ts.length}`;
  }
  return undefined;
}

function illumioFormat(title: string): CheckpointFormat<IllumioCheckpoint> {
  return { title, version: 1, versionKey: 'version', schema, check, position: (s) => Date.parse(s.last_timestamp) };
}

export const ILLUMIO_EVENTS_CHECKPOINT = illumioFormat('Illumio events checkpoint');
export const ILLUMIO_TRAFFIC_CHECKPOINT = illumioFormat('Illumio traffic checkpoint');
