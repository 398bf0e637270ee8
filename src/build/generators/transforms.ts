/** default/transforms.conf: every vendor's extraction transforms, then its lookup definitions. */
import { generatedHeader, KNOWLEDGE_SOURCES, writeConf } from './sources';
import type { Generator } from './types';

export function transformsConf(): string {
  const stanzas = KNOWLEDGE_SOURCES.flatMap((s) => [
    ...s.transforms,
    ...s.lookups.map((l) => ({ ...l.stanza, lines: [{ key: 'filename', value: l.file }, ...l.stanza.lines] })),
  ]);
  return writeConf(generatedHeader('transforms', 'Search-time extractions (REPORT-) and lookup definitions for default/props.conf.\n'), stanzas);
}

export const transformsGenerator: Generator = { name: 'transforms', generate: () => ({ 'default/transforms.conf': transformsConf() }) };
