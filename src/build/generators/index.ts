/** Every generator `npm run generate` runs and the drift test checks. Add one line per generator. */
import { iconsGenerator } from './icons';
import { inputsGenerator } from './inputs';
import { knowledgeGenerator } from './knowledge';
import type { Generator } from './types';
import { webGenerator } from './web';

export type { Generator } from './types';

export const generators: readonly Generator[] = [
  inputsGenerator,
  iconsGenerator,
  knowledgeGenerator,
  webGenerator,
];
