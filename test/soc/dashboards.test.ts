/**
 * The offline preview draws every dashboard from the SPL engine's results on demo data in
 * headless Chromium: a PNG per dashboard, no console or page errors, every <panel> of the XML
 * drawn and every visualization in it rendered, and the numbers on the page are the engine's.
 * The PNGs land in test/soc/out/dashboards/ (gitignored) for a look after the run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rowsToObjects, SplEngine } from '../../src/core/spl/engine';
import { declared, PreviewReport, previewableViews, previewEngine, renderDashboards } from './dashboards';
import { loadView } from './views';

const OUT = path.join(__dirname, 'out', 'dashboards');
let spl: SplEngine;
let cleanup = () => {};
let reports: PreviewReport[];

beforeAll(async () => {
  ({ engine: spl, cleanup } = await previewEngine());
  fs.rmSync(OUT, { recursive: true, force: true });
  reports = await renderDashboards(spl, OUT);
}, 300_000);

afterAll(() => cleanup());

test('every dashboard but the configuration page is previewed', () => {
  expect(reports.map((r) => r.view)).toEqual(previewableViews());
  expect(previewableViews()).toContain('ta_zerotrust_overview');
  expect(previewableViews()).not.toContain('configuration');
});

describe.each(previewableViews().map((v) => [v]))('%s', (view) => {
  const report = () => reports.find((r) => r.view === view)!;

  test('a PNG was written', () => {
    const png = fs.readFileSync(report().png);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: as wide as the viewport (nothing overflows sideways), at least as tall.
    expect(png.readUInt32BE(16)).toBe(1400);
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(900);
  });

  test('no console errors, no page errors, no network requests, no panel failed to run', () => {
    expect(report().consoleErrors).toEqual([]);
    expect(report().panelErrors).toEqual([]);
  });

  test('every panel of the XML is drawn, and every visualization in it rendered', () => {
    const d = declared(view);
    expect(d.panels).toBeGreaterThan(0);
    expect(report().domPanels).toBe(d.panels);
    expect(report().domRendered).toBe(d.visualizations);
  });

  test('single values on the page are what the engine returns', () => {
    const singles = loadView(view).filter((p) => p.viz === 'single' && !p.waitsFor.length);
    for (const p of singles) {
      const rows = rowsToObjects(spl.run(p.search, { earliest: p.earliest, latest: p.latest }).rows);
      // Splunk shows a timechart's newest bucket (the sparkline is the rest); else the first row.
      const row = (rows[0] && '_time' in rows[0] ? rows[rows.length - 1] : rows[0]) ?? {};
      const value = Object.entries(row).find(([k]) => !k.startsWith('_'))?.[1] ?? '0';
      expect({ panel: p.title, shown: report().singles[p.title] }).toEqual({ panel: p.title, shown: value });
    }
  });
});

test('a machine without Chromium fails naming the Debian package', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-preview-'));
  try {
    await expect(renderDashboards(spl, out, ['ta_zerotrust_overview'], path.join(out, 'no-chromium'))).rejects.toThrow(/apt-get install chromium/);
    expect(fs.readdirSync(out)).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
