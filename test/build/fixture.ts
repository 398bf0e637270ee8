/**
 * A throw-away copy of the app's own files (app.conf, manifest, specs, metadata, icons, inputs)
 * with stand-in launchers and bundle, so package and lint tests do not depend on the knowledge
 * and runtime files other work adds to default/ and bin/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

const descriptions = descriptionsOf(SOURCE_MODULES);

export const REPO = path.resolve(__dirname, '..', '..');

const OWN_FILES = [
  'package.json',
  'LICENSE',
  'app.manifest',
  'default/app.conf',
  'default/inputs.conf',
  'default/collections.conf',
  'default/ta_zerotrust_events_settings.conf',
  'README/inputs.conf.spec',
  'README/ta_zerotrust_events_settings.conf.spec',
  'metadata/default.meta',
  'default/web.conf',
  'default/server.conf',
  'docs/admin-guide.md',
  'appserver/static/appIcon.png',
  'appserver/static/appIcon_2x.png',
  'appserver/static/appIconAlt.png',
  'appserver/static/appIconAlt_2x.png',
];

export function write(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
}

export function makeAppRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-app-'));
  for (const rel of OWN_FILES) write(root, rel, fs.readFileSync(path.join(REPO, rel)));
  for (const d of descriptions) {
    // Written 644 on purpose: the packager, not the checkout, decides the modes.
    write(root, `bin/${d.scheme}.sh`, `#!/bin/sh\nexec node "$(dirname "$0")/lib/modinput.js" ${d.scheme} "$@"\n`);
  }
  write(root, 'bin/lib/modinput.js', '"use strict";const s=require("fs");module.exports=function(){return s};\n');
  write(root, 'bin/lib/modinput.js.map', '{"version":3}');
  write(root, 'bin/lib/THIRD-PARTY-NOTICES.txt', 'The bundles contain code of 1 npm package.\n\n  dep@1.0.0  MIT  (in modinput.js)\n\n' +
    `${'='.repeat(78)}\ndep@1.0.0 (MIT)\n${'='.repeat(78)}\n--- LICENSE\nMIT License\n`);
  return root;
}

export function removeRoot(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}
