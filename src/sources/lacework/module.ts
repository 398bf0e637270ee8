/** The Lacework Edge vendor module: what src/sources/index.ts lists (see src/core/source-module.ts). */
import type { SourceModule } from '../../core/source-module';
import { laceworkAlertsDescription, laceworkAuditDescription } from './description';

export const lacework: SourceModule = {
  name: 'lacework',
  title: 'Lacework Edge',
  inputs: [
    { description: laceworkAuditDescription, load: async () => (await import('./index')).auditSource },
    { description: laceworkAlertsDescription, load: async () => (await import('./index')).alertsSource },
  ],
  knowledge: async () => (await import('./knowledge')).laceworkKnowledge,
  simulator: async () => (await import('./simulator/start')).simulator,
  benches: async () => (await import('./bench')).laceworkBenches,
  demo: async () => (await import('./demo')).laceworkDemo,
  goldenInputs: async () => (await import('./golden')).laceworkGoldenInputs(),
  analystSamples: async () => (await import('./analyst-samples')).laceworkAnalystSamples,
};
