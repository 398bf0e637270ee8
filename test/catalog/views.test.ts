import { analyzeSearch } from '../../src/build/spl';
import { appMacros, parseXml, walk, XmlNode } from './searches';
import { readRepo, viewNames } from './shared';

/** Simple XML elements (Splunk's Simple XML reference) and where each may appear. */
const PARENTS: Record<string, string[]> = {
  label: ['form', 'dashboard', 'input'],
  description: ['form', 'dashboard', 'panel'],
  fieldset: ['form'],
  input: ['fieldset', 'panel'],
  default: ['input'],
  initialValue: ['input'],
  choice: ['input'],
  fieldForLabel: ['input'],
  fieldForValue: ['input'],
  prefix: ['input'],
  suffix: ['input'],
  row: ['form', 'dashboard'],
  panel: ['row'],
  title: ['panel', 'single', 'chart', 'table', 'event', 'html'],
  single: ['panel'],
  chart: ['panel'],
  table: ['panel'],
  event: ['panel'],
  html: ['panel'],
  search: ['form', 'dashboard', 'panel', 'single', 'chart', 'table', 'event', 'input'],
  query: ['search'],
  earliest: ['search', 'default'],
  latest: ['search', 'default'],
  refresh: ['search'],
  option: ['single', 'chart', 'table', 'event'],
  drilldown: ['single', 'chart', 'table', 'event'],
  link: ['drilldown'],
  // Drilldown tokens (a click sets or clears them; `depends` panels show while set).
  set: ['drilldown'],
  unset: ['drilldown'],
};

const CHART_TYPES = ['line', 'area', 'column', 'bar', 'pie', 'scatter', 'bubble', 'radialGauge', 'fillerGauge', 'markerGauge'];

function check(name: string, root: XmlNode): string[] {
  const problems: string[] = [];
  if (root.name !== 'form' && root.name !== 'dashboard') problems.push(`root is <${root.name}>, not <form> or <dashboard>`);
  if (root.attributes.version !== '1.1') problems.push('root lacks version="1.1" (Simple XML 1.1, required for jQuery 3.5 dashboards)');
  if (!root.children.some((c) => c.name === 'label' && c.text.trim())) problems.push('no <label>');
  const tokens = new Set<string>();
  walk(root, (n) => {
    if ((n.name === 'input' || n.name === 'set') && n.attributes.token) tokens.add(n.attributes.token);
  });
  // An <html> panel holds HTML (the configuration page's mount point), not Simple XML.
  const inHtml = new Set<XmlNode>();
  walk(root, (n, parent) => {
    if (parent && (parent.name === 'html' || inHtml.has(parent))) inHtml.add(n);
  });
  walk(root, (n, parent) => {
    if (!parent || inHtml.has(n)) return;
    const allowed = PARENTS[n.name];
    if (!allowed) problems.push(`unknown element <${n.name}>`);
    else if (!allowed.includes(parent.name)) problems.push(`<${n.name}> inside <${parent.name}>`);
    if (n.name === 'search' && !n.children.some((c) => c.name === 'query' && c.text.trim())) problems.push('<search> without a <query>');
    if (n.name === 'option' && n.attributes.name === 'charting.chart' && !CHART_TYPES.includes(n.text.trim())) problems.push(`chart type ${n.text.trim()}`);
    if (['query', 'earliest', 'latest'].includes(n.name)) {
      for (const m of n.text.matchAll(/\$([^$\s]+)\$/g)) {
        const tok = m[1].replace(/\.(earliest|latest)$/, '');
        if (!tokens.has(tok)) problems.push(`token $${m[1]}$ in <${n.name}> is set by no input`);
      }
    }
    if (n.name === 'query') {
      try {
        analyzeSearch(n.text.replace(/\$[^$\s]+\$/g, 'x'), appMacros());
      } catch (e) {
        problems.push(`query ${JSON.stringify(n.text.trim().slice(0, 60))}: ${(e as Error).message}`);
      }
    }
  });
  return problems.map((p) => `${name}: ${p}`);
}

describe('dashboards', () => {
  const views = viewNames();

  it('are the seven dashboards and the configuration page the add-on promises', () => {
    expect(views).toEqual([
      'configuration',
      'ta_zerotrust_health',
      'ta_zerotrust_illumio_audit',
      'ta_zerotrust_illumio_traffic',
      'ta_zerotrust_illumio_vens',
      'ta_zerotrust_lacework_edge',
      'ta_zerotrust_overview',
      'ta_zerotrust_prisma_saas',
    ]);
  });

  it('are well-formed Simple XML 1.1 with known elements, defined tokens and readable queries', () => {
    const problems = views.flatMap((v) => check(v, parseXml(readRepo(`default/data/ui/views/${v}.xml`))));
    expect(problems).toEqual([]);
  });

  it('the checker reports what is wrong in a broken view', () => {
    const broken = parseXml('<form><label>x</label><row><panel><chart><search><query>index=x | stats count BY $nope$</query></search><option name="charting.chart">donut</option></chart><blink/></panel></row></form>');
    expect(check('broken', broken)).toEqual([
      'broken: root lacks version="1.1" (Simple XML 1.1, required for jQuery 3.5 dashboards)',
      'broken: token $nope$ in <query> is set by no input',
      'broken: chart type donut',
      'broken: unknown element <blink>',
    ]);
    expect(() => parseXml('<form><row></form>')).toThrow();
  });
});

describe('navigation', () => {
  const nav = parseXml(readRepo('default/data/ui/nav/default.xml'));

  it('lists every view, names only views that exist, and opens on the overview', () => {
    const named: string[] = [];
    walk(nav, (n) => {
      if (n.name === 'view') named.push(n.attributes.name);
    });
    expect([...named].sort()).toEqual(viewNames());
    const defaults: string[] = [];
    walk(nav, (n) => {
      if (n.name === 'view' && n.attributes.default === 'true') defaults.push(n.attributes.name);
    });
    expect(defaults).toEqual(['ta_zerotrust_overview']);
  });

  it('uses only nav elements', () => {
    const bad: string[] = [];
    walk(nav, (n) => {
      if (!['nav', 'view', 'collection', 'a', 'saved', 'divider'].includes(n.name)) bad.push(n.name);
    });
    expect(nav.name).toBe('nav');
    expect(bad).toEqual([]);
  });
});
