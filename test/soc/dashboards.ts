/**
 * The offline dashboard preview: each Simple XML dashboard laid out as its rows and panels, every
 * panel filled with what the SPL engine returns for its search on the demo and golden data (as a
 * user-role analyst), drawn in headless Chromium with chart.js (MIT) for charts, HTML tables for
 * tables and big numbers for single values, and saved as one PNG per dashboard. None of Splunk's
 * dashboard code or files are used: their licence does not allow it in this project.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Row, SplEngine } from '../../src/core/spl/engine';
import { child, parseXml, XmlNode } from '../protocol/xml-tree';
import { launchChromium } from '../ui/harness';
import { demoKnowledge, engine, goldenEvents, ROLES, ROOT, rowWith, runDemo } from './data';
import { failedRuns } from './scenarios';
import { clickValue, loadView, Panel, tokenSets, viewNames, VIEWS_DIR } from './views';

export const CHROMIUM_PACKAGE = 'chromium';
const VIZ = ['chart', 'single', 'table', 'event', 'html'];

/** One visualization as the page draws it: columns and rows of the engine's result. */
export interface PreviewItem {
  viz: string;
  title: string;
  chartType?: string;
  stackMode?: string;
  color?: string;
  columns: string[];
  rows: (string | string[])[][];
  text?: string;
  waitsFor: string[];
  drilldown: string[];
  error?: string;
}

export interface PreviewLayout {
  view: string;
  label: string;
  description: string;
  inputs: string[];
  rows: { panels: { title: string; items: PreviewItem[] }[] }[];
}

const text = (n: XmlNode | undefined) => (n ? n.text.trim() : '');
const option = (n: XmlNode, name: string) => n.children.find((c) => c.name === 'option' && c.attributes.name === name)?.text.trim();

function fmtTime(v: string): string {
  const n = Number(v);
  return Number.isFinite(n) ? new Date(n * 1000).toISOString().slice(0, 16).replace('T', ' ') : v;
}

/** Columns in first-seen order; internal fields hidden except `_time` (and `_raw` for event lists). */
export function tabulate(rows: Row[], keepRaw = false): { columns: string[]; rows: (string | string[])[][] } {
  const columns: string[] = [];
  for (const r of rows) for (const k of r.keys()) if (!columns.includes(k) && (!k.startsWith('_') || k === '_time' || (keepRaw && k === '_raw'))) columns.push(k);
  // Splunk draws _time first whatever the field order.
  if (columns.includes('_time')) columns.splice(columns.indexOf('_time'), 1), columns.unshift('_time');
  return {
    columns,
    rows: rows.map((r) => columns.map((c) => {
      const v = r.get(c) ?? [];
      const shown = c === '_time' ? v.map(fmtTime) : v;
      return shown.length === 1 ? shown[0] : shown.length ? shown : '';
    })),
  };
}

/** rangeValues/rangeColors of a single value: the first range the value falls in gives the colour. */
function singleColor(n: XmlNode, rows: Row[]): string | undefined {
  if (option(n, 'useColors') !== '1' && option(n, 'useColors') !== 'true') return undefined;
  const ranges = JSON.parse(option(n, 'rangeValues') ?? '[]') as number[];
  const colors = (JSON.parse(option(n, 'rangeColors') ?? '[]') as string[]).map((c) => c.replace(/^0x/, '#'));
  const first = rows[0] ? [...rows[0]].find(([k]) => !k.startsWith('_'))?.[1][0] : undefined;
  const v = Number(first ?? 0);
  const i = ranges.findIndex((r) => v <= r);
  return colors[i < 0 ? ranges.length : i];
}

/**
 * The dashboard's rows and panels with each visualization's result. Visualizations are matched
 * to loadView's panels in document order, so the preview runs exactly the searches the tests run.
 */
