import { modinputFixtureBytes, modinputFixtureXml } from '../../src/facts';

/**
 * Splunk SDK modinput fixtures, as committed in src/facts/modinput-fixtures.json (element tree,
 * encoding and byte-order mark of each SDK file, derived by npm run facts).
 */
export function fixtureBytes(name: string): Buffer {
  return modinputFixtureBytes(name);
}

/** A fixture as text without its XML declaration (several SDK files are UTF-16 with a BOM). */
export function fixtureText(name: string): string {
  return modinputFixtureXml(name).replace(/^<\?xml[^>]*\?>\n?/, '');
}
