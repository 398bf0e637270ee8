/**
 * A static reader of the SPL this app ships (saved searches, dashboards): expands macros the way
 * splunkd does, splits pipelines at `|` outside quotes and subsearches, and reports which
 * commands, macros, eventtypes, lookups and event fields each search uses. Splunk's own
 * searchbnf.conf is the list of commands that exist; nothing here guesses at grammar beyond
 * what is needed to find command names and the fields read from events.
 */
import { parseConf } from '../core/conf/parse';
import { expandMacros, splitTop, SplError, type Macro } from '../core/spl/macros';

export { expandMacros, macrosFromConf, SplError, type Macro } from '../core/spl/macros';

/** Command names (and aliases) declared by `[<command>-command]` stanzas of searchbnf.conf. */
export function searchbnfCommands(text: string): Set<string> {
  const out = new Set<string>();
  for (const s of parseConf(text).stanzas) {
    const m = /^(.+)-command$/.exec(s.name);
    if (!m) continue;
    out.add(m[1].toLowerCase());
    for (const e of s.entries) {
      if (e.key === 'alias') for (const a of e.value.split(',')) if (a.trim()) out.add(a.trim().toLowerCase());
    }
  }
  return out;
}


export interface SplAnalysis {
  /** The search after macro expansion. */
  expanded: string;
  commands: string[];
  macros: string[];
  eventtypes: string[];
  lookups: string[];
  /** Fields read from events (before the first transforming command, not made by the search). */
  fields: string[];
}

const TRANSFORMING = new Set(['stats', 'tstats', 'chart', 'timechart', 'top', 'rare', 'inputlookup', 'makeresults', 'rest', 'metadata']);
const STATS_LIKE = new Set(['stats', 'eventstats', 'streamstats', 'tstats', 'chart', 'timechart']);
/** Words that are SPL syntax, not field names. */
const KEYWORDS = new Set(['by', 'as', 'over', 'where', 'output', 'outputnew', 'and', 'or', 'not', 'in', 'span', 'limit', 'useother', 'usenull', 'count', 'true', 'false']);
const FIELD = /^[A-Za-z_][\w.{}]*$/;

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** Whitespace-separated tokens of a segment, keeping quoted strings whole. */
function tokens(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|[^\s"]+/g) ?? [];
}

/** `field=value`, `field!=value`, `field>=n` terms of a search clause. */
function comparedFields(text: string): string[] {
  const out: string[] = [];
  const stripped = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of stripped.matchAll(/(?:^|[\s(])([A-Za-z_][\w.{}]*)\s*(?:!=|<=|>=|=|<|>)/g)) out.push(m[1]);
  return out;
}

/** Every command segment of a search, subsearches included, after macro expansion. */
function segmentsOf(search: string): string[] {
  const out: string[] = [];
  const walk = (text: string) => {
    const parts = splitTop(text, '|');
    parts.forEach((p, k) => {
      let seg = p.trim();
      if (k === 0 && seg === '') return; // leading pipe: a generating command follows
      if (k === 0 && !text.trimStart().startsWith('|')) seg = `search ${seg}`;
      if (seg === '') throw new SplError('empty command between two pipes');
      out.push(seg);
      for (const sub of seg.matchAll(/\[((?:[^[\]"]|"(?:[^"\\]|\\.)*"|\[[^\]]*\])*)\]/g)) walk(sub[1]);
    });
  };
  walk(search);
  return out;
}

export function analyzeSearch(search: string, macros: Map<string, Macro>): SplAnalysis {
  const usedMacros = new Set<string>();
  const expanded = expandMacros(search, macros, usedMacros);
  const commands: string[] = [];
  const eventtypes = new Set<string>();
  const lookups = new Set<string>();
  const fields = new Set<string>();
  const produced = new Set<string>();
  let transformed = false;
  const read = (f: string) => {
    const name = unquote(f);
    if (!transformed && FIELD.test(name) && !produced.has(name) && !KEYWORDS.has(name.toLowerCase())) fields.add(name);
  };
  for (const seg of segmentsOf(expanded)) {
    const noSub = seg.replace(/\[(?:[^[\]"]|"(?:[^"\\]|\\.)*")*\]/g, ' ');
    const [cmdRaw, ...rest] = tokens(noSub);
    const cmd = cmdRaw.toLowerCase();
    commands.push(cmd);
    const body = noSub.slice(noSub.indexOf(cmdRaw) + cmdRaw.length);
    for (const m of body.matchAll(/\beventtype\s*=\s*("(?:[^"\\]|\\.)*"|[^\s)]+)/g)) eventtypes.add(unquote(m[1]));
    // AS targets are made by this command, whatever it is, but only after it read its inputs
    // (`sum(events) AS events` reads the event field).
    const made: string[] = [];
    for (let k = 0; k + 1 < rest.length; k++) if (/^as$/i.test(rest[k])) made.push(unquote(rest[k + 1]).replace(/,$/, ''));
    if (cmd === 'lookup' || cmd === 'inputlookup') {
      const args = rest.filter((t) => !/^\w+=/.test(t));
      if (args[0]) lookups.add(args[0]);
      if (cmd === 'lookup') {
        const outAt = args.findIndex((t) => /^output(new)?$/i.test(t));
        const inputs = args.slice(1, outAt < 0 ? undefined : outAt);
        // `lookup t tablefield AS eventfield`: the event field is read.
        for (let k = 0; k < inputs.length; k++) {
          if (/^as$/i.test(inputs[k + 1] ?? '')) {
            read(inputs[k + 2]);
            k += 2;
          } else read(inputs[k]);
        }
        if (outAt >= 0) for (const t of args.slice(outAt + 1)) if (!/^as$/i.test(t)) made.push(t.replace(/,$/, ''));
      }
    } else if (cmd === 'search' || cmd === 'where') {
      comparedFields(body).forEach(read);
    } else if (STATS_LIKE.has(cmd)) {
      const where = /\bwhere\b(.*?)(\bby\b|$)/i.exec(body);
      if (where) comparedFields(where[1]).forEach(read);
      for (const m of body.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/\b\w+\(([^()]*)\)/g)) {
        if (m[1].trim()) read(m[1].trim());
      }
      const by = /\bby\b(.*)$/i.exec(body);
      if (by) for (const t of tokens(by[1].replace(/,/g, ' '))) if (!/=/.test(t)) read(t);
    } else if (cmd === 'table' || cmd === 'dedup' || cmd === 'fields') {
      for (const t of tokens(body.replace(/,/g, ' '))) if (!/=/.test(t) && t !== '-' && t !== '+') read(t);
    } else if (cmd === 'rename') {
      for (let k = 0; k + 2 < rest.length; k += 3) read(rest[k].replace(/,$/, ''));
    } else if (cmd === 'eval') {
      for (const a of splitTop(body, ',', '(', ')')) {
        const eq = a.indexOf('=');
        if (eq > 0) made.push(a.slice(0, eq).trim());
      }
    }
    made.forEach((f) => produced.add(f));
    if (TRANSFORMING.has(cmd)) transformed = true;
  }
  return { expanded, commands, macros: [...usedMacros], eventtypes: [...eventtypes], lookups: [...lookups], fields: [...fields] };
}
