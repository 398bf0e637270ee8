/**
 * Writes a checkpoint file as a release (older, newer, or broken) might have left it: the envelope
 * of src/core/checkpoint around any state, bypassing the format check that `save` applies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_VERSION, checkpointKey } from '../../src/core/checkpoint';

export function writeRawCheckpoint(dir: string, stanza: string, state: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${checkpointKey(stanza)}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ version: CHECKPOINT_VERSION, stanza, saved_at: new Date().toISOString(), state })}\n`);
  return file;
}

