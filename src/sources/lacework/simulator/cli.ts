/**
 * The simulator on its own, for the demo and for trying the inputs by hand:
 *   npx tsx src/sources/lacework/simulator/cli.ts [--port 8089] [--token T] [--auth-header H]
 *       [--auth-scheme S|none] [--time-unit ms|s] [--every 10]
 * Serves a day of audit events and alerts, then every --every seconds adds audit events, creates
 * an alert and assigns or closes a few open ones. Prints one JSON line with url and token.
 */
import { exitWithError } from '../../../core/net/listen';
import { startLaceworkSimulator, type LaceworkSimulator, type LaceworkSimulatorOptions } from './index';

const USAGE = `usage: npx tsx src/sources/lacework/simulator/cli.ts [options]
A simulated Lacework Edge tenant on 127.0.0.1; prints one JSON line with the URL and token.
  --port N                 port (default 8089; 0 picks a free one)
  --token T                API token (default generated)
  --auth-header H          header carrying the token
  --auth-scheme S|none     scheme before the token
  --time-unit ms|s         unit of timestamps
  --every S                seconds between new activity (default 10)
`;

export function parseArgs(argv: string[]): LaceworkSimulatorOptions & { everySec: number } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scheme = get('auth-scheme');
  const unit = get('time-unit');
  if (unit !== undefined && unit !== 'ms' && unit !== 's') throw new Error('--time-unit must be ms or s');
  return {
    port: Number(get('port') ?? 8089),
    ...(get('token') ? { token: get('token')! } : {}),
    ...(get('auth-header') ? { authHeader: get('auth-header')! } : {}),
    ...(scheme !== undefined ? { authScheme: scheme === 'none' ? '' : scheme } : {}),
    ...(unit ? { timeUnit: unit } : {}),
    everySec: Number(get('every') ?? 10),
  };
}

/** Seeds a day of history and keeps the tenant busy until stopped. */
export function animate(sim: LaceworkSimulator, everySec: number): () => void {
  const now = Date.now();
  sim.addAuditEvents(500, now - 86_400_000, now);
  sim.addAlerts(60, now - 86_400_000, now);
  sim.randomChanges(20);
  const timer = setInterval(() => {
    const t = Date.now();
    sim.addAuditEvents(10, t - everySec * 1000, t);
    sim.addAlerts(1, t, t);
    sim.randomChanges(3);
  }, everySec * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const { everySec, ...opts } = parseArgs(process.argv.slice(2));
  const sim = await startLaceworkSimulator(opts);
  const stopAnimation = animate(sim, everySec);
  process.stdout.write(`${JSON.stringify({ url: sim.url, token: sim.token, auth_header: sim.options.authHeader, auth_scheme: sim.options.authScheme || 'none', time_unit: sim.options.timeUnit, paths: sim.options.paths })}\n`);
  const stop = () => {
    stopAnimation();
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Keeps the process alive while the server is idle between requests.
  setInterval(() => undefined, 1 << 30);
}

if (require.main === module) {
  main().catch(exitWithError('Lacework Edge simulator'));
}
