/**
 * Values of the eval language and Splunk's coercions between them, shared by the expression
 * evaluator (eval.ts) and the function table (functions.ts): a multivalue field reads as its
 * first value where one value is needed; numbers print with at most 15 significant digits.
 */
export type EvalValue = null | string | number | boolean | string[];
export type FieldGetter = (name: string) => string[] | undefined;

/** What one event costs at search time, counted as Splunk pays it. */
export interface SearchCost {
  /** JSON documents parsed: KV_MODE=json once, every spath()/json_valid() call again. */
  jsonParses: number;
  /** Regex executions: TIME_PREFIX, EXTRACT, REPORT (each match attempt), eval match/replace/mvfind per value. */
  regexEvaluations: number;
  /** REPORT/EXTRACT regexes PCRE2 gave up on (MATCH_LIMIT/DEPTH_LIMIT): Splunk extracts nothing from them. */
  regexLimitHits: number;
  /** Values an automatic lookup sent to the KV store (Splunk queries it whether or not the collection holds data). */
  kvLookups: number;
}

export function newCost(): SearchCost {
  return { jsonParses: 0, regexEvaluations: 0, regexLimitHits: 0, kvLookups: 0 };
}

export interface EvalContext {
  get: FieldGetter;
  cost?: SearchCost;
  /** The search's start time in epoch seconds (now(), relative_time); the clock when unset. */
  now?: number;
}

export const first = (v: EvalValue): string | number | boolean | null => (Array.isArray(v) ? (v[0] ?? null) : v);

export const str = (v: EvalValue): string | null => {
  const f = first(v);
  if (f === null) return null;
  if (typeof f === 'number') return numText(f);
  if (typeof f === 'boolean') return f ? 'True' : 'False';
  return f;
};

export const num = (v: EvalValue): number | null => {
  const f = first(v);
  if (f === null || typeof f === 'boolean') return null;
  if (typeof f === 'number') return f;
  const t = f.trim();
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) && !/^0x[0-9a-f]+$/i.test(t)) return null;
  return Number(t);
};

export const truthy = (v: EvalValue): boolean => first(v) === true;

/** Every value as text (a single value is a list of one; null is none). */
export const values = (v: EvalValue): string[] => (v === null ? [] : Array.isArray(v) ? v : [str(v)!]);

/** A list of values as one eval value: none is null, one is that value. */
export const mv = (xs: string[]): EvalValue => (xs.length === 0 ? null : xs.length === 1 ? xs[0] : xs);

export function numText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

/** Renders an eval result as field values (Splunk stores booleans of calculated fields as text). */
export function toFieldValues(v: EvalValue): string[] | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v;
  return [str(v)!];
}
