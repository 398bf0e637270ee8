/** default/props.conf: every module's sourcetype stanzas, in the order the modules list them. */
import type { SourceKnowledge } from '../../core/knowledge/spec';
import { generatedHeader, writeConf } from './sources';
import type { Generator } from './types';

export function propsConf(knowledge: readonly SourceKnowledge[]): string {
  const header = generatedHeader(
    'props',
    'Order of search-time work in every stanza (props.conf.spec): EXTRACT, REPORT, KV_MODE, EVAL (each\nreads the fields as they were before any EVAL), LOOKUP. Regexes are PCRE2, checked by test/knowledge/pcre2.test.ts.\n',
    knowledge,
  );
  return writeConf(header, knowledge.flatMap((s) => s.props));
}

export const propsGenerator: Generator = { name: 'props', generate: (ctx) => ({ 'default/props.conf': propsConf(ctx.knowledge) }) };
