#!/usr/bin/env node
// The standalone collector in a checkout (`npx ta-zerotrust run --config collector.json`): runs
// src/cli/ta-zerotrust.ts through tsx (installed by `npm ci`), passing signals on so Ctrl-C and
// SIGTERM stop it cleanly. Not part of the Splunk app, which ships only bin/*.sh and bin/lib/*.js.
'use strict';
const { spawn } = require('child_process');
const path = require('path');

let tsx;
try {
  tsx = require.resolve('tsx/cli', { paths: [path.join(__dirname, '..')] });
} catch {
  process.stderr.write('ta-zerotrust: tsx is missing; run `npm ci` (with dev dependencies) in the repository first.\n'
    + 'To run the collector without a checkout, use its artefact: `npm run package` builds dist/ta-zerotrust-collector-<version>.tgz,\n'
    + 'one file that runs with `node ta-zerotrust-collector.js` alone (see its README.md).\n');
  process.exit(1);
}
const child = spawn(process.execPath, [tsx, path.join(__dirname, '..', 'src', 'cli', 'ta-zerotrust.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 143) : code));
