/** Every generator `npm run generate` runs and the drift test checks. Add one line per generator. */
import { accountsGenerator } from './accounts';
import { eventtypesGenerator } from './eventtypes';
import { iconsGenerator } from './icons';
import { inputsGenerator } from './inputs';
import { launchersGenerator } from './launchers';
import { lookupsGenerator } from './lookups';
import { macrosGenerator } from './macros';
import { propsGenerator } from './props';
import { savedsearchesGenerator } from './savedsearches';
import { tagsGenerator } from './tags';
import { transformsGenerator } from './transforms';
import type { Generator } from './types';
import { webGenerator } from './web';

export type { Generator, GeneratorContext } from './types';

export const generators: readonly Generator[] = [
  inputsGenerator,
  accountsGenerator,
  launchersGenerator,
  iconsGenerator,
  propsGenerator,
  transformsGenerator,
  lookupsGenerator,
  eventtypesGenerator,
  tagsGenerator,
  macrosGenerator,
  savedsearchesGenerator,
  webGenerator,
];
