/** The Prisma SaaS vendor module: what src/sources/index.ts lists (see src/core/source-module.ts). */
import type { SourceModule } from '../../core/source-module';
import { prismaDescription } from './description';

export const prisma: SourceModule = {
  name: 'prisma',
  title: 'Prisma SaaS',
  inputs: [
    { description: prismaDescription, load: async () => (await import('./index')).source },
  ],
  knowledge: async () => (await import('./knowledge')).prismaKnowledge,
  simulator: async () => (await import('./simulator/start')).simulator,
  benches: async () => (await import('./bench')).prismaBenches,
  demo: async () => (await import('./demo')).prismaDemo,
  goldenInputs: async () => (await import('./golden')).prismaGoldenInputs(),
  facts: async () => (await import('./reference-facts')).prismaFactTables,
  analystSamples: async () => (await import('./analyst-samples')).prismaAnalystSamples,
};
