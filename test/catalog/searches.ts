/** Every SPL search the app ships: saved searches and dashboard queries, with where each lives. */
import * as fs from 'fs';
import * as path from 'path';
import { macrosFromConf } from '../../src/build/spl';
import { splCommandNames } from '../../src/facts';
import { parseXml, XmlNode } from '../protocol/xml-tree';
import { conf, readRepo, VIEWS_DIR, viewNames } from './shared';

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

export function dashboardSearches(): ShippedSearch[] {
  const out: ShippedSearch[] = [];
  for (const v of viewNames()) {
    let k = 0;
    walk(parseXml(fs.readFileSync(path.join(VIEWS_DIR, `${v}.xml`), 'utf8')), (n) => {
      if (n.name === 'query') out.push({ where: `views/${v}.xml query #${++k}`, search: n.text.trim() });
    });
  }
  return out;
}

export function allSearches(): ShippedSearch[] {
  return [...savedSearches(), ...dashboardSearches()];
}

/** Command names and aliases of Splunk's searchbnf.conf (src/facts/searchbnf.json). */
export const SPL_COMMANDS = splCommandNames();

export function appMacros() {
  return macrosFromConf(readRepo('default/macros.conf'));
}
