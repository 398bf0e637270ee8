/**
 * default/tags.conf: CIM tags on a few roll-up eventtypes only. Splunk expands `tag=x` into every
 * eventtype carrying x (data model searches and their acceleration included), so a tag on
 * hundreds of per-type eventtypes makes every CIM search hundreds of eventtype searches long.
 */
import { formatConf } from '../../core/conf/parse';
import type { EventTypeDefinition } from '../../core/eventtype';
import type { SourceKnowledge } from '../../core/knowledge/spec';
import { allEventTypes, generatedHeader } from './sources';
import type { Generator } from './types';

/** Most eventtypes one tag may sit on. */
export const MAX_EVENTTYPES_PER_TAG = 30;

export function tagsConf(knowledge: readonly SourceKnowledge[], types: readonly EventTypeDefinition[] = allEventTypes(knowledge)): string {
  const perTag = new Map<string, number>();
  for (const t of types) for (const tag of t.tags) perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
  for (const [tag, n] of perTag) if (n > MAX_EVENTTYPES_PER_TAG) throw new Error(`tag ${tag} would sit on ${n} eventtypes (at most ${MAX_EVENTTYPES_PER_TAG}): tag a roll-up eventtype instead.`);
  return formatConf(
    types.filter((t) => t.tags.length).map((t) => ({ name: `eventtype=${t.name}`, entries: t.tags.map((tag): [string, string] => [tag, 'enabled']) })),
    generatedHeader('tags', '', knowledge),
  );
}

export const tagsGenerator: Generator = { name: 'tags', generate: (ctx) => ({ 'default/tags.conf': tagsConf(ctx.knowledge) }) };
