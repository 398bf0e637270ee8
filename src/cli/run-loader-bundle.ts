/**
 * What src/cli/run-loader.ts becomes in the entry bundle (src/build/bundle.ts): a require of
 * bin/lib/run-<scheme>.js, next to the entry, through the V8 code cache (./code-cache.ts). The
 * run logs what the cache did and writes it when it ends (ModinputIo.codeCache).
 */
import * as path from 'path';
import type { ModinputIo, RunModes } from '../app/modinput';
import { requireWithCodeCache } from './code-cache';

export function loadRun(scheme: string): Promise<RunModes> {
  return Promise.resolve().then(() => {
    const { exports, cache } = requireWithCodeCache(path.join(__dirname, `run-${scheme.replace(/[^a-z_]/g, '')}.js`));
    const modes = exports as RunModes;
    return {
      runValidate: (s: string, input: Buffer, io: ModinputIo) => modes.runValidate(s, input, { ...io, codeCache: { note: cache.note } }),
      runInputs: (s: string, input: Buffer, io: ModinputIo) => modes.runInputs(s, input, { ...io, codeCache: cache }),
    };
  });
}
