/** default/props.conf: every vendor's sourcetype stanzas, in the order the modules list them. */
import { generatedHeader, KNOWLEDGE_SOURCES, writeConf } from './sources';
import type { Generator } from './types';

export function propsConf(): string {
  const header = generatedHeader(
    'props',
    'Order of search-time work in every stanza (props.conf.spec): EXTRACT, REPORT, KV_MODE, EVAL (each\nreads the fields as they were before any EVAL), LOOKUP. Regexes are PCRE2, checked by test/knowledge/pcre2.test.ts.\n',
  );
  return writeConf(header, KNOWLEDGE_SOURCES.flatMap((s) => s.props));
}

export const propsGenerator: Generator = { name: 'props', generate: () => ({ 'default/props.conf': propsConf() }) };
