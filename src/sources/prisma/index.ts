// Scaffolding so the registry type-checks while the prisma collector is being written.
import type { Source } from '../../core/types';
import { prismaDescription } from './description';

export const source: Source = {
  description: prismaDescription,
  validate: async () => {
    throw new Error('prisma input: not built yet');
  },
  collect: () => {
    throw new Error('prisma input: not built yet');
  },
};
