/** Prisma SaaS macros and saved searches (generated into default/ by src/build/generators). */
import { indexMacro, QUARTER } from '../../core/knowledge/searches';
import type { MacroDefinition, SavedSearchDefinition } from '../../core/knowledge/spec';

const PRISMA = indexMacro('prisma');

export const PRISMA_INDEX_MACRO_DESCRIPTION = 'Indexes holding Prisma SaaS data (sourcetype pan:prisma_saas, and the add-on health events of its inputs). The default is main, where an input without an index setting writes; set it to the index of the Prisma SaaS input, e.g. index=zerotrust.';

export const PRISMA_MACROS: readonly MacroDefinition[] = [
  {
    name: 'ta_zerotrust_prisma_high_severity', definition: '(vendor_severity>=4)',
    description: 'Which Prisma SaaS incidents and policy violations count as high severity. Prisma SaaS rates them 0 to 5 (vendor_severity); the default takes 4 and 5.',
  },
];

export const PRISMA_SEARCHES: readonly SavedSearchDefinition[] = [
  {
    name: 'Prisma SaaS - High-severity incidents',
    description: 'Prisma SaaS opened incidents at or above the severity set in ta_zerotrust_prisma_high_severity.',
    search: `${PRISMA} eventtype="prisma_saas_incident" \`ta_zerotrust_prisma_high_severity\` | table _time incident_id severity vendor_severity signature app object user`,
    ...QUARTER, alert: { severity: 4 },
  },
  {
    name: 'Prisma SaaS - High-severity policy violations',
    description: 'Prisma SaaS reported policy violations at or above the severity set in ta_zerotrust_prisma_high_severity.',
    search: `${PRISMA} eventtype="prisma_saas_policy_violation" \`ta_zerotrust_prisma_high_severity\` | table _time incident_id severity vendor_severity signature app object user`,
    ...QUARTER, alert: { severity: 4 },
  },
];
