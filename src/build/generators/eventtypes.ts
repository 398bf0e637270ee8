/** default/eventtypes.conf: every module's eventtypes. */
import { formatConf } from '../../core/conf/parse';
import type { EventTypeDefinition } from '../../core/eventtype';
import type { SourceKnowledge } from '../../core/knowledge/spec';
import { allEventTypes, generatedHeader } from './sources';
import type { Generator } from './types';

export function eventtypesConf(knowledge: readonly SourceKnowledge[], types: readonly EventTypeDefinition[] = allEventTypes(knowledge)): string {
  return formatConf(
    types.map((t) => ({ name: t.name, entries: [['search', t.search], ['description', t.description], ['priority', String(t.priority ?? 5)]] })),
    generatedHeader('eventtypes', 'Per-type and per-family eventtypes carry no tags; CIM tags sit on the roll-ups (tags.conf).\n', knowledge),
  );
}

export const eventtypesGenerator: Generator = { name: 'eventtypes', generate: (ctx) => ({ 'default/eventtypes.conf': eventtypesConf(ctx.knowledge) }) };
