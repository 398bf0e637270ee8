/** Paths and readers the catalog tests share: the repo and the app's committed files. */
import * as fs from 'fs';
import * as path from 'path';
import { ConfFile, parseConf } from '../../src/core/conf/parse';

export const REPO = path.resolve(__dirname, '..', '..');

export function readRepo(rel: string): string {
  return fs.readFileSync(path.join(REPO, rel), 'utf8');
}

export function conf(rel: string): ConfFile {
  const file = path.join(REPO, rel);
  return parseConf(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', rel);
}

export function value(c: ConfFile, stanza: string, key: string): string | undefined {
  return c.stanzas.find((s) => s.name === stanza)?.entries.filter((e) => e.key === key).pop()?.value;
}

export const VIEWS_DIR = path.join(REPO, 'default', 'data', 'ui', 'views');

export function viewNames(): string[] {
  return fs.readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.xml')).map((f) => f.replace(/\.xml$/, '')).sort();
}