export function previewLayout(view: string, run: (p: Panel) => Row[]): PreviewLayout {
  const root = parseXml(fs.readFileSync(path.join(VIEWS_DIR, `${view}.xml`), 'utf8'));
  // A panel that waits for a click is shown as after a click on the first row of the panel that
  // sets its token (as an analyst would see it), with the click named above the rows.
  const clicks: Record<string, string> = {};
  const clickNotes: string[] = [];
  for (const p of loadView(view).filter((x) => !x.waitsFor.length)) {
    for (const { token, template } of tokenSets(p)) {
      const first = run(p)[0];
      if (!first) continue;
      clicks[token] = clickValue(template, first);
      clickNotes.push(`clicked: ${token} = ${clicks[token]} (first row of "${p.title}")`);
    }
  }
  const clicked = (s: string) => s.replace(/\$([\w.]+)\$/g, (all, t: string) => clicks[t] ?? all);
  const searched = loadView(view, clicks).filter((p) => p.viz !== 'input');
  let next = 0;
  const inputs: string[] = [];
  const fieldset = child(root, 'fieldset');
  for (const i of fieldset?.children.filter((c) => c.name === 'input') ?? []) {
    const def = child(i, 'default');
    const shown = i.attributes.type === 'time' ? `${text(child(def!, 'earliest'))} → ${text(child(def!, 'latest'))}` : text(def);
    inputs.push(`${text(child(i, 'label')) || i.attributes.token}: ${shown}`);
  }
  const rows = root.children.filter((r) => r.name === 'row').map((r) => ({
    panels: r.children.filter((p) => p.name === 'panel').map((p) => ({
      title: clicked(text(child(p, 'title'))),
      items: p.children.filter((v) => VIZ.includes(v.name)).map((v): PreviewItem => {
        const base = { viz: v.name, title: text(child(v, 'title')), waitsFor: [] as string[], drilldown: [] as string[], columns: [] as string[], rows: [] };
        if (v.name === 'html') return { ...base, text: htmlText(v) };
        const panel = searched[next++];
        if (!panel) throw new Error(`${view}: <${v.name}> has no search`);
        const drilldown = panel.drilldown.map((d) => d.replace(/^link:\/app\/[^/]+\/([\w-]+).*$/, '→ $1').replace(/^set:([\w.]+)=.*$/, 'sets $$$1$$').replace(/^unset:([\w.]+)$/, 'unsets $$$1$$'));
        const item = { ...base, chartType: panel.chartType, stackMode: option(v, 'charting.chart.stackMode'), waitsFor: panel.waitsFor, drilldown };
        if (panel.waitsFor.length) return item;
        try {
          const result = run(panel);
          return { ...item, ...tabulate(result, v.name === 'event'), color: v.name === 'single' ? singleColor(v, result) : undefined };
        } catch (e) {
          return { ...item, error: `${panel.title}: ${(e as Error).message}` };
        }
      }),
    })),
  }));
  if (next !== searched.length) throw new Error(`${view}: ${searched.length} searches but ${next} visualizations were laid out`);
  return { view, label: text(child(root, 'label')) || view, description: text(child(root, 'description')), inputs: [...inputs, ...clickNotes], rows };
}

function htmlText(n: XmlNode): string {
  return [n.text, ...n.children.map(htmlText)].join(' ').replace(/\s+/g, ' ').trim();
}

/** What the XML declares, counted without the preview's code: what the page must show. */
export function declared(view: string): { panels: number; visualizations: number } {
  const root = parseXml(fs.readFileSync(path.join(VIEWS_DIR, `${view}.xml`), 'utf8'));
  let panels = 0;
  let visualizations = 0;
  const walk = (n: XmlNode, inPanel: boolean) => {
    if (n.name === 'panel') panels++;
    if (inPanel && VIZ.includes(n.name)) visualizations++;
    n.children.forEach((c) => walk(c, inPanel || n.name === 'panel'));
  };
  walk(root, false);
  return { panels, visualizations };
}

const CSS = `
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; background: #eef0f2; color: #1a1c20; }
#dashboard { padding: 14px 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.description { font-size: 12px; color: #555; margin: 0 0 8px; max-width: 1200px; }
.inputs { margin: 0 0 10px; } .input { display: inline-block; font-size: 12px; background: #fff; border: 1px solid #c3cbd4; padding: 3px 8px; margin-right: 8px; }
.row { display: flex; gap: 10px; margin-bottom: 10px; align-items: stretch; }
.panel { background: #fff; border: 1px solid #d5d9de; padding: 8px 10px; min-width: 0; overflow-x: auto; }
td.nw { white-space: nowrap; }
h2 { font-size: 14px; margin: 0 0 6px; } h3 { font-size: 13px; margin: 4px 0; color: #444; }
.viz { margin-bottom: 4px; }
.chart-box { position: relative; height: 260px; }
.single-value { font-size: 44px; font-weight: bold; text-align: center; padding: 6px 0 0; color: #2b3033; }
.single-label { font-size: 11px; text-align: center; color: #777; }
table { border-collapse: collapse; font-size: 11px; width: 100%; table-layout: auto; }
th { text-align: left; background: #f2f4f5; border-bottom: 1px solid #c3cbd4; padding: 3px 5px; }
td { border-bottom: 1px solid #e1e6eb; padding: 2px 5px; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 420px; }
.more, .drilldown { font-size: 10px; color: #777; margin-top: 3px; }
.empty { font-size: 12px; color: #888; padding: 14px 0; text-align: center; }
.error { font-size: 12px; color: #b00; padding: 8px; border: 1px solid #b00; }
.events { font-family: monospace; font-size: 10px; padding-left: 18px; } .events li { word-break: break-all; margin-bottom: 3px; }
.html { font-size: 12px; }
`;

