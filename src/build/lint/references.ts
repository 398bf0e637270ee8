/**
 * Part (c) of the lint: names that point at other knowledge objects must resolve, because
 * splunkd resolves them silently at search time (a REPORT- naming a missing transform just
 * extracts nothing). Works on whatever files exist, so it keeps working as the knowledge and
 * catalog files appear.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfFile, parseConf } from '../../core/conf/parse';
import type { LintProblem } from './spec';

/**
 * Macros and eventtypes our searches may use although other apps define them, with the app that
 * ships them. Empty until a search needs one; anything else unresolved is an error.
 */
export const EXTERNAL_MACROS: Readonly<Record<string, string>> = {};
export const EXTERNAL_EVENTTYPES: Readonly<Record<string, string>> = {};
/** Lookups every Splunk instance has (Splunk's own system/default/transforms.conf). */
export const BUILTIN_LOOKUPS: readonly string[] = ['dnslookup'];

interface Loaded {
  rel: string;
  conf: ConfFile;
}

function load(root: string, rel: string): Loaded | undefined {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) return undefined;
  return { rel, conf: parseConf(fs.readFileSync(file, 'utf8'), rel) };
}

function names(c: Loaded | undefined): Set<string> {
  return new Set(c ? c.conf.stanzas.map((s) => s.name).filter((n) => n !== 'default') : []);
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => !f.startsWith('.'));
}

/** Splits a macro call's argument list at top-level commas (quotes and parentheses respected). */
export function countMacroArgs(args: string): number {
  if (args.trim() === '') return 0;
  let depth = 0;
  let quote = false;
  let n = 1;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')') depth--;
    else if (!quote && depth === 0 && c === ',') n++;
  }
  return n;
}

