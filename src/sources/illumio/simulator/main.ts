/**
 * Standalone simulated PCE for demos and manual checks:
 *   npx tsx src/sources/illumio/simulator/main.ts [--port 8443] [--tls] [--events 5000] [--hours 24]
 *     [--rate 500] [--legacy] [--cache] [--no-trickle] [--job-retry-after 1]
 * Prints the URL, org and API key to configure the input with.
 */
import { startIllumioSimulator } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const now = Date.now();
  const hours = Number(arg('hours') ?? 24);
  const sim = await startIllumioSimulator({
    port: Number(arg('port') ?? 0),
    tls: process.argv.includes('--tls'),
    legacyNames: process.argv.includes('--legacy'),
    rateLimit: { requests: Number(arg('rate') ?? 500), windowMs: 60_000 },
    cacheRendered: process.argv.includes('--cache'),
    jobRetryAfterSec: Number(arg('job-retry-after') ?? 1),
    events: [{ count: Number(arg('events') ?? 5000), fromMs: now - hours * 3600e3, toMs: now - 60e3 }],
  });
  // A trickle of new events so scheduled runs have something to collect.
  const trickle = process.argv.includes('--no-trickle') ? undefined : setInterval(() => sim.addEvents(5, Date.now() - 60e3, Date.now()), 60e3);
  process.stdout.write(`${JSON.stringify({ url: sim.url, org_id: sim.org, api_key_id: sim.keyId, api_secret: sim.secret, ca_cert_path: sim.caPath, events: sim.size() })}\n`);
  const stop = () => { if (trickle) clearInterval(trickle); void sim.stop().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
