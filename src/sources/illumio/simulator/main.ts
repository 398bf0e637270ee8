/**
 * Standalone simulated PCE for demos and manual checks:
 *   npx tsx src/sources/illumio/simulator/main.ts [--port 8443] [--tls] [--events 5000] [--hours 24]
 *     [--rate 500] [--legacy] [--cache] [--no-trickle] [--job-retry-after 1]
 * Prints the URL, org and API key to configure the input with.
 */
import { exitWithError } from '../../../core/net/listen';
import { startIllumioSimulator } from './server';

const USAGE = `usage: npx tsx src/sources/illumio/simulator/main.ts [options]
A simulated Illumio PCE on 127.0.0.1; prints one JSON line with the URL, org and API key.
  --port N               port (default 0: a free one)
  --tls                  HTTPS with a self-signed certificate (ca_cert_path in the output)
  --events N             events of history (default 5000) over --hours H (default 24)
  --rate N               requests per minute per key before 429 (default 500)
  --legacy               pre-18.2 event type names
  --cache                cache rendered pages
  --no-trickle           no new events every minute
  --job-retry-after S    Retry-After of async jobs in seconds (default 1)
`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
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

main().catch(exitWithError('Illumio PCE simulator'));
