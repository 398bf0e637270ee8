/**
 * The two Lacework Edge inputs. The API document (Redoc rendering of the OpenAPI spec) lost the
 * URL paths and the security scheme, so every path and the auth header are settings whose
 * defaults are assumptions, and the help text says so. Everything else follows the document.
 */
import { ArgValue, clip, commonConnectionArgs, defineArgs, defineInput, httpsUrlCheck } from '../../core/description';
import { startDateCheck } from '../../core/time';

/** Assumed defaults (not in the API document): keep them in one place for docs and tests. */
export const DEFAULT_PATHS = {
  audit: '/api/v1/audit_events',
  alerts: '/api/v1/alerts',
  alert: '/api/v1/alerts/{uuid}',
  history: '/api/v1/alerts/{uuid}/investigation_history',
} as const;

const pathCheck = (v: ArgValue): string | undefined =>
  /^\/[^\s?#]*$/.test(String(v)) ? undefined : `must be a URL path starting with / (no spaces, no query), got "${clip(String(v))}".`;

const uuidPathCheck = (v: ArgValue): string | undefined =>
  pathCheck(v) ?? (String(v).includes('{uuid}') ? undefined : 'must contain {uuid} where the alert uuid goes.');

function laceworkArgs(defaultPath: string, operation: string, timeHelp: string) {
  return defineArgs([
    {
      name: 'base_url', title: 'API base URL', type: 'string', required: true,
      description: 'Lacework Edge API base URL (scheme and host, e.g. https://<tenant>.example.com). The paths below are appended to it.',
      check: httpsUrlCheck,
    },
    {
      name: 'api_token', title: 'API token', type: 'string', required: true, secret: true,
      description: 'API key created under Settings > API Keys. Stored in Splunk storage/passwords; inputs.conf keeps only ********.',
    },
    {
      name: 'auth_header', title: 'Authentication header', type: 'string', default: 'Authorization', advanced: true,
      description: 'Header that carries the token. Assumed default: the API document does not state the scheme. If the service answers 401, set the header your Lacework Edge API documentation names.',
      check: (v) => (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(String(v)) ? undefined : 'must be an HTTP header name (letters, digits, -).'),
    },
    {
      name: 'auth_scheme', title: 'Authentication scheme', type: 'string', default: 'Bearer', advanced: true,
      description: 'Word sent before the token in the header (assumed default Bearer). Set to none to send the token alone, e.g. for an X-API-Key style header.',
      check: (v) => (/^[A-Za-z0-9._~+\/-]+$/.test(String(v)) ? undefined : 'must be one word (e.g. Bearer, Token) or none.'),
    },
    {
      name: 'path', title: 'API path', type: 'string', default: defaultPath, advanced: true,
      description: `Path of the "${operation}" operation. Assumed default ${defaultPath} (the API document does not state it). If the service answers 404, set the path shown in your Lacework Edge API documentation.`,
      check: pathCheck,
    },
    {
      name: 'time_unit', title: 'Time unit', type: 'string', choices: ['ms', 's'], default: 'ms', advanced: true,
      description: `Unit of start_time/end_time and of the times in responses: ms (milliseconds) or s (seconds). ${timeHelp} A warning in splunkd.log says which value to set when the times look wrong.`,
    },
    {
      name: 'start_date', title: 'Start date', type: 'string', default: '-24h',
      description: 'Where the first run starts: ISO 8601 (2026-01-31T00:00:00Z) or relative (-7d). Default -24h. Ignored once a checkpoint exists.',
      check: startDateCheck,
    },
    {
      name: 'window', title: 'Window (seconds)', type: 'number', default: 3600, min: 60, max: 86400 * 7, advanced: true,
      description: 'Largest time window asked for in one request. The API documents no paging: make it smaller on busy tenants.',
    },
    {
      name: 'overlap', title: 'Overlap (seconds)', type: 'number', default: 300, min: 0, max: 86400, advanced: true,
      description: 'Each run asks again for this many seconds before the checkpoint, to catch records that reached the API late; repeats are dropped by uuid.',
    },
  ]);
}

export const laceworkAuditDescription = defineInput({
  scheme: 'lacework_edge_audit',
  title: 'Lacework Edge audit events',
  description: 'Collects Lacework Edge audit events (API calls and console actions).',
  sourcetype: 'lacework:edge:audit',
  defaultInterval: 300,
  args: [
    ...laceworkArgs(DEFAULT_PATHS.audit, 'Query Audit Events',
      'The API document does not state the unit for audit events; ms is assumed.'),
    {
      name: 'redact_request_body', title: 'Redact secrets in request_body', type: 'boolean', default: true, advanced: true,
      description: 'request_body holds what users sent, which can include passwords and tokens. On (default): values of keys that look like passwords, tokens, secrets, credentials or keys are replaced by ******** in request_body and in the query string of path before indexing.',
    },
    ...commonConnectionArgs(),
  ],
});

export const laceworkAlertsDescription = defineInput({
  scheme: 'lacework_edge_alerts',
  title: 'Lacework Edge alerts',
  description: 'Collects Lacework Edge alerts and their state changes (status, incident status, owner).',
  sourcetype: 'lacework:edge:alert',
  defaultInterval: 300,
  args: [
    ...laceworkArgs(DEFAULT_PATHS.alerts, 'Query open alerts for the account',
      'The API document states milliseconds for the alert query.'),
    {
      name: 'alert_path', title: 'Get-one-alert path', type: 'string', default: DEFAULT_PATHS.alert, advanced: true,
      description: `Path of "Get a single alert by its ID", {uuid} standing for the alert uuid. Assumed default ${DEFAULT_PATHS.alert} (not stated by the API document). Used to re-read open alerts that left the query (for example closed). If splunkd.log reports 404 for it, set the path from your Lacework Edge API documentation.`,
      check: uuidPathCheck,
    },
    {
      name: 'status_filter', title: 'Status filter', type: 'string', list: true, advanced: true,
      description: 'Optional comma-separated AlertStatus values (integers, e.g. 1,2) sent as status_filter. The API document gives AlertStatus as integers without naming them. Empty: not sent. Alerts already collected are still followed when their status leaves the filter.',
      check: (v) => {
        const bad = (v as string[]).filter((s) => !/^\d{1,4}$/.test(s));
        return bad.length ? `must be AlertStatus integers like 1,2; got ${bad.map((b) => `"${clip(b, 20)}"`).join(', ')}.` : undefined;
      },
    },
    {
      name: 'include_history', title: 'Include investigation history', type: 'boolean', default: false, advanced: true,
      description: 'Add investigation_actions (the alert\'s investigation history) to events of alerts whose state changed. One extra request per changed alert.',
    },
    {
      name: 'history_path', title: 'Investigation history path', type: 'string', default: DEFAULT_PATHS.history, advanced: true,
      description: `Path of "Get the history of investigation actions taken for an alert", {uuid} standing for the alert uuid. Assumed default ${DEFAULT_PATHS.history} (not stated by the API document). Used only with include_history.`,
      check: uuidPathCheck,
    },
    {
      name: 'max_tracked_alerts', title: 'Open alerts followed', type: 'number', default: 5000, min: 100, max: 50000, advanced: true,
      description: 'Most open alerts whose state is kept in the checkpoint to detect changes. Beyond it the oldest are no longer followed and a warning is logged.',
    },
    ...commonConnectionArgs(),
  ],
});
