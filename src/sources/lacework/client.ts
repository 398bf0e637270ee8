/**
 * Talks to the Lacework Edge API for both inputs: the auth header, paths and time unit come from
 * settings because the API document does not state them, so every refusal names the setting to
 * change rather than pretending to know the right value.
 */
import { vendorText } from '../../core/log/redact';
import { boundDepth, DEFAULT_MAX_DEPTH } from '../../core/bounds';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyValidator } from '../../core/schema';
import type { TypedConfig } from '../../core/description';
import { AuthError, ConfigError, ProtocolError, TransientError } from '../../core/errors';
import type { HttpClient, HttpResponse } from '../../core/types';
import { DEFAULT_PATHS } from './description';

export type TimeUnit = 'ms' | 's';

interface CommonConfig extends TypedConfig {
  base_url: string;
  api_token: string;
  auth_header: string;
  auth_scheme: string;
  path: string;
  time_unit: TimeUnit;
  start_date: string;
  window: number;
  overlap: number;
}

export interface AuditConfig extends CommonConfig {
  redact_request_body: boolean;
}

export interface AlertsConfig extends CommonConfig {
  alert_path: string;
  history_path: string;
  status_filter?: string[];
  include_history: boolean;
  max_tracked_alerts: number;
}

/** What each path setting is for, so a 404 names the right one. */
export type PathSetting = 'path' | 'alert_path' | 'history_path';

const OPERATION: Record<PathSetting, string> = {
  path: 'the query operation',
  alert_path: '"Get a single alert by its ID"',
  history_path: '"Get the history of investigation actions taken for an alert"',
};

// Envelopes and items are checked loosely: proto3 JSON leaves out empty lists and zero values,
// and may send 64-bit integers as strings.
//
// Compiled on first use (src/core/schema.ts): each input uses two of the five.
const int64 = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d+$' }] };
export const auditEnvelope = lazyValidator({
  type: 'object', properties: { audit_events: { type: 'array' } },
});
export const alertsEnvelope = lazyValidator({
  type: 'object', properties: { alerts: { type: 'array' } },
});
export const historyEnvelope = lazyValidator({
  type: 'object', properties: { investigation_actions: { type: 'array', items: { type: 'object' } } },
});
export const auditItem = lazyValidator({
  type: 'object', required: ['uuid', 'create_time'],
  properties: { uuid: { type: 'string', minLength: 1 }, create_time: int64, request_body: { type: 'string' } },
});
export const alertItem = lazyValidator({
  type: 'object', required: ['uuid'],
  properties: {
    uuid: { type: 'string', minLength: 1 }, create_time: int64, update_time: int64, closed_time: int64,
    assignment_time: int64, status: int64, incident_status: int64, owner_uuid: { type: 'string' },
  },
});

export function schemaProblem(v: ValidateFunction): string {
  const e: ErrorObject | undefined = v.errors?.[0];
  if (!e) return 'unexpected shape';
  return `${e.instancePath || 'the response'} ${e.message ?? 'is unexpected'}`;
}

/** proto3 integers arrive as numbers or numeric strings; absent means 0. */
export function int(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return 0;
}

export function toApi(ms: number, unit: TimeUnit): number {
  return unit === 's' ? Math.floor(ms / 1000) : Math.floor(ms);
}

// Plausible event times: 2000-01-01 .. 2100-01-01.
const LOW_MS = 946_684_800_000;
const HIGH_MS = 4_102_444_800_000;

/**
 * Reads API times in the configured unit and notices when they cannot be in that unit (a
 * millisecond value read as seconds lands in the year 50000). The warning names the value to set;
 * event times use the plausible reading so nothing is indexed in the far future or in 1970.
 */
export class TimeReader {
  private suspect: TimeUnit | undefined;
  private example = 0;
  constructor(readonly unit: TimeUnit) {}

  toMs(v: unknown): number | undefined {
    const n = int(v);
    if (n <= 0) return undefined;
    const asConfigured = this.unit === 's' ? n * 1000 : n;
    if (asConfigured >= LOW_MS && asConfigured < HIGH_MS) return asConfigured;
    const other: TimeUnit = this.unit === 's' ? 'ms' : 's';
    const asOther = other === 's' ? n * 1000 : n;
    if (asOther >= LOW_MS && asOther < HIGH_MS) {
      this.suspect = other;
      this.example = n;
      return asOther;
    }
    return asConfigured;
  }

  /** The admin-facing message when times looked like the other unit, once per run. */
  warning(stanza: string, field: string): string | undefined {
    if (!this.suspect) return undefined;
    const msg = `${stanza}: ${field} values such as ${this.example} do not look like ${this.unit === 'ms' ? 'milliseconds' : 'seconds'} `
      + `(time_unit = ${this.unit}) but like ${this.suspect === 'ms' ? 'milliseconds' : 'seconds'}. Set time_unit = ${this.suspect} for this input; `
      + 'until then event times are read in the plausible unit, but the time windows sent to the service are wrong and records can be missed.';
    this.suspect = undefined;
    return msg;
  }
}

export class LaceworkClient {
  private readonly base: string;
  private readonly authValue: string;

  constructor(
    private readonly http: HttpClient,
    private readonly config: CommonConfig,
    private readonly stanza: string,
    private readonly signal?: AbortSignal,
  ) {
    this.base = config.base_url.replace(/\/+$/, '');
    this.authValue = /^none$/i.test(config.auth_scheme) ? config.api_token : `${config.auth_scheme} ${config.api_token}`;
  }

