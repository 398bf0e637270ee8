/**
 * bin/<scheme>.sh for every input of every module: splunkd runs `bin/<scheme>.sh` for a modular
 * input scheme. Each sets its scheme and sources ta_zerotrust_node.sh (hand-written, shared),
 * which finds Node.js and starts the bundle.
 */
import { descriptionsOf } from '../../core/source-module';
import type { Generator } from './types';

export function launcher(scheme: string): string {
  return [
    '#!/bin/sh',
    `# splunkd runs this for [${scheme}://<name>] stanzas. Finding Node.js and starting the bundled`,
    '# input is shared by every input: see ta_zerotrust_node.sh.',
    `TA_SCHEME=${scheme}`,
    'case "$0" in */*) TA_BIN=${0%/*} ;; *) TA_BIN=. ;; esac',
    'TA_BIN=$(CDPATH= cd -- "$TA_BIN" && pwd -P) || exit 1',
    '. "$TA_BIN/ta_zerotrust_node.sh"',
    '',
  ].join('\n');
}

export const launchersGenerator: Generator = {
  name: 'launchers',
  executable: true,
  generate: (ctx) => Object.fromEntries(descriptionsOf(ctx.modules).map((d) => [`bin/${d.scheme}.sh`, launcher(d.scheme)])),
};
