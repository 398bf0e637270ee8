/** Saved searches as the scheduler dispatches them: body, dispatch window, alert or report. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf } from '../../src/core/conf/parse';
import { ROOT } from './data';

export interface Runnable {
  where: string;
  search: string;
  earliest?: string;
  latest?: string;
  indexEarliest?: string;
  indexLatest?: string;
  alert: boolean;
}

export function savedSearchRunnables(): Runnable[] {
  return parseConf(fs.readFileSync(path.join(ROOT, 'default', 'savedsearches.conf'), 'utf8'), 'savedsearches.conf').stanzas.map((s) => {
    const get = (k: string) => s.entries.find((e) => e.key === k)?.value;
    return { where: `savedsearches.conf [${s.name}]`, search: get('search') ?? '', earliest: get('dispatch.earliest_time'), latest: get('dispatch.latest_time'), indexEarliest: get('dispatch.index_earliest'), indexLatest: get('dispatch.index_latest'), alert: get('counttype') !== undefined };
  });
}
