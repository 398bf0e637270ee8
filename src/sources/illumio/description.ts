import { clip, commonConnectionArgs, defineInput, httpsUrlCheck, type ArgValue } from '../../core/description';
import { startDateCheck } from '../../core/time';

export const ILLUMIO_SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** The PCE address only: the collector appends /api/v2/orgs/<org>/events itself. */
export function pceUrlCheck(value: ArgValue): string | undefined {
  const base = httpsUrlCheck(value);
  if (base) return base;
  const u = new URL(String(value));
  if (u.search || u.hash || !/^\/?(api\/v2\/?)?$/.test(u.pathname)) {
    return `must be the PCE address only, like https://pce.example.com:8443, got "${clip(String(value))}".`;
  }
  return undefined;
}

export const illumioDescription = defineInput({
  scheme: 'illumio_pce_events',
  title: 'Illumio PCE events',
  description: 'Collects audit and system events from the Illumio PCE events API (REST, version 2).',
  sourcetype: 'illumio:pce:event',
  defaultInterval: 300,
  args: [
    {
      name: 'pce_url', title: 'PCE URL', type: 'string', required: true,
      description: 'Base URL of the PCE, e.g. https://pce.example.com:8443 (SaaS: https://<name>.illum.io:443).',
      check: pceUrlCheck,
    },
    {
      name: 'org_id', title: 'Organization ID', type: 'number', required: true, min: 1,
      description: 'Numeric organization ID shown with the API key in the PCE (Org ID).',
    },
    {
      name: 'api_key_id', title: 'API key ID', type: 'string', required: true,
      description: 'API key ID (Authentication Username), e.g. api_1a2b3c4d5e6f7.',
    },
    {
      name: 'api_secret', title: 'API key secret', type: 'string', required: true, secret: true,
      description: 'API key secret. Stored in Splunk storage/passwords; inputs.conf keeps only ********.',
    },
    {
      name: 'start_date', title: 'Start date', type: 'string', default: '-24h',
      description: 'Where the first run starts: ISO 8601 (2026-01-31T00:00:00Z) or relative (-7d). Default -24h.',
      check: startDateCheck,
    },
    {
      name: 'max_results', title: 'Page size', type: 'number', default: 10000, min: 1, max: 10000, advanced: true,
      description: 'max_results per request (1-10000). A full page switches to an asynchronous collection.',
    },
    {
      name: 'overlap', title: 'Overlap (seconds)', type: 'number', default: 300, min: 0, max: 86400, advanced: true,
      description: 'Each run re-reads this many seconds before its checkpoint, for events the PCE records late or a PCE clock behind this host; repeats are removed by href. Default 300.',
    },
    {
      name: 'event_types', title: 'Event types', type: 'string', list: true, advanced: true,
      description: 'Optional comma-separated event types to collect (e.g. user.sign_in,agent.tampering). Empty: all.',
    },
    {
      name: 'severity', title: 'Severity', type: 'string', choices: ILLUMIO_SEVERITIES, advanced: true,
      description: `Optional severity filter: one of ${ILLUMIO_SEVERITIES.join(', ')}. Empty: all.`,
    },
    ...commonConnectionArgs(),
  ],
});
