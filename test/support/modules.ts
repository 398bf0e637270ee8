/**
 * What the tests read off the vendor list (src/sources/index.ts) instead of keeping their own
 * lists of vendors, schemes and sourcetypes.
 */
import type { SourceModule } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

export { SOURCE_MODULES };

/** Every input scheme of every module, in the list's order. */
export const SCHEMES: readonly string[] = SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => i.description.scheme));

/** The sourcetype each scheme's events arrive with. */
export const SCHEME_SOURCETYPE: ReadonlyMap<string, string> = new Map(SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => [i.description.scheme, i.description.sourcetype] as const)));

/** The module's index macro, which scopes searches to its sourcetypes (default/macros.conf). */
export function indexMacro(m: SourceModule): string {
  return `ta_zerotrust_${m.name}_index`;
}

/**
 * Every sourcetype a module declares: its inputs' and its knowledge's props stanzas (source:: and
 * host:: rules are not sourcetypes).
 */
export async function moduleSourcetypes(m: SourceModule): Promise<string[]> {
  const props = (await m.knowledge()).props.map((s) => s.name).filter((n) => !n.includes('::'));
  return [...new Set([...m.inputs.map((i) => i.description.sourcetype), ...props])];
}
