/**
 * Raw Prisma SaaS events as its log events API return them, with the eventtypes and tags an analyst must see:
 * the module's `analystSamples` hook, run through `npm run preview` by test/catalog/golden.test.ts.
 */
import type { AnalystSample } from '../../core/source-hooks';

export const prismaAnalystSamples: readonly AnalystSample[] = [
  {
    title: 'Prisma SaaS: high-severity incident',
    sourcetype: 'pan:prisma_saas',
    raw: JSON.stringify({ log_type: 'incident', severity: 4.0, item_type: 'File', item_name: 'payroll.xlsx', item_owner: 'John Smith', asset_id: 'ce7c9ed11e6f4891ae73c1601af7f741', serial: 'serial', cloud_app_instance: 'Box Corp', timestamp: '2026-11-21T10:15:00Z', policy_rule_name: 'PII shared publicly', incident_id: '9610efdcd8a74a259bf031843eac0309', exposure: 'public', incident_category: 'business_justified' }),
    eventtypes: ['prisma_saas_event', 'prisma_saas_incident'],
    tags: ['alert'],
  },
  {
    title: 'Prisma SaaS: admin login',
    sourcetype: 'pan:prisma_saas',
    raw: JSON.stringify({ log_type: 'admin_audit', admin_id: 'admin@example.com', admin_role: 'Super Admin', ip: '198.51.100.7', event_type: 'login', action: 'login', serial: 'serial', timestamp: '2026-11-21T10:15:00.961Z' }),
    eventtypes: ['prisma_saas_event', 'prisma_saas_admin_audit', 'prisma_saas_admin_authentication'],
    tags: ['authentication'],
  },
];
