/**
 * Splunk Web's REST proxy rule: `/<locale>/splunkd/__raw/<path>` reaches splunkd only when an
 * `[expose:<name>]` stanza of web.conf (Splunk's own plus every app's) matches <path> and lists
 * the method. The rule as web.conf.spec states it and Splunk Web applies it:
 *  - the pattern is matched under `services/` or `servicesNS/<owner>/<app>/` (or bare);
 *  - `*` is one path element, `**` any number of elements, `abc*` an element starting with abc;
 *  - the match is anchored at both ends and case-sensitive;
 *  - `methods` is a comma-separated list, default GET; a stanza with disabled = true is ignored.
 * Used by the Splunk Web stand-in (test/ui/splunkweb.ts) and the package check of default/web.conf.
 */

export interface ExposeRule {
  name: string;
  pattern: string;
  /** Raw `methods` value; undefined = GET. */
  methods?: string;
  disabled?: string;
}

export interface CompiledExpose {
  name: string;
  pattern: string;
  re: RegExp;
  methods: Set<string>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const truthy = (v: string | undefined) => /^(1|true|t|yes|y|on)$/i.test((v ?? '').trim());

export function compileExpose(rules: readonly ExposeRule[]): CompiledExpose[] {
  const out: CompiledExpose[] = [];
  for (const r of rules) {
    if (truthy(r.disabled) || !r.pattern) continue;
    const parts = r.pattern.split('/').map((e) => (e === '**' ? '.*' : e.endsWith('*') ? `${escapeRe(e.slice(0, -1))}[^/]*` : escapeRe(e)));
    out.push({
      name: r.name,
      pattern: r.pattern,
      re: new RegExp(`^(?:services/|servicesNS/[^/]+/[^/]+/)?${parts.join('/')}$`),
      methods: new Set((r.methods ?? 'GET').toUpperCase().split(',').map((m) => m.trim()).filter(Boolean)),
    });
  }
  return out;
}

/**
 * The stanza that lets `method` through to `path` (splunkd path without the leading slash, still
 * %-encoded as the browser sent it, so an encoded `/` stays inside its element), or undefined.
 */
export function exposedBy(rules: readonly CompiledExpose[], method: string, path: string): CompiledExpose | undefined {
  return rules.find((r) => r.re.test(path) && r.methods.has(method.toUpperCase()));
}

/** `[expose:…]` stanzas of a parsed web.conf (stanza → key → value). */
export function exposeRulesOf(conf: ReadonlyMap<string, ReadonlyMap<string, string>>): ExposeRule[] {
  return [...conf].filter(([name]) => name.startsWith('expose:')).map(([name, v]) => ({
    name, pattern: v.get('pattern') ?? '', methods: v.get('methods'), disabled: v.get('disabled'),
  }));
}
