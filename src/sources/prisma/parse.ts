/**
 * Turns Prisma SaaS response bodies into events without ever dropping bytes. The service's own
 * documented examples are not valid JSON (missing and trailing commas) and its timestamps come
 * with or without milliseconds, sometimes with a trailing space; Palo Alto's add-on lost events it
 * had already dequeued when its parser choked. Here anything that cannot be parsed is indexed as
 * it came, marked, and counted.
 */
import { boundDepth, DEFAULT_MAX_DEPTH } from '../../core/bounds';
import { createHash } from 'node:crypto';

export interface ParsedEvent {
  /** Exact text to index: compact JSON for a parsed event, the raw bytes for an unparsed one. */
  text: string;
  /** Epoch seconds from `timestamp`; undefined when absent or unreadable. */
  time?: number;
  unparsed: boolean;
}

export interface ParsedBody {
  events: ParsedEvent[];
  /** Why (part of) the body could not be parsed, for the log; undefined when all of it parsed. */
  problem?: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * ISO 8601 as the service writes it (`2017-02-17T00:18:58.961Z`, `2017-01-06T19:04:06Z`,
 * `"2017-01-06T19:04:06Z "`); no zone means UTC. Epoch numbers (seconds or milliseconds) too.
 * Returns epoch seconds with the fraction kept to microseconds, or undefined.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // Milliseconds since 1970 pass 1e11 in 1973; seconds will not reach it for millennia.
    return value > 1e11 ? value / 1000 : value;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const whole = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(whole) || +mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 60) {
    return undefined;
  }
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (+z[2] * 60 + +z[3]);
  }
  const micros = frac ? Math.round(Number(`0.${frac}`) * 1e6) / 1e6 : 0;
  return (whole - offsetMin * 60_000) / 1000 + micros;
}

function eventOf(value: unknown, maxDepth = DEFAULT_MAX_DEPTH): ParsedEvent {
  // Re-encoding a record nested thousands deep overflows the stack and would fail every replay
  // of the spool; the deep part is cut (see max_depth) and the record indexed.
  const bounded = boundDepth(value, maxDepth);
  if (bounded.cut) value = bounded.value;
  const text = JSON.stringify(value);
  const ts = value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>).timestamp
    : undefined;
  return { text, time: parseTimestamp(ts), unparsed: false };
}

/** For unparsed text the timestamp is still worth having; read it the way a human would. */
const RAW_TIMESTAMP = /"timestamp"\s*:\s*"([^"]*)"/;

function rawEvent(text: string): ParsedEvent {
  const m = RAW_TIMESTAMP.exec(text);
  return { text, time: m ? parseTimestamp(m[1]) : undefined, unparsed: true };
}

/**
 * `single` bodies hold one event object; `bulk` bodies hold `{"events":[…]}`. Either shape is
 * accepted in either mode, since a proxy or a future API version may answer the other way.
 */
export function parseBody(raw: Buffer | string, maxDepth = DEFAULT_MAX_DEPTH): ParsedBody {
  // A byte-order mark is transport noise, not content; JSON.parse would reject the body for it.
  const text = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/^\uFEFF/, '');
  if (text.trim() === '') return { events: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return salvage(text, `not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(value)) return { events: value.map((v) => eventOf(v, maxDepth)) };
  if (value && typeof value === 'object') {
    const events = (value as Record<string, unknown>).events;
    if (Array.isArray(events)) return { events: events.map((v) => eventOf(v, maxDepth)) };
    if ('events' in value && events !== undefined) {
      return { events: [rawEvent(text)], problem: '"events" is not a list' };
    }
    if (!('log_type' in value) && Object.keys(value).length === 0) return { events: [] };
    return { events: [eventOf(value, maxDepth)] };
  }
  return { events: [rawEvent(text)], problem: 'the body is JSON but not an object' };
}

/**
 * A body that failed to parse as a whole: cut it into its top-level event objects (by brace
 * matching that respects strings) so one bad event does not take its 99 neighbours with it.
 * Each piece that parses becomes a normal event; the rest are indexed raw.
 */
function salvage(text: string, problem: string): ParsedBody {
  const pieces = splitObjects(text);
  if (!pieces || !onlyStructureLeft(text, pieces)) return { events: [rawEvent(text)], problem };
  const events = pieces.map((piece) => {
    try {
      return eventOf(JSON.parse(piece));
    } catch {
      return rawEvent(piece);
    }
  });
  return { events, problem };
}

/**
 * Finds the event objects of a body: the elements of the `"events"` array when there is one,
 * else the single top-level object. Returns undefined when the structure is not recognisable
 * (unbalanced braces, nothing object-like); the caller then keeps the body whole.
 */
export function splitObjects(text: string): string[] | undefined {
  const arr = /"events"\s*:\s*\[/.exec(text);
  const start = arr ? arr.index + arr[0].length : text.indexOf('{');
  if (start < 0) return undefined;
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let objStart = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0 && c === '{') objStart = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0 && c === '}' && objStart >= 0) {
        out.push(text.slice(objStart, i + 1));
        objStart = -1;
        if (!arr) break;
      } else if (depth < 0) {
        break; // the end of the events array
      }
    }
  }
  if (depth > 0 && objStart >= 0) {
    // A truncated last object still carries data worth keeping.
    out.push(text.slice(objStart));
  }
  return out.length ? out : undefined;
}

/** True when cutting out the pieces leaves only JSON punctuation: nothing would be lost. */
function onlyStructureLeft(text: string, pieces: string[]): boolean {
  let rest = text;
  for (const p of pieces) rest = rest.replace(p, '');
  return rest.replace(/"events"/g, '').replace(/[\s{}[\],:]/g, '') === '';
}

/** Identity of an event's text for the replay dedup set; 64 bits is plenty for ~1000 entries. */
export function eventHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
