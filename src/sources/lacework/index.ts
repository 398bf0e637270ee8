/** The Lacework Edge inputs: audit events and alerts with their state changes. */
import { ConfigError } from '../../core/errors';
import type { Source, SourceContext } from '../../core/types';
import { AlertsCheckpoint, collectAlerts } from './alerts';
import { AuditCheckpoint, collectAudit } from './audit';
import { AlertsConfig, AuditConfig, LaceworkClient, TimeReader, toApi } from './client';
import { laceworkAlertsDescription, laceworkAuditDescription } from './description';

/**
 * One query over the last hour: proves base_url, path, the token and its header. When records
 * come back, their times also tell whether time_unit is right.
 */
async function check(config: AuditConfig | AlertsConfig, ctx: SourceContext, listKey: string, extra: Record<string, string>): Promise<void> {
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
}

export const auditSource: Source<AuditConfig, AuditCheckpoint> = {
  description: laceworkAuditDescription,
  validate: (config, ctx) => check(config, ctx, 'audit_events', {}),
  collect: collectAudit,
};

export const alertsSource: Source<AlertsConfig, AlertsCheckpoint> = {
  description: laceworkAlertsDescription,
  validate: (config, ctx) =>
    check(config, ctx, 'alerts', config.status_filter?.length ? { status_filter: config.status_filter.join(',') } : {}),
  collect: collectAlerts,
};
