/**
 * Which props.conf stanzas apply to an event, and in what order their settings win
 * (props.conf.spec, "[<spec>] stanza precedence" and "stanza pattern collisions"):
 *   [<sourcetype>]  <  [host::<pattern>]  <  [source::<pattern>]   (by category, always)
 * and within a category: higher `priority` wins (default 100 for literal names, 0 for patterns);
 * at equal priority the pattern first in ASCII order wins. Patterns: `...` = anything, `*` =
 * anything but a path separator, `.` = a literal dot; `|` and `( )` keep their regex meaning
 * once a wildcard has appeared; host patterns are case-insensitive unless they start `(?-i)`.
 */
import type { ConfFile } from '../conf/parse';

export type StanzaKind = 'sourcetype' | 'source' | 'host' | 'rule';

export interface PropsStanza {
  name: string;
  kind: StanzaKind;
  /** The pattern after `source::`/`host::`, or the sourcetype name. */
  pattern: string;
  literal: boolean;
  priority: number;
  settings: Map<string, string>;
  matcher?: RegExp;
}

const WILDCARD = /\.\.\.|\*/;

/** Splunk's source/host pattern language to an anchored JS regex. */
export function patternToRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let src = pattern;
  let ci = caseInsensitive;
  if (src.startsWith('(?-i)')) {
    ci = false;
    src = src.slice(5);
  }
  let out = '';
  let sawWildcard = false;
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith('...', i)) {
      out += '.*';
      i += 2;
      sawWildcard = true;
      continue;
    }
    const c = src[i];
    if (c === '*') {
      out += '[^/\\\\]*';
      sawWildcard = true;
    } else if (c === '\\' && src[i + 1] === '\\') {
      out += '\\\\';
      i++;
    } else if (c === '.') out += '\\.';
    else if (sawWildcard && '()|?'.includes(c)) out += c;
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, ci ? 'i' : '');
}

export function readPropsStanzas(...layers: ConfFile[]): PropsStanza[] {
  const byName = new Map<string, Map<string, string>>();
  for (const layer of layers) {
    for (const s of layer.stanzas) {
      let m = byName.get(s.name);
      if (!m) byName.set(s.name, (m = new Map()));
      for (const e of s.entries) m.set(e.key, e.value);
    }
  }
  const out: PropsStanza[] = [];
  for (const [name, settings] of byName) {
    if (name === 'default') continue;
    let kind: StanzaKind = 'sourcetype';
    let pattern = name;
    if (name.startsWith('source::')) {
      kind = 'source';
      pattern = name.slice(8);
    } else if (name.startsWith('host::')) {
      kind = 'host';
      pattern = name.slice(6);
    } else if (name.startsWith('rule::') || name.startsWith('delayedrule::')) kind = 'rule';
    const literal = kind === 'sourcetype' || !WILDCARD.test(pattern);
    const prio = settings.get('priority');
    out.push({
      name,
      kind,
      pattern,
      literal,
      priority: prio !== undefined && /^-?\d+$/.test(prio.trim()) ? Number(prio) : literal ? 100 : 0,
      settings,
      matcher: kind === 'source' || kind === 'host' ? patternToRegex(pattern, kind === 'host') : undefined,
    });
  }
  return out;
}

export interface EventMeta {
  sourcetype: string;
  source?: string;
  host?: string;
}

const CATEGORY_RANK: Record<StanzaKind, number> = { sourcetype: 0, host: 1, source: 2, rule: -1 };

/** Stanzas that apply, lowest precedence first (apply in order; later overrides earlier). */
export function applicableStanzas(all: PropsStanza[], meta: EventMeta): PropsStanza[] {
  const hits = all.filter((s) => {
    if (s.kind === 'sourcetype') return s.name === meta.sourcetype;
    if (s.kind === 'source') return meta.source !== undefined && s.matcher!.test(meta.source);
    if (s.kind === 'host') return meta.host !== undefined && s.matcher!.test(meta.host);
    return false;
  });
  return hits.sort(
    (a, b) =>
      CATEGORY_RANK[a.kind] - CATEGORY_RANK[b.kind] ||
      a.priority - b.priority ||
      // Equal priority: the ASCII-first pattern wins, so it is applied last.
      (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
  );
}

/** The merged settings for an event, plus the sourcetype after any index-time `sourcetype =` rename. */
export function resolveSettings(all: PropsStanza[], meta: EventMeta): { sourcetype: string; settings: Map<string, string> } {
  let sourcetype = meta.sourcetype;
  // Index time: a [source::] or [host::] stanza may assign the sourcetype; then that
  // sourcetype's stanza is what search time sees.
  const pre = applicableStanzas(
    all.filter((s) => s.kind !== 'sourcetype'),
    meta,
  );
  for (const s of pre) {
    const st = s.settings.get('sourcetype');
    if (st) sourcetype = st.trim();
  }
  const settings = new Map<string, string>();
  for (const s of applicableStanzas(all, { ...meta, sourcetype })) for (const [k, v] of s.settings) settings.set(k, v);
  return { sourcetype, settings };
}
