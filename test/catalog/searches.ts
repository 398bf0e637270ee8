/** Every SPL search the app ships: saved searches and dashboard queries, with where each lives. */
import { macrosFromConf } from '../../src/build/spl';
import { splCommandNames } from '../../src/facts';
import { parseXml, XmlNode } from '../protocol/xml-tree';
import { allPanels } from '../soc/views';
import { conf, readRepo } from './shared';

export { parseXml };
export type { XmlNode };

export interface ShippedSearch {
  where: string;
  search: string;
}

export function walk(n: XmlNode, visit: (n: XmlNode, parent?: XmlNode) => void, parent?: XmlNode): void {
  visit(n, parent);
  for (const c of n.children) walk(c, visit, n);
}

export function savedSearches(): ShippedSearch[] {
  return conf('default/savedsearches.conf').stanzas.map((s) => ({
    where: `savedsearches.conf [${s.name}]`,
    search: s.entries.find((e) => e.key === 'search')?.value ?? '',
  }));
}

/** Each panel's search as Splunk Web runs it: a post-process search joined to its base search. */
export function dashboardSearches(): ShippedSearch[] {
  return allPanels().map((p) => ({ where: `views/${p.view}.xml ${p.title}`, search: p.search }));
}

export function allSearches(): ShippedSearch[] {
  return [...savedSearches(), ...dashboardSearches()];
}

/** Command names and aliases of Splunk's searchbnf.conf (src/facts/searchbnf.json). */
export const SPL_COMMANDS = splCommandNames();

export function appMacros() {
  return macrosFromConf(readRepo('default/macros.conf'));
}
