/** default/transforms.conf: every module's extraction transforms, then its lookup definitions. */
import type { SourceKnowledge } from '../../core/knowledge/spec';
import { generatedHeader, writeConf } from './sources';
import type { Generator } from './types';

export function transformsConf(knowledge: readonly SourceKnowledge[]): string {
  const stanzas = knowledge.flatMap((s) => [
    ...s.transforms,
    ...s.lookups.map((l) => ({ ...l.stanza, lines: [{ key: 'filename', value: l.file }, ...l.stanza.lines] })),
  ]);
  return writeConf(generatedHeader('transforms', 'Search-time extractions (REPORT-) and lookup definitions for default/props.conf.\n', knowledge), stanzas);
}

export const transformsGenerator: Generator = { name: 'transforms', generate: (ctx) => ({ 'default/transforms.conf': transformsConf(ctx.knowledge) }) };