/** `name` or `name(args)` macro calls in SPL. */
export function macroCalls(spl: string): { name: string; arity: number }[] {
  const out: { name: string; arity: number }[] = [];
  for (const m of spl.matchAll(/`([A-Za-z0-9_:.-]+)(?:\(((?:[^`"]|"(?:[^"\\]|\\.)*")*)\))?`/g)) {
    out.push({ name: m[1], arity: m[2] === undefined ? 0 : countMacroArgs(m[2]) });
  }
  return out;
}

/** eventtype=x, eventtype="x" and eventtype IN (...) are not distinguished: each named value must exist. */
export function eventtypeRefs(spl: string): string[] {
  const out: string[] = [];
  for (const m of spl.matchAll(/\beventtype\s*=\s*(?:"([^"]+)"|([^\s|()\]]+))/g)) out.push(m[1] ?? m[2]);
  return out;
}

/** `| lookup name`, `| inputlookup name`, `| outputlookup name` (options before the name skipped). */
export function lookupRefs(spl: string): string[] {
  const out: string[] = [];
  for (const m of spl.matchAll(/\|\s*(?:input|output)?lookup\s+((?:[A-Za-z_]+=\S+\s+)*)("?)([^\s"|]+)\2/g)) out.push(m[3]);
  return out;
}

function globMatch(pattern: string, candidates: Set<string>): boolean {
  if (!pattern.includes('*')) return candidates.has(pattern);
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return [...candidates].some((c) => re.test(c));
}

export function lintReferences(root: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const props = load(root, 'default/props.conf');
  const transforms = load(root, 'default/transforms.conf');
  const eventtypes = load(root, 'default/eventtypes.conf');
  const macros = load(root, 'default/macros.conf');
  const tags = load(root, 'default/tags.conf');
  const saved = load(root, 'default/savedsearches.conf');
  const collections = load(root, 'default/collections.conf');
  const transformNames = names(transforms);
  const lookupFiles = new Set(listFiles(path.join(root, 'lookups')));
  const eventtypeNames = new Set([...names(eventtypes), ...Object.keys(EXTERNAL_EVENTTYPES)]);
  const macroNames = names(macros);

  const lookupExists = (name: string) =>
    transformNames.has(name) || lookupFiles.has(name) || BUILTIN_LOOKUPS.includes(name);

  // props.conf → transforms.conf / lookups
  for (const s of props?.conf.stanzas ?? []) {
    for (const e of s.entries) {
      const kind = /^(REPORT|TRANSFORMS)-/.exec(e.key)?.[1];
      if (kind) {
        for (const t of e.value.split(',').map((v) => v.trim()).filter(Boolean)) {
          if (!transformNames.has(t)) {
            problems.push({ file: props!.rel, line: e.line, message: `${e.key} in [${s.name}] names transform "${t}", which default/transforms.conf does not define` });
          }
        }
      } else if (e.key.startsWith('LOOKUP-')) {
        const table = e.value.trim().split(/\s+/)[0] ?? '';
        if (!lookupExists(table)) {
          problems.push({ file: props!.rel, line: e.line, message: `${e.key} in [${s.name}] uses lookup "${table}", which is neither a default/transforms.conf stanza nor a file in lookups/` });
        }
      }
    }
  }

  // transforms.conf lookups → their file or collection
  const collectionNames = names(collections);
  for (const s of transforms?.conf.stanzas ?? []) {
    for (const e of s.entries) {
      if (e.key === 'filename' && e.value && !lookupFiles.has(e.value)) {
        problems.push({ file: transforms!.rel, line: e.line, message: `[${s.name}] filename = ${e.value}: no such file in lookups/` });
      }
      if (e.key === 'collection' && e.value && !collectionNames.has(e.value)) {
        problems.push({ file: transforms!.rel, line: e.line, message: `[${s.name}] collection = ${e.value}: no such stanza in default/collections.conf` });
      }
    }
  }

  // SPL in eventtypes, saved searches, macros and dashboards → eventtypes, macros, lookups
  const spl: { rel: string; line: number; where: string; text: string }[] = [];
  const collect = (c: Loaded | undefined, keys: string[]) => {
    for (const s of c?.conf.stanzas ?? []) {
      for (const e of s.entries) if (keys.includes(e.key)) spl.push({ rel: c!.rel, line: e.line, where: `[${s.name}] ${e.key}`, text: e.value });
    }
  };
  collect(eventtypes, ['search']);
  collect(saved, ['search']);
  collect(macros, ['definition']);
  for (const dir of ['default/data/ui/views', 'default/data/ui/panels']) {
    for (const f of listFiles(path.join(root, dir)).filter((n) => n.endsWith('.xml') || n.endsWith('.json'))) {
      // SPL in Simple XML is entity-encoded: eventtype=&quot;x&quot; is eventtype="x".
      const text = fs.readFileSync(path.join(root, dir, f), 'utf8')
        .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      text.split('\n').forEach((lineText, i) => spl.push({ rel: `${dir}/${f}`, line: i + 1, where: 'search', text: lineText }));
    }
  }
  for (const { rel, line, where, text } of spl) {
    for (const et of eventtypeRefs(text)) {
      if (!globMatch(et, eventtypeNames)) {
        problems.push({ file: rel, line, message: `${where} refers to eventtype "${et}", which default/eventtypes.conf does not define` });
      }
    }
    for (const call of macroCalls(text)) {
      const key = call.arity ? `${call.name}(${call.arity})` : call.name;
      if (!macroNames.has(key) && !(key in EXTERNAL_MACROS)) {
        problems.push({ file: rel, line, message: `${where} calls macro \`${key}\`, which default/macros.conf does not define` });
      }
    }
    for (const l of lookupRefs(text)) {
      if (!lookupExists(l)) {
        problems.push({ file: rel, line, message: `${where} uses lookup "${l}", which is neither a default/transforms.conf stanza nor a file in lookups/` });
      }
    }
  }

  // tags.conf [eventtype=x] → eventtype x
  for (const s of tags?.conf.stanzas ?? []) {
    const m = /^eventtype=(.+)$/.exec(s.name);
    if (m && !globMatch(m[1], eventtypeNames)) {
      problems.push({ file: tags!.rel, line: s.line, message: `[${s.name}] tags eventtype "${m[1]}", which default/eventtypes.conf does not define` });
    }
  }
  return problems;
}
