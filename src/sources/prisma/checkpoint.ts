/**
 * The Prisma SaaS checkpoint state and its format (src/core/checkpoint/format.ts). Reads dequeue
 * (destructive), so the state is not a position but the hashes that keep a replayed spool record
 * from being delivered twice; losing them silently would duplicate events after a crash.
 */
import type { JSONSchemaType } from 'ajv';
import type { CheckpointFormat } from '../../core/checkpoint';

export interface PrismaCheckpoint {
  version: 1;
  /** Hashes of the events of the last batches, newest last. */
  recent_hashes: string[];
}

const schema: JSONSchemaType<PrismaCheckpoint> = {
  type: 'object',
  properties: {
    version: { type: 'number', const: 1 },
    recent_hashes: { type: 'array', items: { type: 'string' } },
  },
  required: ['version', 'recent_hashes'],
  additionalProperties: false,
};

export const PRISMA_CHECKPOINT: CheckpointFormat<PrismaCheckpoint> = {
  title: 'Prisma SaaS checkpoint',
  version: 1,
  versionKey: 'version',
  schema,
};
