/**
 * Every input this add-on ships. Descriptions are cheap to import (the --scheme path needs
 * nothing else); a source's collector is loaded only when it runs. A fourth vendor adds one
 * folder and one line to each list.
 */
import type { InputDescription } from '../core/description';
import type { Source } from '../core/types';
import { illumioDescription } from './illumio/description';
import { laceworkAlertsDescription, laceworkAuditDescription } from './lacework/description';
import { prismaDescription } from './prisma/description';

export const descriptions: readonly InputDescription[] = [
  illumioDescription,
  prismaDescription,
  laceworkAuditDescription,
  laceworkAlertsDescription,
];

export function findDescription(scheme: string): InputDescription | undefined {
  return descriptions.find((d) => d.scheme === scheme);
}

/** Each source module exports `source` (a Source) from its index.ts. */
export async function loadSource(scheme: string): Promise<Source> {
  switch (scheme) {
    case 'illumio_pce_events':
      return (await import('./illumio')).source;
    case 'prisma_saas_log_events':
      return (await import('./prisma')).source;
    case 'lacework_edge_audit':
      return (await import('./lacework')).auditSource;
    case 'lacework_edge_alerts':
      return (await import('./lacework')).alertsSource;
    default:
      throw new Error(`Unknown input scheme "${scheme}". Known: ${descriptions.map((d) => d.scheme).join(', ')}.`);
  }
}
