/**
 * Standalone Prisma SaaS simulator for the demo and manual runs:
 *   tsx src/sources/prisma/simulator/main.ts [--port 8701] [--events 500] [--rate 20]
 *       [--long-poll-ms 20000] [--token-ttl 7200] [--client-id id] [--client-secret secret]
 * Prints one JSON line with the URL and the (simulated) credentials, then serves until SIGINT.
 */
import { exitWithError } from '../../../core/net/listen';
import { startPrismaSimulator } from './index';

const USAGE = `usage: npx tsx src/sources/prisma/simulator/main.ts [options]
A simulated Prisma SaaS log-events API on 127.0.0.1; prints one JSON line with the URL and credentials.
  --port N               port (default 0: a free one)
  --events N             events queued at start (default 200)
  --rate N               new events per second (default none)
  --long-poll-ms MS      how long an empty poll waits
  --token-ttl S          OAuth token lifetime in seconds
  --client-id ID         client id (default generated)
  --client-secret S      client secret (default demo-secret)
`;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function num(name: string): number | undefined {
  const v = flag(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = await startPrismaSimulator({
    port: num('port') ?? 0,
    events: num('events') ?? 200,
    ratePerSecond: num('rate'),
    longPollMs: num('long-poll-ms'),
    tokenTtlSeconds: num('token-ttl'),
    clientId: flag('client-id'),
    clientSecret: flag('client-secret') ?? 'demo-secret',
  });
  process.stdout.write(`${JSON.stringify({ url: sim.url, client_id: sim.clientId, client_secret: sim.clientSecret })}\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(exitWithError('Prisma SaaS simulator'));
