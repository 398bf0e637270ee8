/** default/macros.conf: an index macro per module, the add-on's own macros, then each module's. */
import { formatConf } from '../../core/conf/parse';
import { ADDON_SEARCHES_ORIGIN, addonMacros, indexMacros } from './knowledge-searches';
import { generatedHeader } from './sources';
import type { Generator, GeneratorContext } from './types';

export function macrosConf(ctx: GeneratorContext): string {
  const macros = [...indexMacros(ctx.vendors), ...addonMacros(ctx.modules), ...ctx.knowledge.flatMap((k) => k.macros ?? [])];
  const origins = [...ctx.vendors.map((v) => v.knowledge).filter((k) => k.macros?.length), { origin: ADDON_SEARCHES_ORIGIN }];
  return formatConf(
    macros.map((m) => {
      const entries: [string, string][] = [['definition', m.definition]];
      if (m.args?.length) entries.push(['args', m.args.join(',')]);
      entries.push(['iseval', 'false'], ['description', m.description]);
      return { name: m.args?.length ? `${m.name}(${m.args.length})` : m.name, entries };
    }),
    `${generatedHeader('macros', '', origins)}\nAdmins: set the index macros once to the index your inputs write to.`,
  );
}

export const macrosGenerator: Generator = { name: 'macros', generate: (ctx) => ({ 'default/macros.conf': macrosConf(ctx) }) };
