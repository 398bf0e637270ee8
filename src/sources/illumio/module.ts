/** The Illumio PCE vendor module: what src/sources/index.ts lists (see src/core/source-module.ts). */
import type { SourceModule } from '../../core/source-module';
import { healthDescription, illumioDescription, illumioPceAccount, objectsDescription, trafficDescription } from './description';

export const illumio: SourceModule = {
  name: 'illumio',
  title: 'Illumio PCE',
  inputs: [
    { description: illumioDescription, load: async () => (await import('./index')).source },
    { description: trafficDescription, load: async () => (await import('./index')).trafficSource },
    { description: healthDescription, load: async () => (await import('./index')).healthSource },
    { description: objectsDescription, load: async () => (await import('./index')).objectsSource },
  ],
  accounts: [illumioPceAccount],
  knowledge: async () => (await import('./knowledge')).illumioKnowledge,
  simulator: async () => (await import('./simulator/start')).simulator,
  benches: async () => (await import('./bench')).illumioBenches,
  demo: async () => (await import('./demo')).illumioDemo,
  goldenInputs: async () => (await import('./golden')).illumioGoldenInputs(),
  facts: async () => (await import('./reference-facts')).illumioFactTables,
  analystSamples: async () => (await import('./analyst-samples')).illumioAnalystSamples,
};
