/**
 * Bench helper. `collectOnce` runs one window through the runtime into an XML stream that is
 * counted and dropped; run as a script it does that in its own process, so its peak RSS is the
 * collector's alone, and prints {"status", "events", "bytes", "maxRssMB"} as one JSON line:
 *   node bench-child.js <pce_url> <org> <key id> <secret> <start_date> <state dir>
 */
import { benchRun } from '../../cli/bench-run';
import type { RunSummary } from '../../core/runtime';
import { source } from './index';

export interface PceTarget { url: string; org_id: number; api_key_id: string; api_secret: string }

export async function collectOnce(pce: PceTarget, startDate: string, dir: string): Promise<{ summary: RunSummary; bytes: number }> {
  return benchRun(source, 'illumio_pce_events://bench', {
    pce_url: pce.url, org_id: String(pce.org_id), api_key_id: pce.api_key_id, api_secret: pce.api_secret, start_date: startDate,
  }, dir);
}

if (require.main === module) {
  const [url, org, keyId, secret, startDate, dir] = process.argv.slice(2);
  collectOnce({ url, org_id: Number(org), api_key_id: keyId, api_secret: secret }, startDate, dir).then(({ summary, bytes }) => {
    process.stdout.write(`${JSON.stringify({ status: summary.status, events: summary.events, bytes, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  }, (e) => { process.stderr.write(`${String(e)}\n`); process.exit(1); });
}
