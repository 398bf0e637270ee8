/**
 * The page's script as Splunk gets it: built by npm run build (the jest global setup runs it),
 * shipped by the packager, named by the view, and clean for the package's .js scan.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleUiWithMetafile, UI_OUT } from '../../src/build/bundle';
import { scanJs } from '../../src/build/lint/package-checks';
import { selectAppFiles } from '../../src/build/package';
import { SOURCE_MODULES } from '../../src/sources';
import { ROOT } from './splunkweb';

test('appserver/static/configuration.js is built, packaged and named by the view', () => {
  expect(fs.existsSync(UI_OUT)).toBe(true);
  expect(selectAppFiles(ROOT)).toContain('appserver/static/configuration.js');
  const view = fs.readFileSync(path.join(ROOT, 'default', 'data', 'ui', 'views', 'configuration.xml'), 'utf8');
  expect(/<dashboard\b[^>]*\sscript="configuration\.js"/.test(view)).toBe(true);
  expect(/<dashboard\b[^>]*\sstylesheet="configuration\.css"/.test(view)).toBe(true);
  expect(selectAppFiles(ROOT)).toContain('appserver/static/configuration.css');
  expect(view).toContain('id="ta-zerotrust-config"');
});

test('the built script has no finding of the package .js scan (eval, insecure http, console.log…)', () => {
  expect(scanJs('appserver/static/configuration.js', fs.readFileSync(UI_OUT, 'utf8'))).toEqual([]);
});

test('the built script carries no Node-only code (the input collectors stay out of the page)', () => {
  const js = fs.readFileSync(UI_OUT, 'utf8');
  for (const nodeOnly of ['require("undici")', 'require("fs")', 'require("node:', 'splunk-sdk', 'winston']) expect(js).not.toContain(nodeOnly);
});

test('the page bundle holds the module list and descriptions only: no collector, knowledge or Node package', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-ui-'));
  try {
    const { metafile } = await bundleUiWithMetafile(path.join(out, 'configuration.js'));
    const inputs = Object.keys(metafile.inputs);
    const vendorFiles = inputs.filter((f) => f.startsWith('src/sources/'));
    // Browser-safe files only: no vendor folder's entry (index.ts: the collectors), knowledge,
    // client, collector or simulator, and nothing in the bundle imports a Node builtin.
    expect(vendorFiles.filter((f) => /\/(index|knowledge|client|collector|checkpoint)\.ts$|\/simulator\//.test(f) && f !== 'src/sources/index.ts')).toEqual([]);
    expect(inputs.flatMap((f) => metafile.inputs[f].imports.filter((i) => i.external && i.path !== '<runtime>').map((i) => `${f} -> ${i.path}`))).toEqual([]);
    // Every module's descriptions are there, and each of its lazy loaders is a stub that throws.
    const absent = inputs.filter((f) => f.startsWith('ta-absent:'));
    for (const m of SOURCE_MODULES) {
      expect(vendorFiles).toContain(`src/sources/${m.name}/module.ts`);
      expect(absent).toEqual(expect.arrayContaining([`ta-absent:src/sources/${m.name}/index`, `ta-absent:src/sources/${m.name}/knowledge`]));
    }
    const names = new Set(SOURCE_MODULES.map((m) => m.name));
    expect(absent.filter((f) => !names.has(f.split('/')[2]))).toEqual([]);
    expect(inputs.filter((f) => f.includes('node_modules/'))).toEqual([]);
    expect(metafile.outputs[Object.keys(metafile.outputs)[0]].imports).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
