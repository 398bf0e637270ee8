/**
 * Writes the raw golden inputs (test/golden/<sourcetype>.raw): each vendor's from its module
 * (SourceModule.goldenInputs: seeds' examples, simulators, renderers), and the add-on's own log.
 * Run once with `npx tsx test/golden/build-inputs.ts`; the outputs are committed and the expected files are reviewed by hand (UPDATE_GOLDEN=1 npx jest test/knowledge/golden).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SOURCE_MODULES } from '../../src/sources';

const here = __dirname;
const file = (st: string) => path.join(here, `${st.replace(/:/g, '_')}.raw`);
const text = (lines: string[]) => `${lines.join('\n')}\n`;

/** Every raw golden input this script writes: file path → content (the drift test compares them). */
export async function goldenInputFiles(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of SOURCE_MODULES) {
    if (!m.goldenInputs) throw new Error(`the ${m.title} module (src/sources/${m.name}) has no golden inputs (SourceModule.goldenInputs)`);
    for (const [st, lines] of Object.entries(await m.goldenInputs())) out.set(file(st), text(lines));
  }
  // The add-on's own log (src/core/log), as inputs write it.
  out.set(file('ta_zerotrust_events:log'), text([
    '2026-11-21 23:59:59.123 +0000 INFO pid=123 input=illumio_pce_events stanza="illumio_pce_events://prod" Collected a page count=500 next="2026-11-21T23:00:00Z"',
    '2026-11-21 23:59:59.456 +0000 INFO pid=123 input=illumio_pce_events stanza="illumio_pce_events://prod" run_summary events=1500 duration_ms=5321 status=ok',
    '2026-11-21 23:59:59.789 +0000 ERROR pid=124 input=prisma_saas_log_events stanza="prisma_saas_log_events://eu tenant" run_summary events=0 duration_ms=20011 status=failed error="Token request failed: 401 \\"unauthorized\\" (check client_secret)"',
    '2026-11-21 23:59:59.999 +0000 WARN pid=125 input=lacework_edge_alerts Retrying after HTTP 429 attempt=2 wait_ms=4000',
  ]));
  return out;
}

async function main(): Promise<void> {
  for (const [f, content] of await goldenInputFiles()) fs.writeFileSync(f, content);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
