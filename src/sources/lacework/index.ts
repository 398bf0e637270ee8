/** The Lacework Edge inputs: audit events and alerts with their state changes. */
import { ConfigError } from '../../core/errors';
import type { Source, SourceContext } from '../../core/types';
import { collectAlerts } from './alerts';
import { collectAudit } from './audit';
import { ALERTS_CHECKPOINT, AUDIT_CHECKPOINT, type AlertsCheckpoint, type AuditCheckpoint } from './checkpoint';
import { AlertsConfig, AuditConfig, LaceworkClient, TimeReader, toApi } from './client';
import { laceworkAlertsDescription, laceworkAuditDescription } from './description';

/**
 * One query over the last hour: proves base_url, path, the token and its header. When records
 * come back, their times also tell whether time_unit is right, and for alerts one of them proves
 * alert_path (and history_path when used).
 */
async function check(config: AuditConfig | AlertsConfig, ctx: SourceContext, listKey: string, extra: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const client = new LaceworkClient(ctx.http, config, ctx.stanza, ctx.signal);
  const to = ctx.now();
  const from = to - 3_600_000;
  const body = await client.get('path', config.path, {
    start_time: toApi(from, config.time_unit), end_time: toApi(to, config.time_unit), ...extra,
  });
  const list = (body as Record<string, unknown> | null)?.[listKey];
  if (!body || typeof body !== 'object' || (list !== undefined && !Array.isArray(list))) {
    throw new ConfigError(`${ctx.stanza}: ${config.path} answered, but not with the documented {"${listKey}": [...]}. Check that path points at the right operation.`, 'path');
  }
  const times = new TimeReader(config.time_unit);
  for (const rec of (list as Array<Record<string, unknown>> | undefined) ?? []) times.toMs(rec?.create_time);
  const warning = times.warning(ctx.stanza, 'create_time');
  if (warning) throw new ConfigError(warning, 'time_unit');
  return (list as Array<Record<string, unknown>> | undefined) ?? [];
}

/** With an alert at hand, the assumed get-one and history paths can be proven too. */
async function checkAlertPaths(config: AlertsConfig, ctx: SourceContext, alerts: Array<Record<string, unknown>>): Promise<void> {
  const uuid = alerts.find((a) => typeof a?.uuid === 'string' && a.uuid)?.uuid as string | undefined;
  if (!uuid) return;
  const client = new LaceworkClient(ctx.http, config, ctx.stanza, ctx.signal);
  const paths: Array<['alert_path' | 'history_path', string, string]> = [
    ['alert_path', config.alert_path, '"Get a single alert by its ID"'],
    ...(config.include_history ? [['history_path', config.history_path, '"Get the history of investigation actions taken for an alert"'] as ['history_path', string, string]] : []),
  ];
  for (const [setting, value, operation] of paths) {
    if ((await client.get(setting, value, {}, uuid)) === undefined) {
      throw new ConfigError(`${ctx.stanza}: GET ${value.replace('{uuid}', uuid)} answered 404 for an alert the query just returned. Set ${setting} to the path of ${operation} from your Lacework Edge API documentation (now ${value}; the default is an assumption because the API document does not state paths).`, setting);
    }
  }
}

export const auditSource: Source<AuditConfig, AuditCheckpoint> = {
  description: laceworkAuditDescription,
  checkpoint: AUDIT_CHECKPOINT,
  validate: async (config, ctx) => {
    await check(config, ctx, 'audit_events', {});
  },
  collect: collectAudit,
};

export const alertsSource: Source<AlertsConfig, AlertsCheckpoint> = {
  description: laceworkAlertsDescription,
  checkpoint: ALERTS_CHECKPOINT,
  validate: async (config, ctx) => {
    const alerts = await check(config, ctx, 'alerts', config.status_filter?.length ? { status_filter: config.status_filter.join(',') } : {});
    await checkAlertPaths(config, ctx, alerts);
  },
  collect: collectAlerts,
};
