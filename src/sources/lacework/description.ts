import { ArgumentDescription, commonConnectionArgs, httpsUrlCheck, InputDescription } from '../../core/description';
import { startDateCheck } from '../../core/time';

/** Lacework Edge AlertStatus names (seed: enum AlertStatus). */
export const ALERT_STATUSES = ['open', 'in_progress', 'closed'] as const;

function laceworkArgs(defaultPath: string): ArgumentDescription[] {
  return [
    {
      name: 'base_url', title: 'API base URL', type: 'string', required: true,
      description: 'Lacework Edge API base URL, e.g. https://<tenant>.example.com.',
      check: httpsUrlCheck,
    },
    {
      name: 'api_token', title: 'API token', type: 'string', required: true, secret: true,
      description: 'API key created under Settings > API Keys. Stored in Splunk storage/passwords; inputs.conf keeps only ********.',
    },
    {
      name: 'auth_header', title: 'Authentication header', type: 'string', default: 'Authorization', advanced: true,
      description: 'Header that carries the token. The API document does not state it; change it if the service answers 401.',
      check: (v) => (/^[A-Za-z0-9-]+$/.test(String(v)) ? undefined : 'must be an HTTP header name (letters, digits, -).'),
    },
    {
      name: 'auth_scheme', title: 'Authentication scheme', type: 'string', default: 'Bearer', advanced: true,
      description: 'Word before the token in the header (Bearer). Set to none to send the token alone.',
    },
    {
      name: 'path', title: 'API path', type: 'string', default: defaultPath, advanced: true,
      description: `Path of the query operation (default ${defaultPath}; not stated by the API document). Change it if the service answers 404.`,
      check: (v) => (String(v).startsWith('/') ? undefined : 'must start with /.'),
    },
    {
      name: 'time_unit', title: 'Time unit', type: 'string', choices: ['ms', 's'], default: 'ms', advanced: true,
      description: 'Unit of start_time/end_time and of the times in responses: ms (milliseconds) or s (seconds).',
    },
    {
      name: 'start_date', title: 'Start date', type: 'string', default: '-24h',
      description: 'Where the first run starts: ISO 8601 or relative (-7d). Default -24h.',
      check: startDateCheck,
    },
    {
      name: 'window', title: 'Window (seconds)', type: 'number', default: 3600, min: 60, max: 86400 * 7, advanced: true,
      description: 'Largest time window asked for in one request.',
    },
  ];
}

export const laceworkAuditDescription: InputDescription = {
  scheme: 'lacework_edge_audit',
  title: 'Lacework Edge audit events',
  description: 'Collects Lacework Edge audit events (API calls and console actions).',
  sourcetype: 'lacework:edge:audit',
  defaultInterval: 300,
  args: [
    ...laceworkArgs('/api/v1/audit_events'),
    {
      name: 'redact_request_body', title: 'Redact secrets in request_body', type: 'boolean', default: true, advanced: true,
      description: 'Mask values of keys that look like passwords, tokens, secrets or keys inside request_body (default on).',
    },
    ...commonConnectionArgs(),
  ],
};

export const laceworkAlertsDescription: InputDescription = {
  scheme: 'lacework_edge_alerts',
  title: 'Lacework Edge alerts',
  description: 'Collects Lacework Edge alerts and their state changes (status, incident status, owner).',
  sourcetype: 'lacework:edge:alert',
  defaultInterval: 300,
  args: [
    ...laceworkArgs('/api/v1/alerts'),
    {
      name: 'status_filter', title: 'Status filter', type: 'string', list: true, advanced: true,
      description: 'Optional comma-separated alert statuses to collect. Empty: all.',
    },
    {
      name: 'include_history', title: 'Include investigation history', type: 'boolean', default: false, advanced: true,
      description: 'Add the investigation history of alerts whose state changed.',
    },
    ...commonConnectionArgs(),
  ],
};
