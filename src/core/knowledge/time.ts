/**
 * Index-time timestamp recognition (TIME_PREFIX, MAX_TIMESTAMP_LOOKAHEAD, TIME_FORMAT, TZ) and the
 * strptime/strftime subset of Splunk's format variables
 * (../shared/splunk/10.2.3/spl/time-format-variables.md) that our confs use.
 */
import { compilePcre } from './regex';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAYS_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export const SUPPORTED_TIME_VARIABLES = ['%Y', '%y', '%m', '%d', '%e', '%H', '%k', '%I', '%p', '%M', '%S', '%N', '%3N', '%6N', '%9N', '%Q', '%f', '%b', '%B', '%a', '%A', '%j', '%s', '%z', '%:z', '%::z', '%Z', '%T', '%F', '%%'];

export class TimeFormatError extends Error {}

/** Checks a TIME_FORMAT against the supported variables; returns the unknown ones. */
export function unsupportedTimeVariables(format: string): string[] {
  const bad: string[] = [];
  for (const m of format.matchAll(/%(?:\d*[NQ]|:{1,2}z|.)/g)) {
    const v = m[0].replace(/^%\d+([NQ])$/, '%$1');
    if (!SUPPORTED_TIME_VARIABLES.includes(v)) bad.push(m[0]);
  }
  return bad;
}

/** Offset of a zone in minutes at a given UTC instant; UTC, fixed offsets and IANA names. */
export function zoneOffsetMinutes(tz: string, utcMs: number): number | undefined {
  if (/^(?:UTC|GMT|Z|Etc\/UTC|Etc\/GMT|Universal|Zulu)$/i.test(tz)) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/.exec(tz);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(utcMs));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
  } catch {
    return undefined;
  }
}

export interface ParsedTime {
  epochMs: number;
  /** Characters of the input consumed. */
  end: number;
}

/**
 * Parses `text` from its start with a strptime format; trailing text is ignored, as Splunk stops
 * once the format is used up. Without a zone in the text, `tz` applies.
 */
