/**
 * What splunkd writes to a modular input's stdin (shapes of the SDK fixtures conf_with_2_inputs.xml
 * and validation.xml), for tests that spawn bin/<scheme>.sh. Multi-valued params become
 * <param_list>.
 */
export interface SplunkdStdinSession {
  serverUri: string;
  sessionKey: string;
  checkpointDir: string;
  serverHost?: string;
}

export type StdinParams = Record<string, string | string[]>;

export const escXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function paramsXml(params: StdinParams, indent: string): string {
  return Object.entries(params).map(([k, v]) => (Array.isArray(v)
    ? `${indent}<param_list name="${escXml(k)}">${v.map((x) => `<value>${escXml(x)}</value>`).join('')}</param_list>`
    : `${indent}<param name="${escXml(k)}">${escXml(v)}</param>`)).join('\n');
}

function sessionXml(s: SplunkdStdinSession): string {
  return [
    `  <server_host>${escXml(s.serverHost ?? 'e2e')}</server_host>`,
    `  <server_uri>${escXml(s.serverUri)}</server_uri>`,
    `  <session_key>${escXml(s.sessionKey)}</session_key>`,
    `  <checkpoint_dir>${escXml(s.checkpointDir)}</checkpoint_dir>`,
  ].join('\n');
}

/** Run mode: `<input>` with one `<stanza>` per entry (name `scheme://name`). */
export function inputXml(s: SplunkdStdinSession, stanzas: Record<string, StdinParams>, app = 'TA-zerotrust-events'): string {
  const body = Object.entries(stanzas).map(([name, p]) =>
    `    <stanza name="${escXml(name)}" app="${escXml(app)}">\n${paramsXml(p, '      ')}\n    </stanza>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<input>\n${sessionXml(s)}\n  <configuration>\n${body}\n  </configuration>\n</input>\n`;
}

/** --validate-arguments: `<items>` with the single `<item>` (bare name, no scheme). */
export function itemsXml(s: SplunkdStdinSession, name: string, params: StdinParams): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<items>\n${sessionXml(s)}\n  <item name="${escXml(name)}">\n${paramsXml(params, '    ')}\n  </item>\n</items>\n`;
}

/** splunkd sends UTF-16 with a byte-order mark (as in the SDK fixtures). */
export function utf16be(xml: string): Buffer {
  return Buffer.from(`\uFEFF${xml.replace('encoding="UTF-8"', 'encoding="utf-16"')}`, 'utf16le').swap16();
}
