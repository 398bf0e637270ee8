/**
 * Simple XML dashboards as Splunk Web runs them: every panel's search with the form inputs'
 * default token values substituted, a post-process search appended to its base search (`<search
 * base="id">`), and the panel's visualization type and title, for the SPL engine and the preview.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Row } from '../../src/core/spl/engine';
import { parseXml, XmlNode } from '../protocol/xml-tree';
import { ROOT } from './data';

export const VIEWS_DIR = path.join(ROOT, 'default', 'data', 'ui', 'views');

export interface Panel {
  view: string;
  viewLabel: string;
  title: string;
  /** chart, single, table, event, or `input` for a form input's populating search. */
  viz: string;
  /** charting.chart option (line, column, pie, …) when viz is chart. */
  chartType?: string;
  search: string;
  earliest?: string;
  latest?: string;
  /**
   * What a click does: `set:<token>=<value template>` (e.g. `set:ven=$row.ven$`), `unset:<token>`,
   * or `link:<target>` with the page's tokens substituted.
   */
  drilldown: string[];
  /** Tokens left unresolved after defaults (a panel that waits for a click). */
  waitsFor: string[];
}

const text = (n: XmlNode | undefined) => (n ? n.text.trim() : '');
const kids = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);

export function viewNames(): string[] {
  return fs.readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4)).sort();
}

/** `tokens` overrides the form inputs' defaults (a choice the analyst made). */
export function loadView(view: string, overrides: Record<string, string> = {}): Panel[] {
  const root = parseXml(fs.readFileSync(path.join(VIEWS_DIR, `${view}.xml`), 'utf8'));
  const tokens = new Map<string, string>();
  const out: Panel[] = [];
  const walkAll = (n: XmlNode, f: (n: XmlNode, panelTitle: string) => void, panelTitle = '') => {
    const t = n.name === 'panel' ? text(kids(n, 'title')[0]) : panelTitle;
    f(n, t);
    n.children.forEach((c) => walkAll(c, f, t));
  };
  // Form inputs' defaults, and the <init> tokens.
  walkAll(root, (n) => {
    if (n.name === 'input') {
      const tok = n.attributes.token;
      const def = n.children.find((c) => c.name === 'default');
      if (!tok || !def) return;
      if (n.attributes.type === 'time') {
        tokens.set(`${tok}.earliest`, text(def.children.find((c) => c.name === 'earliest')));
        tokens.set(`${tok}.latest`, text(def.children.find((c) => c.name === 'latest')));
      } else {
        const prefix = text(n.children.find((c) => c.name === 'prefix'));
        const suffix = text(n.children.find((c) => c.name === 'suffix'));
        tokens.set(tok, `${prefix}${text(def)}${suffix}`);
      }
    }
    if (n.name === 'init') for (const s of kids(n, 'set')) tokens.set(s.attributes.token, s.text.trim());
  });
  for (const [k, v] of Object.entries(overrides)) tokens.set(k, v);
  const subst = (s: string) => s.replace(/\$([\w.:]+)\$/g, (all, t: string) => tokens.get(t) ?? all);
  const bases = new Map<string, { query: string; earliest?: string; latest?: string }>();
  walkAll(root, (n) => {
    if (n.name === 'search' && n.attributes.id && !n.attributes.base) {
      bases.set(n.attributes.id, { query: text(kids(n, 'query')[0]), earliest: text(kids(n, 'earliest')[0]) || undefined, latest: text(kids(n, 'latest')[0]) || undefined });
    }
  });
  const searchOf = (s: XmlNode) => {
    let query = text(kids(s, 'query')[0]);
    let earliest = text(kids(s, 'earliest')[0]) || undefined;
    let latest = text(kids(s, 'latest')[0]) || undefined;
    if (s.attributes.base) {
      const b = bases.get(s.attributes.base);
      if (!b) throw new Error(`${view}: <search base="${s.attributes.base}"> has no base search with that id`);
      query = query ? `${b.query} ${query.startsWith('|') ? '' : '| '}${query}` : b.query;
      earliest ??= b.earliest;
      latest ??= b.latest;
    }
    return { query, earliest, latest };
  };
  const label = text(kids(root, 'label')[0]) || view;
  walkAll(root, (n, panelTitle) => {
    const isViz = ['chart', 'single', 'table', 'event', 'map'].includes(n.name);
    const isInput = n.name === 'input' && n.children.some((c) => c.name === 'search');
    if (!isViz && !isInput) return;
    const s = n.children.find((c) => c.name === 'search');
    if (!s) return;
    const { query, earliest, latest } = searchOf(s);
    const title = text(kids(n, 'title')[0]) || panelTitle || text(kids(n, 'label')[0]);
    const drill = n.children.find((c) => c.name === 'drilldown');
    const drilldown: string[] = [];
    if (drill) walkAll(drill, (d) => {
      if (d.name === 'link') drilldown.push(`link:${subst(d.text.trim())}`);
      if (d.name === 'set') drilldown.push(`set:${d.attributes.token}=${d.text.trim()}`);
      if (d.name === 'unset') drilldown.push(`unset:${d.attributes.token}`);
    });
    const search = subst(query);
    out.push({
      view, viewLabel: label, title: title || `(untitled ${n.name})`, viz: isInput ? 'input' : n.name,
      chartType: kids(n, 'option').find((o) => o.attributes.name === 'charting.chart')?.text.trim(),
      search, earliest: earliest && subst(earliest), latest: latest && subst(latest), drilldown,
      waitsFor: [...search.matchAll(/\$([\w.:]+)\$/g)].map((m) => m[1]),
    });
  });
  return out;
}

export function allPanels(): Panel[] {
  return viewNames().filter((v) => v !== 'configuration').flatMap((v) => loadView(v));
}

/** A click on a result row fills a drilldown's `$row.<field>$`/`$click.value$` as Splunk Web does. */
export function clickValue(template: string, row: Row): string {
  const first = [...row].find(([k]) => !k.startsWith('_'));
  return template.replace(/\$(row\.([\w.]+)|click\.value)\$/g, (_, __, field?: string) => (field ? row.get(field)?.[0] : first?.[1][0]) ?? '');
}

/** A drilldown's `set:<token>=<template>` entries. */
export function tokenSets(p: Panel): { token: string; template: string }[] {
  return p.drilldown.flatMap((d) => {
    const m = /^set:([\w.]+)=(.*)$/s.exec(d);
    return m ? [{ token: m[1], template: m[2] }] : [];
  });
}
