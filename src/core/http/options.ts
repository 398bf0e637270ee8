/**
 * The one place HTTP client options are built from settings: an input's connection arguments
 * (verify_tls, ca_cert_path, proxy_url + proxy_username + proxy_password, timeout,
 * max_response_mb, request_deadline), the add-on-wide proxy of splunkd's settings page, and the
 * standalone collector's HEC sink (the same names under `sink.`). Whatever the caller, a proxy
 * password is also a secret of the client, so no message can carry it.
 */
import type { HttpClientOptions, Logger, RetryPolicy } from '../types';

/** How long the live check of --validate-arguments may take: splunkd's form waits on it. */
export const VALIDATE_TIMEOUT_MS = 10_000;

/** The admin waits on the form: one quick retry at most, for every input alike. */
export const VALIDATION_RETRY: RetryPolicy = { retries: 1, baseDelayMs: 500, maxDelayMs: 1000, maxRetryAfterMs: 2000 };

/** Connection settings as typed config holds them (absent ones keep the client's defaults). */
export interface ConnectionSettings {
  verify_tls?: unknown;
  ca_cert_path?: unknown;
  proxy_url?: unknown;
  proxy_username?: unknown;
  proxy_password?: unknown;
  /** Seconds. */
  timeout?: unknown;
  max_response_mb?: unknown;
  /** Seconds. */
  request_deadline?: unknown;
}

export interface ConnectionContext {
  /** Prefix of the setting names in messages (`sink.` for the HEC sink). */
  prefix?: string;
  secrets?: string[];
  logger?: Logger;
  /** Seconds when `timeout` is not set. */
  defaultTimeoutS?: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The proxy part of client options; its password joins the secrets. */
export function proxyOptions(url: string | undefined, username?: string, password?: string): Partial<HttpClientOptions> {
  if (!url) return {};
  return {
    proxyUrl: url,
    ...(username ? { proxyUsername: username } : {}),
    ...(password ? { proxyPassword: password } : {}),
  };
}

/** Client options from connection settings: the only builder, for inputs and the HEC sink alike. */
export function connectionOptions(config: ConnectionSettings, c: ConnectionContext = {}): HttpClientOptions {
  const prefix = c.prefix ?? '';
  const timeoutS = num(config.timeout) ?? c.defaultTimeoutS ?? 60;
  const mb = num(config.max_response_mb);
  const deadlineS = num(config.request_deadline);
  const ca = str(config.ca_cert_path);
  const proxyPassword = str(config.proxy_url) ? str(config.proxy_password) : undefined;
  return {
    verifyTls: config.verify_tls !== false,
    timeoutMs: timeoutS * 1000,
    secrets: [...(c.secrets ?? []), ...(proxyPassword ? [proxyPassword] : [])],
    ...(c.logger ? { logger: c.logger } : {}),
    caSettingName: `${prefix}ca_cert_path`,
    proxySettingName: `${prefix}proxy_url`,
    maxResponseSetting: `${prefix}max_response_mb`,
    requestDeadlineSetting: `${prefix}request_deadline`,
    ...(mb !== undefined ? { maxResponseBytes: mb * 1024 * 1024 } : {}),
    ...(deadlineS !== undefined ? { requestDeadlineMs: deadlineS * 1000 } : {}),
    ...(ca ? { caCertPath: ca } : {}),
    ...proxyOptions(str(config.proxy_url), str(config.proxy_username), proxyPassword),
  };
}

/**
 * The add-on-wide proxy (splunkd's settings page) for a client whose input sets none of its
 * own: a per-input proxy_url wins.
 */
export function withDefaultProxy(opts: HttpClientOptions, proxy: { url?: string; username?: string; password?: string }): HttpClientOptions {
  if (opts.proxyUrl || !proxy.url) return opts;
  return {
    ...opts,
    ...proxyOptions(proxy.url, proxy.username, proxy.password),
    ...(proxy.password ? { secrets: [...(opts.secrets ?? []), proxy.password] } : {}),
  };
}
