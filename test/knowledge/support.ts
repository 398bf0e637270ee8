import * as fs from 'node:fs';
import * as path from 'node:path';
import { KnowledgeBase } from '../../src/core/knowledge';
import { cimModel as cimModelFacts } from '../../src/facts';
import { SOURCE_MODULES } from '../../src/sources';

export const ROOT = path.resolve(__dirname, '..', '..');
export const GOLDEN = path.join(ROOT, 'test', 'golden');

let kb: KnowledgeBase | undefined;
export function appKnowledge(): KnowledgeBase {
  return (kb ??= KnowledgeBase.loadApp(ROOT).assertValid());
}

export function goldenFile(sourcetype: string, ext: '.raw' | '.expected.jsonl'): string {
  return path.join(GOLDEN, `${sourcetype.replace(/:/g, '_')}${ext}`);
}

export function goldenLines(sourcetype: string): string[] {
  return fs.readFileSync(goldenFile(sourcetype, '.raw'), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/**
 * Every sourcetype the app's props.conf declares: the generators write it from each module's
 * knowledge (src/sources/index.ts) plus the add-on's own two; test/catalog/modules.test.ts checks
 * that each module's sourcetypes are among them and have golden files.
 */
export const SOURCETYPES: string[] = appKnowledge().sourcetypes();

/** The add-on's own log file of the first input: where `ta_zerotrust_events:log` events come from. */
const LOG_SOURCE = `/opt/splunk/var/log/splunk/ta_zerotrust_events_${SOURCE_MODULES[0].inputs[0].description.scheme}.log`;

export function metaFor(sourcetype: string) {
  return sourcetype === 'ta_zerotrust_events:log'
    ? { sourcetype: 'splunkd', source: LOG_SOURCE, host: 'hf-01' }
    : { sourcetype, host: 'hf-01' };
}

interface CimField {
  name: string;
  type: string;
  expected_values?: string[];
  condition?: string;
}

/** Required (and simple-condition conditional) fields of a data model's root dataset, by tag set (src/facts/cim-models.json). */
export function cimModel(name: string): { tags: string[]; fields: CimField[] } {
  const root = cimModelFacts(name).datasets[0];
  return { tags: root.tags[0], fields: root.fields.map((f) => ({ name: f.name, type: f.type, expected_values: f.expectedValues, condition: f.condition })) };
}

export const FORBIDDEN = new Set(['', '-', 'null', '(null)', 'unknown']);