function chartJs(): string {
  // chart.js's export map hides dist/; its main entry lives there.
  return fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

export function pageHtml(layout: PreviewLayout): string {
  const script = (s: string) => `<script>${s.replace(/<\/script/gi, '<\\/script')}</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${layout.label.replace(/[<&]/g, '')}</title><style>${CSS}</style></head>`
    + `<body><div id="dashboard"></div>${script(chartJs())}${script(fs.readFileSync(path.join(__dirname, 'dashboard-page.js'), 'utf8'))}`
    + `${script(`window.renderDashboard(${JSON.stringify(layout).replace(/</g, '\\u003c')});`)}</body></html>`;
}

export interface PreviewReport {
  view: string;
  png: string;
  declared: { panels: number; visualizations: number };
  domPanels: number;
  domRendered: number;
  consoleErrors: string[];
  panelErrors: string[];
  /** Single values as the page shows them, by panel title. */
  singles: Record<string, string>;
}

/** The engine over what `npm start` collects, the golden samples and two failed runs (as content.test.ts). */
export async function previewEngine(): Promise<{ engine: SplEngine; cleanup(): void }> {
  const demo = await runDemo();
  const failed = await failedRuns();
  const now = Math.max(demo.now, ...[...failed.noNode, ...failed.refused].map((e) => e.time!)) + 60;
  const rows = [...demo.events, ...goldenEvents(now), ...failed.noNode, ...failed.refused].map(rowWith(demoKnowledge(demo)));
  return { engine: engine(rows, now, ROLES.user), cleanup: () => fs.rmSync(demo.dir, { recursive: true, force: true }) };
}

/** Every dashboard but the configuration page (a page of its own, tested in test/ui). */
export function previewableViews(): string[] {
  return viewNames().filter((v) => v !== 'configuration');
}

export async function renderDashboards(spl: SplEngine, outDir: string, views = previewableViews(), chromiumPath?: string): Promise<PreviewReport[]> {
  // Before any work: a machine without the browser fails naming the Debian package.
  const { browser, close } = await launchChromium(chromiumPath);
  fs.mkdirSync(outDir, { recursive: true });
  const out: PreviewReport[] = [];
  try {
    for (const view of views) {
      const layout = previewLayout(view, (p) => spl.run(p.search, { earliest: p.earliest, latest: p.latest }).rows);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
      const consoleErrors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`console.${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
      // Offline: the page is self-contained and any request is a defect.
      await page.route('**/*', (r) => { consoleErrors.push(`request: ${r.request().url()}`); return r.abort(); });
      await page.setContent(pageHtml(layout), { waitUntil: 'load' });
      await page.waitForFunction(() => (globalThis as { __rendered?: boolean }).__rendered === true, undefined, { timeout: 15_000 }).catch(() => consoleErrors.push('the page never finished rendering'));
      const png = path.join(outDir, `${view}.png`);
      await page.screenshot({ path: png, fullPage: true });
      out.push({
        view, png, declared: declared(view),
        domPanels: await page.locator('section.panel').count(),
        domRendered: await page.locator('.viz[data-rendered="1"]').count(),
        consoleErrors,
        singles: Object.fromEntries(await page.locator('.single-value').evaluateAll((els) => els.map((e) => [e.getAttribute('data-title') ?? '', e.textContent ?? '']))),
        panelErrors: layout.rows.flatMap((r) => r.panels.flatMap((p) => p.items.flatMap((i) => (i.error ? [i.error] : [])))),
      });
      await page.close();
    }
  } finally {
    await close();
  }
  return out;
}

export { ROOT };
