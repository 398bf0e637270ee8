/**
 * Loads the run and validate modes for one input. In the bundle (src/build/bundle.ts) this module
 * is replaced by a require of bin/lib/run-<scheme>.js, which holds that input's code alone.
 */
import type { RunModes } from '../app/modinput';

export function loadRun(_scheme: string): Promise<RunModes> {
  return import('./modinput-run');
}
