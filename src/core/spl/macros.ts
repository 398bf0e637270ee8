/**
 * Macro expansion the way splunkd does it, and the quote-aware splitting it needs. In core because
 * the search engine behind the tests and the SPL reader of the build (src/build/spl.ts) both use it.
 */
import { parseConf } from '../conf/parse';

export interface Macro {
  args: string[];
  definition: string;
}

/** macros.conf stanzas keyed the way splunkd keys them: `name` or `name(<argcount>)`. */
export function macrosFromConf(text: string): Map<string, Macro> {
  const out = new Map<string, Macro>();
  for (const s of parseConf(text).stanzas) {
    const get = (k: string) => s.entries.filter((e) => e.key === k).pop()?.value;
    const args = (get('args') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    out.set(s.name, { args, definition: get('definition') ?? '' });
  }
  return out;
}

export class SplError extends Error {}

/** The text cut into double-quoted strings (quotes and `\` escapes kept) and the runs between them. */
export function chunks(text: string): { quoted: boolean; text: string }[] {
  const out: { quoted: boolean; text: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const q = text.indexOf('"', i);
    if (q < 0) {
      out.push({ quoted: false, text: text.slice(i) });
      break;
    }
    if (q > i) out.push({ quoted: false, text: text.slice(i, q) });
    let j = q + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) throw new SplError('unterminated double quote');
    out.push({ quoted: true, text: text.slice(q, j + 1) });
    i = j + 1;
  }
  return out;
}

/**
 * Splits at `sep` outside quotes where `open`/`close` nesting is zero: `|` outside subsearches,
 * `,` between macro arguments outside parentheses.
 */
export function splitTop(text: string, sep: string, open = '[', close = ']'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of chunks(text)) {
    if (ch.quoted) {
      cur += ch.text;
      continue;
    }
    for (const c of ch.text) {
      if (c === open) depth++;
      else if (c === close && --depth < 0) throw new SplError(`unbalanced "${close}"`);
      if (c === sep && depth === 0) {
        parts.push(cur);
        cur = '';
      } else cur += c;
    }
  }
  if (depth !== 0) throw new SplError(`unbalanced "${open}"`);
  parts.push(cur);
  return parts;
}

/**
 * Expands `` `name` `` and `` `name(a,b)` `` outside double quotes (splunkd leaves macros in
 * quoted values alone), recursively. Records every macro stanza used.
 */
export function expandMacros(search: string, macros: Map<string, Macro>, used = new Set<string>(), depth = 0): string {
  if (depth > 20) throw new SplError('macro expansion nested more than 20 levels (a macro that uses itself?)');
  return chunks(search).map((ch) => {
    if (ch.quoted) return ch.text;
    const pieces = ch.text.split('`');
    if (pieces.length % 2 === 0) throw new SplError(`unterminated macro call in ${JSON.stringify(ch.text.trim())}`);
    return pieces.map((piece, k) => {
      if (k % 2 === 0) return piece;
      const m = /^\s*([\w-]+)(?:\((.*)\))?\s*$/s.exec(piece);
      if (!m) throw new SplError(`malformed macro call \`${piece}\``);
      const args = m[2] === undefined ? [] : splitTop(m[2], ',', '(', ')').map((a) => a.trim());
      const key = args.length ? `${m[1]}(${args.length})` : m[1];
      const macro = macros.get(key);
      if (!macro) throw new SplError(`macro ${key} is not defined in macros.conf`);
      used.add(key);
      let body = macro.definition;
      macro.args.forEach((name, i) => {
        body = body.split(`$${name}$`).join(args[i] ?? '');
      });
      return expandMacros(body, macros, used, depth + 1);
    }).join('');
  }).join('');
}
