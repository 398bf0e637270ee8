import * as fs from 'fs';
import * as path from 'path';
import { decodeXmlBytes } from '../../src/core/protocol';

/** Splunk SDK fixtures, read in place (never copied into the repo). */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'shared', 'splunk', 'modinput-fixtures');

export function fixtureBytes(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/** A fixture as text, whatever its encoding (several are UTF-16 with a BOM). */
export function fixtureText(name: string): string {
  return decodeXmlBytes(fixtureBytes(name)).replace(/^<\?xml[^>]*\?>/, '');
}
