/**
 * The search-string subset eventtypes.conf uses: `field=value` (wildcards `*`, quoted values,
 * case-insensitive values as in Splunk search), `field!=value`, `<`/`>`/`<=`/`>=` on numbers,
 * `field IN (a, b)`, bare terms (matched in _raw), AND/OR/NOT, implicit AND, parentheses.
 */
export type SearchNode =
  | { k: 'and' | 'or'; xs: SearchNode[] }
  | { k: 'not'; x: SearchNode }
  | { k: 'cmp'; field: string; op: string; values: string[]; test: (v: string) => boolean }
  | { k: 'term'; value: string };

export class SearchSyntaxError extends Error {}

interface Tok {
  t: '(' | ')' | 'word';
  v: string;
  quoted?: boolean;
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const readQuoted = (): string => {
    let v = '';
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) {
        v += s[i + 1];
        i += 2;
        continue;
      }
      v += s[i++];
    }
    if (s[i] !== '"') throw new SearchSyntaxError(`unterminated quote in ${JSON.stringify(s)}`);
    i++;
    return v;
  };
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
      continue;
    }
    if (c === '"') {
      out.push({ t: 'word', v: readQuoted(), quoted: true });
      continue;
    }
    let w = '';
    while (i < s.length && !/[\s()]/.test(s[i])) {
      if (s[i] === '"') {
        // field="quoted value": the quotes belong to the value.
        w += `\u0000${readQuoted()}`;
        continue;
      }
      w += s[i++];
    }
    out.push({ t: 'word', v: w });
  }
  return out;
}

export function parseSearch(src: string): SearchNode {
  const toks = tokenize(src);
  let p = 0;
  const kw = (w: string) => toks[p]?.t === 'word' && !toks[p].quoted && toks[p].v === w;
  const orExpr = (): SearchNode => {
    const xs = [andExpr()];
    while (kw('OR')) {
      p++;
      xs.push(andExpr());
    }
    if (xs.length === 1) return xs[0];
    // `f=a OR f=b* OR …` on one field becomes one comparison with one compiled matcher.
    const c0 = xs[0];
    if (c0.k === 'cmp' && c0.op === '=' && xs.every((x) => x.k === 'cmp' && x.op === '=' && x.field === c0.field)) {
      return cmp(c0.field, '=', xs.flatMap((x) => (x as Extract<SearchNode, { k: 'cmp' }>).values));
    }
    return { k: 'or', xs };
  };
  const andExpr = (): SearchNode => {
    const xs = [notExpr()];
    for (;;) {
      if (kw('AND')) {
        p++;
        xs.push(notExpr());
        continue;
      }
      if (p < toks.length && toks[p].t !== ')' && !kw('OR')) {
        xs.push(notExpr());
        continue;
      }
      break;
    }
    return xs.length === 1 ? xs[0] : { k: 'and', xs };
  };
  const notExpr = (): SearchNode => {
    if (kw('NOT')) {
      p++;
      return { k: 'not', x: notExpr() };
    }
    return primary();
  };
  const primary = (): SearchNode => {
    const t = toks[p++];
    if (!t) throw new SearchSyntaxError(`unexpected end of search ${JSON.stringify(src)}`);
    if (t.t === '(') {
      const e = orExpr();
      if (toks[p]?.t !== ')') throw new SearchSyntaxError(`missing ) in ${JSON.stringify(src)}`);
      p++;
      return e;
    }
    if (t.t === ')') throw new SearchSyntaxError(`unexpected ) in ${JSON.stringify(src)}`);
    if (!t.quoted) {
      const m = /^([A-Za-z_][\w.:{}@-]*)(!=|<=|>=|=|<|>)([\s\S]*)$/.exec(t.v);
      if (m) return cmp(m[1], m[2], [m[3].replace(/\u0000/g, '')]);
      if (/^[A-Za-z_][\w.:{}@-]*$/.test(t.v) && kw('IN') && toks[p + 1]?.t === '(') {
        p += 2;
        const values: string[] = [];
        while (toks[p] && toks[p].t !== ')') {
          for (const v of toks[p].v.replace(/\u0000/g, '').split(',')) if (v.trim()) values.push(v.trim());
          p++;
        }
        if (toks[p]?.t !== ')') throw new SearchSyntaxError(`missing ) after IN in ${JSON.stringify(src)}`);
        p++;
        return cmp(t.v, '=', values);
      }
    }
    return { k: 'term', value: t.v.replace(/\u0000/g, '') };
  };
  const e = orExpr();
  if (p !== toks.length) throw new SearchSyntaxError(`unexpected ${JSON.stringify(toks[p].v)} in ${JSON.stringify(src)}`);
  return e;
}

