/**
 * Splunk `.conf.spec` files, read the way an admin reads them: a `[header]` at column 0 opens a
 * stanza family, a `key = <type>` line at column 0 declares a setting of the family above it, and
 * settings before the first header (or in a literal `[default]`) are global. `<placeholder>` and
 * `*` in headers and keys stand for any text, so `EXTRACT-<class>`, `action.<action_name>` and
 * `[source::<source>]` become patterns. Splunk ignores settings that no spec declares, so a typo
 * in a conf is a silent bug; this is what catches it.
 */
import type { ConfFile } from '../../core/conf/parse';

export interface SpecSetting {
  name: string;
  line: number;
  re: RegExp;
}

export interface SpecStanza {
  header: string;
  line: number;
  /** One regex per `|` alternative of the header. */
  res: RegExp[];
  /** Header text before the first placeholder, e.g. `tcp://` for `[tcp://<remote server>:<port>]`. */
  literalPrefix: string;
  settings: SpecSetting[];
}

export interface Spec {
  /** The conf file this spec describes, e.g. `inputs.conf`. */
  conf: string;
  /** Where it came from (for messages). */
  files: string[];
  global: SpecSetting[];
  stanzas: SpecStanza[];
  /**
   * The spec's headers are examples, not the list of allowed stanzas (default.meta.spec shows
   * `[views/index_status]` to explain `[<type>/<name>]`): every stanza takes every setting.
   */
  exampleStanzas?: boolean;
}

export interface LintProblem {
  file: string;
  line: number;
  message: string;
}

/** Turns a spec name pattern into a regex: `<...>` and `*` match any text, the rest is literal. */
export function patternToRegex(pattern: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '<') {
      const close = pattern.indexOf('>', i);
      if (close > i) {
        // `.*`, not `.+`: `[tcpout<any of above>]` covers `[tcpout]`, `MORE_THAN<optional>_1` has none.
        src += '.*';
        i = close;
        continue;
      }
    }
    if (c === '*') {
      src += '.*';
      continue;
    }
    src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${src}$`);
}

/** Splits `a|b` at top level (a `|` inside `<...>` is part of the placeholder). */
function alternatives(header: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of header) {
    if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    if (c === '|' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.filter((a) => a !== '');
}

/**
 * A setting name as specs write them: identifier characters plus placeholders. Prose that
 * happens to start at column 0 and contain `=` ("search a large event set with ... company_id =")
 * is not a setting.
 */
function isSettingName(name: string): boolean {
  if (name === '') return false;
  const flat = name.replace(/<[^>]*>/g, 'X');
  return /^[A-Za-z0-9_.\-:*$@{}]+$/.test(flat);
}

/** A stanza family from its header as the spec writes it (also used for the committed facts). */
export function specStanza(header: string, line: number, settings: SpecSetting[] = []): SpecStanza {
  return { header, line, res: alternatives(header).map(patternToRegex), literalPrefix: header.split(/[<*[]/)[0], settings };
}

export function specSetting(name: string, line: number): SpecSetting {
  return { name, line, re: patternToRegex(name) };
}

export function parseSpec(text: string, file: string, conf?: string): Spec {
  const spec: Spec = {
    conf: conf ?? file.replace(/^.*[\\/]/, '').replace(/\.spec$/, ''),
    files: [file],
    global: [],
    stanzas: [],
  };
  let current: SpecStanza | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || /^[\s#*]/.test(line)) continue;
    if (line.startsWith('[')) {
      const close = line.lastIndexOf(']');
      if (close <= 0) continue;
      const header = line.slice(1, close).trim();
      if (header === 'default') {
        current = undefined; // a literal [default] declares global settings
        continue;
      }
      current = specStanza(header, i + 1);
      spec.stanzas.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq).trim();
    if (!isSettingName(name)) continue;
    const setting = specSetting(name, i + 1);
    (current ? current.settings : spec.global).push(setting);
  }
  return spec;
}

/** Adds an app's own spec (README/<conf>.spec) to Splunk's, as splunkd layers them. */
export function mergeSpecs(base: Spec | undefined, extra: Spec): Spec {
  if (!base) return extra;
  return {
    conf: base.conf,
    files: [...base.files, ...extra.files],
    global: [...base.global, ...extra.global],
    stanzas: [...base.stanzas, ...extra.stanzas],
    exampleStanzas: base.exampleStanzas || extra.exampleStanzas,
  };
}

/**
 * The spec stanzas that govern a conf stanza. Besides a direct match, `[tcp]` is the default
 * stanza of every `[tcp://...]` and `[tcp:...]` input (inputs.conf.spec: "A default stanza of a
 * modular input scheme begins with the notation [<scheme name>]"), so a bare name takes the
 * settings of the families whose literal prefix is that name followed by `://` or `:`.
 */
export function matchStanzas(spec: Spec, name: string): SpecStanza[] {
  // A spec without headers (indexes.conf.spec, workflow_actions.conf.spec) leaves stanza names free.
  if (spec.exampleStanzas || spec.stanzas.length === 0) return spec.stanzas;
  return spec.stanzas.filter(
    (s) =>
      s.res.some((re) => re.test(name)) ||
      s.literalPrefix === `${name}://` ||
      s.literalPrefix === `${name}:`,
  );
}

/** True when `key` is declared for stanza `name` (or globally). */
export function allowsKey(spec: Spec, name: string, key: string): boolean {
  if (spec.global.some((s) => s.re.test(key))) return true;
  const families = name === 'default' ? spec.stanzas : matchStanzas(spec, name);
  return families.some((f) => f.settings.some((s) => s.re.test(key)));
}

export interface LintOptions {
  /** Keys accepted in any stanza of this conf despite the spec (each with a reason elsewhere). */
  extraKeys?: readonly string[];
}

/** An app's own spec is named by its README/ path so the message says which file to edit. */
function specLabel(file: string): string {
  const parts = file.split(/[\\/]/);
  const base = parts[parts.length - 1];
  return parts[parts.length - 2] === 'README' ? `README/${base}` : base;
}

export function lintConf(conf: ConfFile, spec: Spec, file: string, opts: LintOptions = {}): LintProblem[] {
  const problems: LintProblem[] = [];
  const specName = spec.files.map(specLabel).join(' + ');
  const extra = (opts.extraKeys ?? []).map(patternToRegex);
  for (const e of conf.errors) {
    problems.push({ file, line: e.line, message: `not a stanza header or key = value line: "${e.text.trim().slice(0, 80)}"` });
  }
  for (const stanza of conf.stanzas) {
    if (stanza.name !== 'default' && spec.stanzas.length > 0 && matchStanzas(spec, stanza.name).length === 0) {
      problems.push({ file, line: stanza.line, message: `unknown stanza [${stanza.name}] (not in ${specName})` });
      continue;
    }
    for (const entry of stanza.entries) {
      if (allowsKey(spec, stanza.name, entry.key) || extra.some((re) => re.test(entry.key))) continue;
      problems.push({
        file,
        line: entry.line,
        message: `unknown key "${entry.key}" in stanza [${stanza.name}] (not in ${specName})`,
      });
    }
  }
  return problems;
}

export function formatProblem(p: LintProblem): string {
  // Line 0: a finding about the file as a whole (package checks), no line to point at.
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}
