/**
 * Bundle entry (bin/lib/modinput.js): `node modinput.js <scheme> [--scheme|--validate-arguments]`.
 * bin/<scheme>.sh finds a Node runtime and execs this file. The version check comes first and
 * uses nothing newer than Node 8 can run, so an old runtime fails with a line an admin can act
 * on instead of a syntax error or an undici stack trace.
 */
const MIN = [18, 17];

function nodeTooOld(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major < MIN[0] || (major === MIN[0] && minor < MIN[1]);
}

if (nodeTooOld(process.versions.node)) {
  process.stderr.write(
    `ERROR TA-zerotrust-events: Node.js ${process.versions.node} at ${process.execPath} is too old; this add-on needs Node.js >= ${MIN.join('.')}. Install Node.js 18.17 or later, or set [node] path in local/ta_zerotrust_events_settings.conf.\n`,
  );
  process.exit(1);
}

// A run's stop requests from here on, before anything loads: splunkd (or the demo) may stop an
// input while its bundles are still being read; the run then ends at once, cleanly, instead of by
// node's default action (src/core/stop.ts: the first request aborts `stopRequest`, a second one
// exits). --scheme and --validate-arguments keep node's default: there is nothing to finish.
const stopRequest = new AbortController();
if (process.argv.length === 3) (require('../core/stop') as typeof import('../core/stop')).listenForStop(stopRequest);

// Dynamic imports, so that nothing else is evaluated before the version check.
Promise.all([import('../app/modinput'), import('../sources'), import('./run-loader')])
  .then(async ([{ main, defaultAppDir }, { SOURCE_MODULES }, { loadRun }]) => {
    const code = await main({ modules: SOURCE_MODULES, loadRun }, process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      appDir: defaultAppDir(),
      stop: stopRequest.signal,
    });
    // Explicit exit: keep-alive sockets or timers of a finished run must not keep splunkd waiting.
    process.exit(code);
  })
  .catch((e: unknown) => {
    process.stderr.write(`ERROR TA-zerotrust-events: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