function wildcard(v: string): RegExp {
  return new RegExp(`^${v.split('*').map((x) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s\\S]*')}$`, 'i');
}

/** Field values match case-insensitively, `*` as a wildcard; compiled once per search. */
function valueMatcher(values: string[]): (v: string) => boolean {
  const exact = new Set(values.filter((v) => !v.includes('*')).map((v) => v.toLowerCase()));
  // Lower-casing every candidate is the cost; a length check rules most of them out first.
  const lengths = new Set([...exact].map((v) => v.length));
  const wild = values.filter((v) => v.includes('*'));
  if (wild.length === 0) return (v) => lengths.has(v.length) && exact.has(v.toLowerCase());
  const re = new RegExp(wild.map((w) => wildcard(w).source).join('|'), 'i');
  return (v) => (lengths.has(v.length) && exact.has(v.toLowerCase())) || re.test(v);
}

function cmp(field: string, op: string, values: string[]): SearchNode {
  return { k: 'cmp', field, op, values, test: valueMatcher(values) };
}

export interface SearchTarget {
  get(field: string): string[] | undefined;
  raw: string;
}

export function matchSearch(n: SearchNode, ev: SearchTarget): boolean {
  switch (n.k) {
    case 'and':
      return n.xs.every((x) => matchSearch(x, ev));
    case 'or':
      return n.xs.some((x) => matchSearch(x, ev));
    case 'not':
      return !matchSearch(n.x, ev);
    case 'term': {
      const v = n.value.toLowerCase();
      if (!v.includes('*')) return ev.raw.toLowerCase().includes(v);
      return new RegExp(wildcard(`*${n.value}*`)).test(ev.raw);
    }
    case 'cmp': {
      const have = ev.get(n.field);
      if (!have || have.length === 0) return false;
      if (n.op === '=') return have.some(n.test);
      if (n.op === '!=') return !have.some(n.test);
      const want = Number(n.values[0]);
      return have.some((h) => {
        const x = Number(h);
        if (Number.isNaN(x) || Number.isNaN(want)) return false;
        return n.op === '<' ? x < want : n.op === '>' ? x > want : n.op === '<=' ? x <= want : x >= want;
      });
    }
  }
}

/**
 * Exact values a field must have for the search to match (from top-level AND terms of the form
 * `f=v` or `(f=v1 OR f=v2)` without wildcards), lower-cased: a cheap prefilter before matchSearch.
 */
export function requiredValues(n: SearchNode): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const valuesOf = (x: SearchNode): [string, string[]] | undefined => {
    if (x.k === 'cmp' && x.op === '=' && x.values.every((v) => !v.includes('*'))) return [x.field, x.values.map((v) => v.toLowerCase())];
    if (x.k === 'or') {
      const parts = x.xs.map(valuesOf);
      if (parts.every((p) => p && p[0] === parts[0]![0])) return [parts[0]![0], parts.flatMap((p) => p![1])];
    }
    return undefined;
  };
  for (const x of n.k === 'and' ? n.xs : [n]) {
    const v = valuesOf(x);
    if (v && !out.has(v[0])) out.set(v[0], new Set(v[1]));
  }
  return out;
}
