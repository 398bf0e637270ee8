/**
 * The module list (src/sources/index.ts) is the one place that names vendors: every scheme gets
 * its launcher, configuration-page entry, run bundle and conf stanzas from it, core reaches no
 * layer above it, and no vendor name appears outside src/sources/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleEntries, SCHEME_SOURCES } from '../../src/build/bundle';
import { parseConf } from '../../src/core/conf/parse';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';
import { DESCRIPTIONS } from '../../src/ui/configuration';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const schemes = descriptionsOf(SOURCE_MODULES).map((d) => d.scheme);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return tsFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

test('module names are folder names and schemes are unique', () => {
  for (const m of SOURCE_MODULES) {
    expect(m.name).toMatch(/^[a-z0-9_]+$/);
    expect(fs.existsSync(path.join(ROOT, 'src', 'sources', m.name, 'module.ts'))).toBe(true);
    expect(m.inputs.length).toBeGreaterThan(0);
  }
  expect(new Set(schemes).size).toBe(schemes.length);
});

test.each(schemes)('%s has a launcher, a configuration-page entry, a run bundle and its conf stanzas', (scheme) => {
  const launcher = path.join(ROOT, 'bin', `${scheme}.sh`);
  expect(fs.existsSync(launcher)).toBe(true);
  expect(fs.statSync(launcher).mode & 0o111).toBe(0o111);
  expect(read(`bin/${scheme}.sh`)).toContain(`TA_SCHEME=${scheme}\n`);
  expect(DESCRIPTIONS.map((d) => d.scheme)).toContain(scheme);
  expect(SCHEME_SOURCES[scheme]).toBe(SOURCE_MODULES.find((m) => m.inputs.some((i) => i.description.scheme === scheme))!.name);
  expect(bundleEntries().map((e) => e.name)).toContain(`run-${scheme}`);
  expect(read('README/inputs.conf.spec')).toContain(`\n[${scheme}://<name>]\n`);
  expect(parseConf(read('default/inputs.conf')).stanzas.map((s) => s.name)).toContain(scheme);
  const exposed = parseConf(read('default/web.conf')).stanzas.flatMap((s) => s.entries.filter((e) => e.key === 'pattern').map((e) => e.value));
  expect(exposed).toEqual(expect.arrayContaining([`data/inputs/${scheme}`, `data/inputs/${scheme}/*`]));
});

test('every launcher in bin/ belongs to a scheme of the module list', () => {
  const launchers = fs.readdirSync(path.join(ROOT, 'bin')).filter((f) => f.endsWith('.sh') && f !== 'ta_zerotrust_node.sh');
  expect(launchers.sort()).toEqual(schemes.map((s) => `${s}.sh`).sort());
});

test('no vendor is named in core, app, build, ui, cli or the Splunk facts: only in src/sources/', () => {
  const words = [...new Set(SOURCE_MODULES.flatMap((m) => [m.name, m.title.split(/\s+/)[0].toLowerCase()]))];
  const re = new RegExp(`\\b(${words.join('|')})`, 'i');
  const found = ['src/core', 'src/app', 'src/build', 'src/ui', 'src/cli', 'src/facts']
    .flatMap(tsFiles)
    .flatMap((f) => read(f).split('\n').map((l, i) => ({ f, i, l })).filter((x) => re.test(x.l)).map((x) => `${x.f}:${x.i + 1}: ${x.l.trim().slice(0, 120)}`));
  expect(found).toEqual([]);
});

test('core imports nothing from sources, app, cli or build', () => {
  const above = ['sources', 'app', 'cli', 'build'].map((d) => path.join(ROOT, 'src', d) + path.sep);
  const found = tsFiles('src/core').flatMap((f) =>
    [...read(f).matchAll(/(?:\bfrom|\bimport\s*\(?)\s*'(\.[^']+)'/g)]
      .map((m) => path.resolve(ROOT, path.dirname(f), m[1]))
      .filter((target) => above.some((a) => `${target}${path.sep}`.startsWith(a)))
      .map((target) => `${f} -> ${path.relative(ROOT, target)}`));
  expect(found).toEqual([]);
});
