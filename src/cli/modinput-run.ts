/**
 * Entry of each input's run bundle (bin/lib/run-<scheme>.js): the run and validate modes bound to
 * the module list. In that bundle the list keeps only its own vendor's collector (src/build/bundle.ts).
 */
import { runModes } from '../app/modinput-run';
import { SOURCE_MODULES } from '../sources';

export const { runValidate, runInputs } = runModes(SOURCE_MODULES);
