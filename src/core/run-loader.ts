/**
 * Loads the run and validate modes for one input. In the bundle (src/build/bundle.ts) this module
 * is replaced by a require of bin/lib/run-<scheme>.js, which holds that input's code alone.
 */
export function loadRun(_scheme: string): Promise<typeof import('./modinput-run')> {
  return import('./modinput-run');
}