  /** Status of the last answer that `get` turned into undefined. */
  lastSoftStatus = 0;

  /**
   * GET a path setting's value ({uuid} filled in) and return the parsed JSON; undefined for the
   * `soft` statuses (for one alert, 404 may just mean it was deleted).
   */
  async get(
    setting: PathSetting, pathValue: string, query: Record<string, string | number | undefined>, uuid?: string,
    soft: readonly number[] = setting === 'path' ? [] : [404],
  ): Promise<unknown> {
    const res = await this.send(pathValue, query, uuid);
    if (soft.includes(res.status)) {
      this.lastSoftStatus = res.status;
      await res.dump();
      return undefined;
    }
    await this.check(res, setting, pathValue);
    // A record nested thousands deep overflows the stack when it is re-encoded, failing every
    // run at the same record; its deep part is cut here, once, for every Lacework input.
    const bounded = boundDepth(await res.json(), this.maxDepth);
    if (bounded.cut) this.depthCuts++;
    return bounded.value;
  }

  /** Answers whose nesting went past max_depth (cut there) since this client was made. */
  depthCuts = 0;

  private get maxDepth(): number {
    const v = (this.config as { max_depth?: number }).max_depth;
    return typeof v === 'number' ? v : DEFAULT_MAX_DEPTH;
  }

  private send(pathValue: string, query: Record<string, string | number | undefined>, uuid?: string): Promise<HttpResponse> {
    const path = uuid !== undefined ? pathValue.split('{uuid}').join(encodeURIComponent(uuid)) : pathValue;
    return this.http.request({
      url: this.base + path,
      query,
      headers: { [this.config.auth_header]: this.authValue, accept: 'application/json' },
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }

  private async check(res: HttpResponse, setting: PathSetting, pathValue: string): Promise<void> {
    if (res.status >= 200 && res.status < 300) return;
    // Redacted, clipped and quoted so the service's text can neither leak a secret nor forge fields.
    const raw = await res.text().catch(() => '');
    const body = raw.trim() ? vendorText(raw, (t) => this.http.redact(t)) : '';
    const where = `${this.stanza}: GET ${this.base}${pathValue}`;
    const auth = `auth_header = ${this.config.auth_header}, auth_scheme = ${this.config.auth_scheme}`;
    switch (res.status) {
      case 401:
        throw new AuthError(
          `${where} answered 401 Unauthorized: the service did not accept the API token. Check api_token (create a key under Settings > API Keys in Lacework Edge). `
          + `If the token is right, the service expects it in another form: the header and scheme are settings (now ${auth}; `
          + 'the defaults Authorization/Bearer are assumptions because the API document does not state them). Set auth_header and auth_scheme '
          + '(auth_scheme = none sends the token alone) to what your Lacework Edge API documentation shows.');
      case 403:
        throw new AuthError(
          `${where} answered 403 Forbidden: the token was read but lacks permission for this operation. Give the API key a role that can read ${setting === 'path' ? 'this data' : 'alerts'}, or check api_token. (${auth})`);
      case 404:
        throw new ConfigError(
          `${where} answered 404 Not Found: the service has no such path. Set ${setting} to the path of ${OPERATION[setting]} from your Lacework Edge API documentation `
          + `(now ${pathValue}; the default ${defaultFor(setting, pathValue)} is an assumption because the API document does not state paths). Also check base_url (now ${this.base}).`,
          setting);
      case 400: {
        const isAlerts = 'alert_path' in this.config;
        const filter = (this.config as Partial<AlertsConfig>).status_filter;
        const statusHint = !isAlerts ? ''
          : filter?.length ? ` and status_filter (now ${filter.join(',')})`
            : '; the API document marks status_filter as required for this query, so if the answer mentions it, set status_filter to the AlertStatus integers to collect (the status values of your alerts)';
        throw new ConfigError(
          `${where} answered 400 Bad Request${body ? ` (${body})` : ''}. Check time_unit (now ${this.config.time_unit})${statusHint}. `
          + 'If they are right, the path may point at another operation.', isAlerts && !filter?.length ? 'status_filter' : setting);
      }
      default:
        if (res.status >= 500) throw new TransientError(`${where} answered ${res.status}${body ? ` (${body})` : ''}. The next run tries again.`, res.status);
        throw new ProtocolError(`${where} answered an unexpected ${res.status}${body ? ` (${body})` : ''}. The next run tries again; if it persists, check base_url and ${setting}.`);
    }
  }
}

function defaultFor(setting: PathSetting, current: string): string {
  if (setting === 'alert_path') return DEFAULT_PATHS.alert;
  if (setting === 'history_path') return DEFAULT_PATHS.history;
  return current === DEFAULT_PATHS.alerts || current === DEFAULT_PATHS.audit ? current : `${DEFAULT_PATHS.audit} / ${DEFAULT_PATHS.alerts}`;
}

/** Time windows [from, to] in ms, each at most `size` long, up to `until`. */
export function* windows(from: number, until: number, sizeMs: number): Generator<[number, number]> {
  for (let a = from; a < until; a = Math.min(a + sizeMs, until)) yield [a, Math.min(a + sizeMs, until)];
}
