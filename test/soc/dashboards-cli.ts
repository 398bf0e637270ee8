/**
 * npm run dashboards -- --out <dir> [--view <name>]...: one PNG per dashboard, drawn from the SPL
 * engine's results on fresh demo data (two `npm start` runs, the golden samples, two failed runs).
 * Exits non-zero when a panel fails to run or the page logs an error, so a broken panel never
 * makes it into docs/screenshots/ unnoticed.
 */
import * as path from 'node:path';
import { previewableViews, previewEngine, renderDashboards } from './dashboards';

const USAGE = 'usage: npm run dashboards -- --out <dir> [--view <dashboard>]... [--chromium <path>]';

async function main(argv: string[]): Promise<number> {
  let out: string | undefined;
  let chromium: string | undefined;
  const views: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--out') out = value();
    else if (a === '--view') views.push(value());
    else if (a === '--chromium') chromium = value();
    else if (a === '--help' || a === '-h') { process.stdout.write(`${USAGE}\ndashboards: ${previewableViews().join(', ')}\n`); return 0; }
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  const unknown = views.filter((v) => !previewableViews().includes(v));
  if (unknown.length) throw new Error(`no dashboard ${unknown.join(', ')}; dashboards: ${previewableViews().join(', ')}`);
  process.stderr.write('collecting demo data (two npm start runs) and running every panel…\n');
  const { engine, cleanup } = await previewEngine();
  try {
    const reports = await renderDashboards(engine, path.resolve(out), views.length ? views : previewableViews(), chromium);
    let bad = 0;
    for (const r of reports) {
      const problems = [...r.panelErrors, ...r.consoleErrors];
      if (r.domPanels !== r.declared.panels) problems.push(`${r.domPanels} panels drawn, ${r.declared.panels} in the XML`);
      if (r.domRendered !== r.declared.visualizations) problems.push(`${r.domRendered} visualizations drawn, ${r.declared.visualizations} in the XML`);
      process.stdout.write(`${r.png}  ${r.declared.panels} panels${problems.length ? `  PROBLEMS:\n  ${problems.join('\n  ')}` : ''}\n`);
      if (problems.length) bad++;
    }
    return bad ? 1 : 0;
  } finally {
    cleanup();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
  process.stderr.write(`dashboards: ${e.message}\n`);
  process.exit(2);
});
