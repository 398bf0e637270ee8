/**
 * Splunk .conf syntax, as splunkd reads it: `[stanza]` headers, `key = value` lines, `#`
 * comments only at the start of a line (a `#` inside a value is data), a trailing `\`
 * continues the value on the next line (the newline is kept, as Splunk keeps it in multi-line
 * searches), keys before the first header belong to `default`, and a repeated key wins last.
 */
export interface ConfEntry {
  key: string;
  value: string;
  /** 1-based line of the key. */
  line: number;
}

export interface ConfStanza {
  name: string;
  line: number;
  entries: ConfEntry[];
}

export interface ConfFile {
  file?: string;
  stanzas: ConfStanza[];
  /** Lines that are neither comments, headers nor key = value. */
  errors: { line: number; text: string }[];
}

export function parseConf(text: string, file?: string): ConfFile {
  const out: ConfFile = { file, stanzas: [], errors: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: ConfStanza | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i];
    const trimmed = line.trim();
    // Splunk's own props.conf carries `;` lines that splunkd ignores; treat them as comments too.
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      const close = trimmed.lastIndexOf(']');
      if (close > 0) {
        current = { name: trimmed.slice(1, close), line: lineNo, entries: [] };
        out.stanzas.push(current);
        continue;
      }
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      out.errors.push({ line: lineNo, text: line });
      continue;
    }
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1);
    // Continuations: keep joining while the physical line ends with a single backslash.
    while (/(^|[^\\])\\$/.test(value) && i + 1 < lines.length) {
      value = `${value.slice(0, -1)}\n${lines[++i]}`;
    }
    line = value;
    if (!current) {
      current = { name: 'default', line: 0, entries: [] };
      out.stanzas.push(current);
    }
    current.entries.push({ key, value: value.trim(), line: lineNo });
  }
  return out;
}

/** Stanza name → key → value, later stanzas and keys overriding earlier ones. */
export type ConfMap = Map<string, Map<string, string>>;

export function toMap(...layers: ConfFile[]): ConfMap {
  const map: ConfMap = new Map();
  for (const layer of layers) {
    for (const s of layer.stanzas) {
      let m = map.get(s.name);
      if (!m) map.set(s.name, (m = new Map()));
      for (const e of s.entries) m.set(e.key, e.value);
    }
  }
  return map;
}

/** Serialises stanzas back to conf text (used by generators and by tests). */
export function formatConf(stanzas: { name: string; entries: [string, string][] }[], header?: string): string {
  const parts: string[] = [];
  if (header) parts.push(header.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n'), '');
  for (const s of stanzas) {
    parts.push(`[${s.name}]`);
    for (const [k, v] of s.entries) parts.push(`${k} = ${v.replace(/\n/g, ' \\\n')}`);
    parts.push('');
  }
  return parts.join('\n');
}
