/** default/eventtypes.conf: every vendor's eventtypes. */
import { formatConf } from '../../core/conf/parse';
import type { EventTypeDefinition } from '../../core/eventtype';
import { allEventTypes, generatedHeader } from './sources';
import type { Generator } from './types';

function priorityOf(name: string): string {
  if (name.startsWith('illumio_family_') || name === 'illumio_pce_event' || name === 'prisma_saas_event') return '9';
  return '5';
}

export function eventtypesConf(types: readonly EventTypeDefinition[] = allEventTypes()): string {
  return formatConf(
    types.map((t) => ({ name: t.name, entries: [['search', t.search], ['description', t.description], ['priority', priorityOf(t.name)]] })),
    generatedHeader('eventtypes', 'Per-type and per-family eventtypes carry no tags; CIM tags sit on the roll-ups (tags.conf).\n'),
  );
}

export const eventtypesGenerator: Generator = { name: 'eventtypes', generate: () => ({ 'default/eventtypes.conf': eventtypesConf() }) };
