/**
 * Add-on wide settings from `ta_zerotrust_events_settings.conf`, `default/` then `local/` of
 * the app directory (local wins, key by key), as splunkd layers them:
 *
 *   [logging]     loglevel = DEBUG | INFO | WARN | ERROR          (default INFO)
 *   [proxy]       proxy_enabled = true|false                       (default false)
 *                 proxy_type = http | https                        (default http)
 *                 proxy_url = <host name, or a URL http[s]://host[:port]>
 *                 proxy_port = <1-65535>                           (default 8080 when proxy_url has none)
 *                 proxy_username = <user>
 *                 (the password lives in storage/passwords: realm ta_zerotrust_events_settings://proxy,
 *                  username proxy_password)
 *   [node]        path = <absolute path of a node binary>          (used by bin/*.sh)
 *   [checkpoint]  store = file | kvstore                           (default file)
 *
 * A bad log level falls back to INFO with a warning (logging must never stop collection); a bad
 * proxy or checkpoint setting is a ConfigError naming the file and key, since guessing would send
 * traffic where the admin did not intend or lose track of checkpoints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf, toMap, type ConfFile } from './conf/parse';
import { parseBoolean } from './description';
import { ConfigError } from './errors';
import { parseLogLevel, type LogLevel } from './log';

export const SETTINGS_CONF = 'ta_zerotrust_events_settings.conf';
export const PROXY_PASSWORD_REALM = 'ta_zerotrust_events_settings://proxy';
export const PROXY_PASSWORD_USERNAME = 'proxy_password';

export interface ProxySettings {
  enabled: boolean;
  type: 'http' | 'https';
  /** Host name as configured (or the host of a configured URL). */
  host?: string;
  port?: number;
  username?: string;
  /** `http[s]://host:port`, without credentials; undefined when disabled or not set. */
  url?: string;
}

export interface Settings {
  logging: { level: LogLevel };
  proxy: ProxySettings;
  node: { path?: string };
  checkpoint: { store: 'file' | 'kvstore' };
  /** Problems that did not stop anything (e.g. an unknown log level), for the log. */
  warnings: string[];
}

function readLayer(file: string): ConfFile | undefined {
  try {
    return parseConf(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export function readSettings(appDir: string): Settings {
  const files = ['default', 'local'].map((d) => path.join(appDir, d, SETTINGS_CONF));
  const layers = files.map(readLayer).filter((l): l is ConfFile => !!l);
  const map = toMap(...layers);
  const where = (stanza: string, key: string) => `[${stanza}] ${key} in ${SETTINGS_CONF}`;
  const get = (stanza: string, key: string) => {
    const v = map.get(stanza)?.get(key) ?? map.get('default')?.get(key);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const warnings: string[] = [];

  const rawLevel = get('logging', 'loglevel');
  let level: LogLevel = 'INFO';
  if (rawLevel !== undefined) {
    const parsed = parseLogLevel(rawLevel);
    if (parsed) level = parsed;
    else warnings.push(`${where('logging', 'loglevel')} is "${rawLevel.slice(0, 40)}"; using INFO. Use DEBUG, INFO, WARN or ERROR.`);
  }

  const rawEnabled = get('proxy', 'proxy_enabled');
  const enabled = rawEnabled === undefined ? false : parseBoolean(rawEnabled);
  if (enabled === undefined) throw new ConfigError(`${where('proxy', 'proxy_enabled')} must be true or false, got "${rawEnabled!.slice(0, 40)}".`);
  const rawType = (get('proxy', 'proxy_type') ?? 'http').toLowerCase();
  if (rawType !== 'http' && rawType !== 'https') {
    throw new ConfigError(`${where('proxy', 'proxy_type')} must be http or https, got "${rawType.slice(0, 40)}". (SOCKS proxies are not supported.)`);
  }
  let type: 'http' | 'https' = rawType;
  const rawPort = get('proxy', 'proxy_port');
  let port: number | undefined;
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      throw new ConfigError(`${where('proxy', 'proxy_port')} must be a port number 1-65535, got "${rawPort.slice(0, 40)}".`);
    }
  }
  let host = get('proxy', 'proxy_url');
  if (host !== undefined && host.includes('://')) {
    let u: URL;
    try {
      u = new URL(host);
    } catch {
      throw new ConfigError(`${where('proxy', 'proxy_url')} is not a host name or URL: "${host.slice(0, 80)}".`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigError(`${where('proxy', 'proxy_url')} must be http:// or https://, got ${u.protocol}//.`);
    }
    if (u.username || u.password) {
      throw new ConfigError(`${where('proxy', 'proxy_url')} must not contain credentials; use proxy_username and the proxy password field.`);
    }
    type = u.protocol === 'https:' ? 'https' : 'http';
    if (u.port) port ??= Number(u.port);
    host = u.hostname;
  } else if (host !== undefined && !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host)) {
    throw new ConfigError(`${where('proxy', 'proxy_url')} must be a host name like proxy.example.com, got "${host.slice(0, 80)}".`);
  }
  if (enabled && !host) throw new ConfigError(`${where('proxy', 'proxy_url')} is required when proxy_enabled = true.`);
  const proxy: ProxySettings = {
    enabled, type, host, port, username: get('proxy', 'proxy_username'),
    url: enabled && host ? `${type}://${host}:${port ?? 8080}` : undefined,
  };

  const rawStore = (get('checkpoint', 'store') ?? 'file').toLowerCase();
  if (rawStore !== 'file' && rawStore !== 'kvstore') {
    throw new ConfigError(`${where('checkpoint', 'store')} must be file or kvstore, got "${rawStore.slice(0, 40)}".`);
  }

  return {
    logging: { level },
    proxy,
    node: { path: get('node', 'path') },
    checkpoint: { store: rawStore },
    warnings,
  };
}
