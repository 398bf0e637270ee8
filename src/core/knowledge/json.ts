/**
 * JSON as Splunk's search time sees it: numbers keep their written form (`3.0` stays `3.0`),
 * `null` becomes the text `null`, empty objects/arrays yield no field, and names follow
 * KV_MODE=json / spath: `a.b`, `a{}` for array elements, `a{}.b` inside arrays of objects.
 */
export type JsonNode =
  | { t: 'o'; v: [string, JsonNode][]; end: number }
  | { t: 'a'; v: JsonNode[]; end: number }
  | { t: 's'; v: string; end: number }
  | { t: 'n'; v: string; end: number }
  | { t: 'b'; v: boolean; end: number }
  | { t: 'z'; end: number };

class JsonSyntax extends Error {}

const WS = /[ \t\n\r]*/y;
const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STR_PLAIN = /[^"\\\u0000-\u001f]*/y;

/** Parses one JSON value starting at `start` (after whitespace); throws on bad syntax. */
export function parseJsonAt(text: string, start = 0): JsonNode {
  let i = start;
  const ws = () => {
    WS.lastIndex = i;
    WS.exec(text);
    i = WS.lastIndex;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      STR_PLAIN.lastIndex = i;
      const m = STR_PLAIN.exec(text)!;
      out += m[0];
      i = STR_PLAIN.lastIndex;
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== '\\') throw new JsonSyntax(`bad string at ${i}`);
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const h = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) throw new JsonSyntax(`bad \\u at ${i}`);
          out += String.fromCharCode(parseInt(h, 16));
          i += 4;
          break;
        }
        default:
          throw new JsonSyntax(`bad escape at ${i}`);
      }
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > 200) throw new JsonSyntax('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const v: [string, JsonNode][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'o', v, end: i };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new JsonSyntax(`expected key at ${i}`);
        const k = str();
        ws();
        if (text[i] !== ':') throw new JsonSyntax(`expected : at ${i}`);
        i++;
        v.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'o', v, end: i };
        }
        throw new JsonSyntax(`expected , or } at ${i}`);
      }
    }
    if (c === '[') {
      i++;
      const v: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'a', v, end: i };
      }
      for (;;) {
        v.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'a', v, end: i };
        }
        throw new JsonSyntax(`expected , or ] at ${i}`);
      }
    }
    if (c === '"') {
      const v = str();
      return { t: 's', v, end: i };
    }
    if (text.startsWith('true', i)) return { t: 'b', v: true, end: (i += 4) };
    if (text.startsWith('false', i)) return { t: 'b', v: false, end: (i += 5) };
    if (text.startsWith('null', i)) return { t: 'z', end: (i += 4) };
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (m) {
      i = NUM.lastIndex;
      return { t: 'n', v: m[0], end: i };
    }
    throw new JsonSyntax(`unexpected ${JSON.stringify(c ?? 'end')} at ${i}`);
  };
  return value(0);
}

/** The whole text as one JSON value (surrounding whitespace allowed), or undefined. */
export function parseJson(text: string): JsonNode | undefined {
  try {
    const node = parseJsonAt(text, 0);
    if (!/^\s*$/.test(text.slice(node.end))) return undefined;
    return node;
  } catch {
    return undefined;
  }
}

/** Scalar text of a node as Splunk shows it; objects and arrays render as compact JSON. */
export function nodeText(n: JsonNode): string {
  switch (n.t) {
    case 's':
      return n.v;
    case 'n':
      return n.v;
    case 'b':
      return n.v ? 'true' : 'false';
    case 'z':
      return 'null';
    default:
      return renderJson(n);
  }
}

export function renderJson(n: JsonNode): string {
  switch (n.t) {
    case 'o':
      return `{${n.v.map(([k, v]) => `${JSON.stringify(k)}:${renderJson(v)}`).join(',')}}`;
    case 'a':
      return `[${n.v.map(renderJson).join(',')}]`;
    case 's':
      return JSON.stringify(n.v);
    default:
      return nodeText(n);
  }
}

export interface FlattenLimits {
  /** limits.conf [spath] extraction_cutoff: only values ending within this many characters. */
  cutoff: number;
  /** limits.conf [kv] limit: at most this many distinct field names. */
  maxFields: number;
}

export const SPLUNK_KV_LIMITS: FlattenLimits = { cutoff: 5000, maxFields: 100 };

/** KV_MODE=json extraction: name → values in document order. */
export function flattenJson(root: JsonNode, add: (name: string, value: string) => boolean, limits: FlattenLimits): void {
  const walk = (n: JsonNode, name: string): boolean => {
    if (n.t === 'o') {
      for (const [k, v] of n.v) if (!walk(v, name ? `${name}.${k}` : k)) return false;
      return true;
    }
    if (n.t === 'a') {
      for (const v of n.v) if (!walk(v, `${name}{}`)) return false;
      return true;
    }
    if (n.end > limits.cutoff) return false;
    return add(name, nodeText(n));
  };
  if (root.t === 'o') walk(root, '');
}

/**
 * spath(<value>, <path>): `a.b`, `a{}.b` (all elements), `a{2}.b` (1-based, as spath counts).
 * Returns the matching values; objects/arrays come back as JSON text.
 */
export function spathNodes(root: JsonNode, path: string): JsonNode[] {
  const steps: { key?: string; index?: number | 'all' }[] = [];
  const re = /([^.{}]+)|\{(\d*)\}|\./g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: m[2] === '' ? 'all' : Number(m[2]) });
  }
  let cur: JsonNode[] = [root];
  for (const s of steps) {
    const next: JsonNode[] = [];
    for (const n of cur) {
      if (s.key !== undefined) {
        if (n.t === 'o') for (const [k, v] of n.v) if (k === s.key) next.push(v);
        // spath walks into arrays implicitly when a key follows an array.
        if (n.t === 'a') for (const e of n.v) if (e.t === 'o') for (const [k, v] of e.v) if (k === s.key) next.push(v);
      } else if (n.t === 'a') {
        if (s.index === 'all') next.push(...n.v);
        else if (typeof s.index === 'number' && n.v[s.index - 1]) next.push(n.v[s.index - 1]);
      }
    }
    cur = next;
  }
  return cur;
}
