/**
 * `npm run preview -- --sourcetype ST [--source S] [--host H] [--app DIR] [--format json|table]
 * [--fields a,b]`: raw events on stdin, one per line; one JSON object per event on stdout with
 * `_time` (ISO 8601), every search-time field, and `eventtype`/`tag` as arrays — what Splunk
 * would show for the event, computed by src/core/knowledge from the app's default/ and lookups/.
 * JSON lines are the contract (scripts and tests read them); `--format table` is for people.
 * `--cost` also prints, on stderr, what the events cost Splunk at search time (JSON parses and
 * regex executions per event). `--kv DIR` stands in for the KV store behind the app's KV lookups:
 * one `<collection>.json` per collection, a JSON array of records as the objects input posts them
 * (e.g. what `npm start` leaves in var/demo/kv); without it KV lookups enrich nothing.
 */
import * as path from 'node:path';
import * as readline from 'node:readline';
import { KnowledgeBase, toJsonObject } from '../core/knowledge';
import { SOURCE_MODULES } from '../sources';
import { textTable } from './table';

const USAGE = 'usage: npm run preview -- --sourcetype <sourcetype> [--source <source>] [--host <host>] [--app <app dir>] [--format json|table] [--fields <f1,f2,…>] [--kv <dir>] [--cost]';

/** An example sourcetype for the help: the first input's. */
const EXAMPLE = SOURCE_MODULES[0]?.inputs[0]?.description.sourcetype ?? 'vendor:event';

const HELP = `${USAGE}
Reads raw events on stdin, one per line, and prints what Splunk would show for each at search
time with this add-on's default/ and lookups/: _time, every extracted and calculated field,
eventtype and tag.
  --sourcetype ST   the sourcetype the events arrive with (required), e.g. ${EXAMPLE}
  --source S        the event's source (for source:: stanzas)
  --host H          the event's host
  --app DIR         the app folder whose knowledge to use (default: this checkout)
  --format json     one JSON object per event (default; multi-values and eventtype/tag as arrays)
  --format table    for people: per event a field/value table; with --fields one row per event
  --fields LIST     comma-separated fields to show, in order (table format; JSON: only these keys)
  --kv DIR          KV store data for the KV lookups (enrichment from what an objects input wrote):
                    one <collection>.json per collection, a JSON array of records, e.g. var/demo/kv
                    after \`npm start\`; without it KV lookups output nothing
  --cost            also print on stderr the search-time cost: JSON parses and regex executions per event
`;

function usage(msg: string): never {
  process.stderr.write(`preview: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const show = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));

/** One event as rows of field and value: _time, eventtype and tag first, then the fields by name. */
export function fieldTable(o: Record<string, unknown>, fields?: string[]): string {
  const keys = fields ?? ['_time', 'eventtype', 'tag', ...Object.keys(o).filter((k) => !['_time', 'eventtype', 'tag'].includes(k))];
  return textTable([['field', 'value'], ...keys.filter((k) => fields || show(o[k]) !== '').map((k) => [k, show(o[k])])]);
}

export function rowsTable(objs: Record<string, unknown>[], fields: string[]): string {
  return textTable([fields, ...objs.map((o) => fields.map((f) => show(o[f])))]);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const opts: Record<string, string> = {};
  const withCost = argv.includes('--cost');
  argv = argv.filter((a) => a !== '--cost');
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(sourcetype|source|host|app|format|fields|kv)(?:=(.*))?$/.exec(argv[i]);
    if (!m) usage(`unknown argument ${JSON.stringify(argv[i])}`);
    const v = m![2] ?? argv[++i];
    if (v === undefined) usage(`--${m![1]} needs a value`);
    opts[m![1]] = v;
  }
  const appDir = opts.app ?? path.resolve(__dirname, '..', '..');
  let kb: KnowledgeBase;
  try {
    kb = KnowledgeBase.loadApp(appDir, { kvDir: opts.kv }).assertValid();
  } catch (e) {
    process.stderr.write(`preview: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const format = opts.format ?? 'json';
  if (format !== 'json' && format !== 'table') usage(`--format must be json or table, got ${JSON.stringify(format)}`);
  const fields = opts.fields?.split(',').map((f) => f.trim()).filter(Boolean);
  if (opts.fields !== undefined && !fields?.length) usage('--fields needs at least one field name');
  const sourcetype = opts.sourcetype;
  if (!sourcetype) usage('--sourcetype is required');
  if (!kb.hasSourcetype(sourcetype)) {
    usage(`unknown sourcetype ${JSON.stringify(sourcetype)}; known sourcetypes: ${kb.sourcetypes().join(', ')}`);
  }
  const meta = { sourcetype, source: opts.source, host: opts.host };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const pick = (o: Record<string, unknown>) => (fields ? Object.fromEntries(fields.map((f) => [f, o[f] ?? null])) : o);
  if (format === 'table') {
    // People read tables: all rows are needed for the column widths, so this one buffers.
    const objs: Record<string, unknown>[] = [];
    for await (const line of rl) if (line.trim() !== '') objs.push(toJsonObject(kb.evaluate(line, meta)));
    const text = fields ? rowsTable(objs, fields) : objs.map((o, i) => `event ${i + 1}\n${fieldTable(o)}`).join('\n\n');
    process.stdout.write(objs.length ? `${text}\n` : '');
    return;
  }
  let buf = '';
  const total = { events: 0, jsonParses: 0, regexEvaluations: 0, jsonMax: 0, regexMax: 0, kvLookups: 0 };
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const ev = kb.evaluate(line, meta);
    total.events++;
    total.jsonParses += ev.cost.jsonParses;
    total.regexEvaluations += ev.cost.regexEvaluations;
    total.kvLookups += ev.cost.kvLookups;
    total.jsonMax = Math.max(total.jsonMax, ev.cost.jsonParses);
    total.regexMax = Math.max(total.regexMax, ev.cost.regexEvaluations);
    buf += `${JSON.stringify(pick(toJsonObject(ev)))}\n`;
    if (buf.length > 65536) {
      if (!process.stdout.write(buf)) await new Promise((r) => process.stdout.once('drain', r));
      buf = '';
    }
  }
  process.stdout.write(buf);
  if (withCost && total.events) {
    const per = (n: number) => (n / total.events).toFixed(1);
    process.stderr.write(`preview: ${sourcetype}: ${total.events} events; per event ${per(total.jsonParses)} JSON parses (max ${total.jsonMax}), ${per(total.regexEvaluations)} regex executions (max ${total.regexMax}), ${per(total.kvLookups)} values looked up in the KV store\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`preview: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
