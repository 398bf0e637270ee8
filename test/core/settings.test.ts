import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { readSettings, SETTINGS_CONF } from '../../src/core/settings';

let app: string;
beforeEach(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-app-'));
});
afterEach(() => fs.rmSync(app, { recursive: true, force: true }));

function write(layer: 'default' | 'local', text: string): void {
  fs.mkdirSync(path.join(app, layer), { recursive: true });
  fs.writeFileSync(path.join(app, layer, SETTINGS_CONF), text);
}

test('defaults when no file exists', () => {
  expect(readSettings(app)).toEqual({
    logging: { level: 'INFO' },
    proxy: { enabled: false, type: 'http', host: undefined, port: undefined, username: undefined, url: undefined },
    node: { path: undefined },
    checkpoint: { store: 'file' },
    warnings: [],
  });
});

test('local overrides default key by key', () => {
  write('default', '[logging]\nloglevel = INFO\n[proxy]\nproxy_enabled = false\nproxy_type = http\nproxy_url =\nproxy_port =\nproxy_username =\n[node]\npath =\n[checkpoint]\nstore = file\n');
  write('local', '[logging]\nloglevel = debug\n[proxy]\nproxy_enabled = 1\nproxy_url = proxy.corp.example\nproxy_port = 3128\nproxy_username = svc_splunk\n[checkpoint]\nstore = kvstore\n[node]\npath = /opt/node/bin/node\n');
  expect(readSettings(app)).toEqual({
    logging: { level: 'DEBUG' },
    proxy: { enabled: true, type: 'http', host: 'proxy.corp.example', port: 3128, username: 'svc_splunk', url: 'http://proxy.corp.example:3128' },
    node: { path: '/opt/node/bin/node' },
    checkpoint: { store: 'kvstore' },
    warnings: [],
  });
});

test('a proxy URL is accepted in proxy_url, its scheme and port used', () => {
  write('local', '[proxy]\nproxy_enabled = true\nproxy_url = https://proxy.corp.example:8443\n');
  expect(readSettings(app).proxy).toMatchObject({ type: 'https', host: 'proxy.corp.example', port: 8443, url: 'https://proxy.corp.example:8443' });
});

test('a bad log level warns and falls back to INFO', () => {
  write('local', '[logging]\nloglevel = chatty\n');
  const s = readSettings(app);
  expect(s.logging.level).toBe('INFO');
  expect(s.warnings).toEqual([`[logging] loglevel in ${SETTINGS_CONF} is "chatty"; using INFO. Use DEBUG, INFO, WARN or ERROR.`]);
});

test.each([
  ['[proxy]\nproxy_enabled = maybe\n', '[proxy] proxy_enabled'],
  ['[proxy]\nproxy_type = socks5\n', 'must be http or https'],
  ['[proxy]\nproxy_port = 99999\n', '[proxy] proxy_port'],
  ['[proxy]\nproxy_enabled = true\n', 'proxy_url in ta_zerotrust_events_settings.conf is required'],
  ['[proxy]\nproxy_url = http://u:p@proxy:1\n', 'must not contain credentials'],
  ['[checkpoint]\nstore = s3\n', 'must be file or kvstore'],
])('bad setting %j is a ConfigError naming the key', (text, expected) => {
  write('local', text);
  expect(() => readSettings(app)).toThrow(ConfigError);
  expect(() => readSettings(app)).toThrow(expected);
});