export function parseTime(text: string, format: string, tz: string): ParsedTime | undefined {
  let i = 0;
  let year = 1970;
  let month = 0;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let frac = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let epoch: number | undefined;
  let yday: number | undefined;
  const digits = (min: number, max: number): number | undefined => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(text.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return Number(m[0]);
  };
  const word = (list: string[], long: string[]): number | undefined => {
    const rest = text.slice(i).toLowerCase();
    for (let k = 0; k < long.length; k++) {
      if (rest.startsWith(long[k])) {
        i += long[k].length;
        return k;
      }
    }
    for (let k = 0; k < list.length; k++) {
      if (rest.startsWith(list[k])) {
        i += list[k].length;
        return k;
      }
    }
    return undefined;
  };
  const fmt = format.replace(/%T/g, '%H:%M:%S').replace(/%F/g, '%Y-%m-%d');
  for (let f = 0; f < fmt.length; f++) {
    const c = fmt[f];
    if (c !== '%') {
      if (c === ' ') {
        // A space in the format matches any run of whitespace, as strptime does.
        if (!/\s/.test(text[i] ?? '')) return undefined;
        while (/\s/.test(text[i] ?? '')) i++;
        continue;
      }
      if (text[i] !== c) return undefined;
      i++;
      continue;
    }
    let spec = fmt[++f];
    let width: number | undefined;
    while (/\d/.test(spec)) {
      width = (width ?? 0) * 10 + Number(spec);
      spec = fmt[++f];
    }
    if (spec === ':') {
      let colons = 1;
      while (fmt[f + colons] === ':') colons++;
      f += colons;
      spec = `${':'.repeat(colons)}${fmt[f]}`;
    }
    let v: number | undefined;
    switch (spec) {
      case 'Y':
        v = digits(4, 4);
        if (v === undefined) return undefined;
        year = v;
        break;
      case 'y':
        v = digits(2, 2);
        if (v === undefined) return undefined;
        year = v < 69 ? 2000 + v : 1900 + v;
        break;
      case 'm':
        v = digits(1, 2);
        if (v === undefined || v < 1 || v > 12) return undefined;
        month = v - 1;
        break;
      case 'd':
      case 'e':
        while (spec === 'e' && text[i] === ' ') i++;
        v = digits(1, 2);
        if (v === undefined || v < 1 || v > 31) return undefined;
        day = v;
        break;
      case 'j':
        v = digits(1, 3);
        if (v === undefined) return undefined;
        yday = v;
        break;
      case 'H':
      case 'k':
      case 'I':
        while (spec === 'k' && text[i] === ' ') i++;
        v = digits(1, 2);
        if (v === undefined || v > 23) return undefined;
        hour = v;
        break;
      case 'p': {
        const r = text.slice(i, i + 2).toUpperCase();
        if (r !== 'AM' && r !== 'PM') return undefined;
        pm = r === 'PM';
        i += 2;
        break;
      }
      case 'M':
        v = digits(1, 2);
        if (v === undefined || v > 59) return undefined;
        minute = v;
        break;
      case 'S':
        v = digits(1, 2);
        if (v === undefined || v > 60) return undefined;
        second = v;
        break;
      case 'N':
      case 'Q':
      case 'f': {
        const w = spec === 'f' ? 6 : (width ?? (spec === 'Q' ? 3 : 9));
        const m = new RegExp(`^\\d{1,${w}}`).exec(text.slice(i));
        if (!m) return undefined;
        i += m[0].length;
        frac = Number(`0.${m[0]}`);
        break;
      }
      case 'b':
      case 'B':
        v = word(MONTHS, MONTHS_LONG);
        if (v === undefined) return undefined;
        month = v;
        break;
      case 'a':
      case 'A':
        if (word(DAYS, DAYS_LONG) === undefined) return undefined;
        break;
      case 's': {
        const m = /^\d{1,10}(?:\.\d+)?/.exec(text.slice(i));
        if (!m) return undefined;
        i += m[0].length;
        epoch = Number(m[0]) * 1000;
        break;
      }
      case 'z':
      case ':z':
      case '::z':
      case 'Z': {
        const rest = text.slice(i);
        const m = /^([+-])(\d{2}):?(\d{2})/.exec(rest);
        if (m) {
          offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
          i += m[0].length;
        } else if (/^(?:Z|UTC|GMT)/.test(rest)) {
          offset = 0;
          i += rest[0] === 'Z' ? 1 : 3;
        } else if (spec === 'Z' && /^[A-Z]{3,4}\b/.test(rest)) {
          return undefined;
        } else return undefined;
        break;
      }
      case '%':
        if (text[i] !== '%') return undefined;
        i++;
        break;
      default:
        throw new TimeFormatError(`unsupported time format variable %${spec} in ${JSON.stringify(format)}`);
    }
  }
  if (epoch !== undefined) return { epochMs: epoch + Math.round(frac * 1000), end: i };
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  let local = Date.UTC(year, month, day, hour, minute, second);
  if (yday !== undefined) local = Date.UTC(year, 0, yday, hour, minute, second);
  const off = offset ?? zoneOffsetMinutes(tz, local) ?? 0;
  return { epochMs: local - off * 60000 + Math.round(frac * 1000), end: i };
}

