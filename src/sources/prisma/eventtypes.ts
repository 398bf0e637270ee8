/**
 * Prisma SaaS eventtypes and their CIM tags (generated into eventtypes.conf/tags.conf by
 * src/build/generators from ./knowledge.ts). Names and CIM choices follow Palo Alto Networks' own add-on
 * (an eventtype per `log_type`; incidents, policy violations and remediations are Alerts;
 * admin logins and logouts are Authentication) so existing searches keep working; admin edits
 * are additionally CIM Change, which that add-on left out. Admin audit events are told apart by
 * `command` (the vendor's own action word): at search time `action` carries the CIM value.
 */
import type { EventTypeDefinition } from '../../core/eventtype';

export const PRISMA_SOURCETYPE = 'pan:prisma_saas';

const st = `sourcetype="${PRISMA_SOURCETYPE}"`;

export const PRISMA_EVENT_TYPES: readonly EventTypeDefinition[] = [
  { name: 'prisma_saas_event', description: 'Every Prisma SaaS log event.', search: st, tags: [], priority: 9 },
  { name: 'prisma_saas_incident', description: 'Prisma SaaS incidents (a policy rule matched an asset).', search: `${st} log_type="incident"`, tags: ['alert'] },
  { name: 'prisma_saas_policy_violation', description: 'Prisma SaaS policy violations.', search: `${st} log_type="policy_violation"`, tags: ['alert'] },
  { name: 'prisma_saas_remediation', description: 'Prisma SaaS remediations taken on incidents.', search: `${st} log_type="remediation"`, tags: ['alert'] },
  { name: 'prisma_saas_activity', description: 'Prisma SaaS user activity in monitored cloud apps.', search: `${st} log_type="activity_monitoring"`, tags: [] },
  { name: 'prisma_saas_admin_audit', description: 'Prisma SaaS administrator audit trail.', search: `${st} log_type="admin_audit"`, tags: [] },
  {
    // A logout is the end of a session, not an authentication: tagged, it would count as a login.
    name: 'prisma_saas_admin_authentication', description: 'Prisma SaaS administrator logins, successful or failed (action login, or event_type login with sign_in…); logouts excluded.',
    search: `${st} log_type="admin_audit" (event_type="login" OR command="login" OR command="sign_in*") NOT command="logout" NOT command="sign_out"`, tags: ['authentication'],
  },
  {
    name: 'prisma_saas_admin_logout', description: 'Prisma SaaS administrator logouts (action logout or sign_out: session ends).',
    search: `${st} log_type="admin_audit" (command="logout" OR command="sign_out")`, tags: [],
  },
  {
    name: 'prisma_saas_admin_change', description: 'Prisma SaaS administrator changes to settings, policies and remediation.',
    search: `${st} log_type="admin_audit" (command="create" OR command="edit" OR command="delete") NOT event_type="login"`, tags: ['change'],
  },
];
