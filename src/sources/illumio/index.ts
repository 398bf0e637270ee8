// Scaffolding so the registry type-checks while the illumio collector is being written.
import type { Source } from '../../core/types';
import { illumioDescription } from './description';

export const source: Source = {
  description: illumioDescription,
  validate: async () => {
    throw new Error('illumio input: not built yet');
  },
  collect: () => {
    throw new Error('illumio input: not built yet');
  },
};
