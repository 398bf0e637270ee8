/**
 * Illumio's reference list of event types (reference/illumio-event-types.tsv) as a committed
 * table, ./facts/event-types.json: `npm run facts` writes it (the module's `facts` hook), tests
 * read it, so a clone needs no reference folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFactTable } from '../../core/source-hooks';

type EventTypes = Record<string, { provenance: string[] }>;

export const illumioFactTables: readonly SourceFactTable[] = [
  {
    file: 'event-types.json',
    from: 'reference',
    build(dir) {
      const [header, ...rows] = fs.readFileSync(path.join(dir, 'illumio-event-types.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
      if (header[0] !== 'event_type' || !header.includes('provenance')) throw new Error(`illumio-event-types.tsv: unexpected header ${header.join(',')}`);
      const p = header.indexOf('provenance');
      return {
        eventTypes: Object.fromEntries(rows.map((r) => [r[0].trim(), { provenance: (r[p] ?? '').split(',').map((x) => x.trim()).filter(Boolean) }])),
      };
    },
  },
];

let eventTypes: EventTypes | undefined;
/** Event types of the reference list, with where each was seen. */
export function illumioReferenceEventTypes(): EventTypes {
  return (eventTypes ??= (require('./facts/event-types.json') as { eventTypes: EventTypes }).eventTypes);
}
