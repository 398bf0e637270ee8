/**
 * `npm run preview -- --sourcetype ST [--source S] [--host H] [--app DIR]`: raw events on stdin,
 * one per line; one JSON object per event on stdout with `_time` (ISO 8601), every search-time
 * field, and `eventtype`/`tag` as arrays — what Splunk would show for the event, computed by
 * src/core/knowledge from the app's default/ and lookups/.
 */
import * as path from 'node:path';
import * as readline from 'node:readline';
import { KnowledgeBase, toJsonObject } from '../core/knowledge';

function usage(msg: string): never {
  process.stderr.write(`preview: ${msg}\nusage: npm run preview -- --sourcetype <sourcetype> [--source <source>] [--host <host>] [--app <app dir>]\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(sourcetype|source|host|app)(?:=(.*))?$/.exec(argv[i]);
    if (!m) usage(`unknown argument ${JSON.stringify(argv[i])}`);
    const v = m![2] ?? argv[++i];
    if (v === undefined) usage(`--${m![1]} needs a value`);
    opts[m![1]] = v;
  }
  const appDir = opts.app ?? path.resolve(__dirname, '..', '..');
  let kb: KnowledgeBase;
  try {
    kb = KnowledgeBase.loadApp(appDir).assertValid();
  } catch (e) {
    process.stderr.write(`preview: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const sourcetype = opts.sourcetype;
  if (!sourcetype) usage('--sourcetype is required');
  if (!kb.hasSourcetype(sourcetype)) {
    usage(`unknown sourcetype ${JSON.stringify(sourcetype)}; known sourcetypes: ${kb.sourcetypes().join(', ')}`);
  }
  const meta = { sourcetype, source: opts.source, host: opts.host };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let buf = '';
  for await (const line of rl) {
    if (line.trim() === '') continue;
    buf += `${JSON.stringify(toJsonObject(kb.evaluate(line, meta)))}\n`;
    if (buf.length > 65536) {
      if (!process.stdout.write(buf)) await new Promise((r) => process.stdout.once('drain', r));
      buf = '';
    }
  }
  process.stdout.write(buf);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`preview: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
