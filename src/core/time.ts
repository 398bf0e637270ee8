/**
 * Start dates as admins type them: ISO 8601 (`2026-01-31`, `2026-01-31T10:00:00Z`) or relative
 * (`-7d`, `-12h`, `-30m`, `-90s`, `-2w`). Returns epoch milliseconds, or undefined when unparsable.
 */
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export function parseStartDate(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  const rel = /^-(\d{1,6})([smhdw])$/.exec(t);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]];
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return undefined;
  // A date or time without a zone is taken as UTC, so every forwarder reads it the same way.
  const iso = /([Zz]|[+-]\d{2}:?\d{2})$/.test(t) || t.length === 10 ? t : `${t}Z`;
  const ms = Date.parse(iso.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

export function startDateCheck(value: unknown): string | undefined {
  return parseStartDate(String(value), Date.now()) === undefined
    ? `must be an ISO 8601 date (2026-01-31 or 2026-01-31T10:00:00Z) or a relative time like -7d, -12h, -30m; got "${String(value).slice(0, 60)}".`
    : undefined;
}
