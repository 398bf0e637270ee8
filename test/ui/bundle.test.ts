/**
 * The page's script as Splunk gets it: built by npm run build (the jest global setup runs it),
 * shipped by the packager, named by the view, and clean for the package's .js scan.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UI_OUT } from '../../src/build/bundle';
import { scanJs } from '../../src/build/lint/package-checks';
import { selectAppFiles } from '../../src/build/package';
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