/** strftime in UTC for the variables above. */
export function formatTime(epochMs: number, format: string): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return format.replace(/%(\d*)([A-Za-z%])/g, (all, w: string, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'e':
        return String(d.getUTCDate()).padStart(2, ' ');
      case 'H':
        return pad(d.getUTCHours());
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 'N':
      case 'Q':
        return pad(d.getUTCMilliseconds(), 3).padEnd(Number(w || (c === 'Q' ? 3 : 9)), '0').slice(0, Number(w || (c === 'Q' ? 3 : 9)));
      case 'b':
        return MONTHS[d.getUTCMonth()].replace(/^./, (x) => x.toUpperCase());
      case 'z':
        return '+0000';
      case 'Z':
        return 'UTC';
      case 's':
        return String(Math.floor(epochMs / 1000));
      case 'T':
        return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case 'F':
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

export interface TimestampSettings {
  TIME_PREFIX?: string;
  TIME_FORMAT?: string;
  MAX_TIMESTAMP_LOOKAHEAD?: string;
  TZ?: string;
}

/**
 * Automatic recognition (a subset of Splunk's datetime.xml): used when TIME_FORMAT is not set, and
 * as Splunk does, when the text after TIME_PREFIX does not fit TIME_FORMAT (a timestamp without
 * the fractional seconds or zone the format names).
 */
const AUTO_FORMATS = [
  '%Y-%m-%dT%H:%M:%S.%N%:z', '%Y-%m-%dT%H:%M:%S%:z', '%Y-%m-%dT%H:%M:%S.%N', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%N %z', '%Y-%m-%d %H:%M:%S',
  '%b %d %Y %H:%M:%S.%N %z', '%b %d %Y %H:%M:%S %z', '%b %d %Y %H:%M:%S.%N', '%b %d %Y %H:%M:%S',
];

/**
 * Extracts `_time` (epoch ms) from raw text as the index-time timestamp processor would.
 * `prefix` is TIME_PREFIX compiled once by the caller (the knowledge base's pipeline); without it
 * TIME_PREFIX is compiled here, so no table outlives the caller.
 */
export function extractTimestamp(raw: string, s: TimestampSettings, prefix: RegExp | undefined = s.TIME_PREFIX ? compilePcre(s.TIME_PREFIX).re : undefined): number | undefined {
  let start = 0;
  if (s.TIME_PREFIX) {
    const m = prefix!.exec(raw);
    if (!m) return undefined;
    start = m.index + m[0].length;
  }
  const look = s.MAX_TIMESTAMP_LOOKAHEAD ? Number(s.MAX_TIMESTAMP_LOOKAHEAD) : 128;
  const window = look > 0 ? raw.slice(start, start + look) : raw.slice(start);
  const tz = s.TZ || 'UTC';
  if (s.TIME_FORMAT) {
    const exact = parseTime(window, s.TIME_FORMAT, tz);
    if (exact) return exact.epochMs;
  }
  for (let off = 0; off < window.length; off++) {
    // Candidates: a run of digits, or a month name, starting at a word boundary.
    const c = window[off];
    const prev = off > 0 ? window[off - 1] : ' ';
    if (/[A-Za-z0-9]/.test(prev) || !/[0-9A-Z]/.test(c)) continue;
    for (const f of AUTO_FORMATS) {
      const r = parseTime(window.slice(off), f, tz);
      if (r) return r.epochMs;
    }
  }
  return undefined;
}

const REL_UNITS: Record<string, number> = { s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400, w: 604800, week: 604800, weeks: 604800, mon: -1, month: -1, months: -1, y: -12, yr: -12, year: -12, years: -12 };

function snap(ms: number, unit: string): number {
  const d = new Date(ms);
  const u = REL_UNITS[unit];
  if (u === undefined) return NaN;
  if (u === -12) return Date.UTC(d.getUTCFullYear(), 0, 1);
  if (u === -1) return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (u === 604800) return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - d.getUTCDay());
  return Math.floor(ms / (u * 1000)) * u * 1000;
}

/**
 * Splunk's time modifiers (`-24h@h`, `@d`, `now`, `+1d`, epoch seconds), in UTC, relative to
 * `nowMs`; undefined for text that is not one. `mon`/`y` move calendar months and years.
 */
export function relativeTime(spec: string, nowMs: number): number | undefined {
  const s = spec.trim();
  if (s === 'now' || s === '') return nowMs;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s) * 1000;
  const m = /^((?:[-+]\d*[a-z]+)*)(?:@([a-z]+))?$/.exec(s);
  if (!m) return undefined;
  let t = nowMs;
  for (const part of m[1].matchAll(/([-+])(\d*)([a-z]+)/g)) {
    const n = (part[1] === '-' ? -1 : 1) * Number(part[2] || '1');
    const u = REL_UNITS[part[3]];
    if (u === undefined) return undefined;
    if (u < 0) {
      const d = new Date(t);
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n * -u, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    } else t += n * u * 1000;
  }
  if (m[2]) t = snap(t, m[2]);
  return Number.isNaN(t) ? undefined : t;
}
