// Scaffolding so the registry type-checks while the Lacework collectors are being written.
import type { Source } from '../../core/types';
import { laceworkAlertsDescription, laceworkAuditDescription } from './description';

const notYet = (d: Source['description']): Source => ({
  description: d,
  validate: async () => {
    throw new Error(`${d.scheme}: not built yet`);
  },
  collect: () => {
    throw new Error(`${d.scheme}: not built yet`);
  },
});
export const auditSource = notYet(laceworkAuditDescription);
export const alertsSource = notYet(laceworkAlertsDescription);
