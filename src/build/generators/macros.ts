/** default/macros.conf from ./knowledge-searches.ts. */
import { formatConf } from '../../core/conf/parse';
import { MACROS } from './knowledge-searches';
import { generatedHeader } from './sources';
import type { Generator } from './types';

export function macrosConf(): string {
  return formatConf(
    MACROS.map((m) => {
      const entries: [string, string][] = [['definition', m.definition]];
      if (m.args?.length) entries.push(['args', m.args.join(',')]);
      entries.push(['iseval', 'false'], ['description', m.description]);
      return { name: m.args?.length ? `${m.name}(${m.args.length})` : m.name, entries };
    }),
    `${generatedHeader('macros', '', [])}\nSource: src/build/generators/knowledge-searches.ts.\nAdmins: set the index macros once to the index your inputs write to.`,
  );
}

export const macrosGenerator: Generator = { name: 'macros', generate: () => ({ 'default/macros.conf': macrosConf() }) };
