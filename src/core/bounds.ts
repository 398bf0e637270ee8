/**
 * Bounds on what a vendor can make us hold: nesting depth of one record, and deadlines. Every
 * bound is a setting; its messages name it. Iterative on purpose: a recursive walk of a record
 * nested 5 000 deep is exactly the stack overflow these exist to prevent.
 */
export const DEFAULT_MAX_DEPTH = 100;

/** Depth of the JSON text (1 for `{}`), scanning at most until `limit` is passed. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export interface Bounded<T> {
  value: T;
  /** Containers below maxDepth were replaced by `marker`. */
  cut: boolean;
}

/**
 * A copy of `value` with every container deeper than `maxDepth` replaced by a marker string,
 * so the record can still be serialised, redacted and indexed. Values within the bound are
 * returned as they are (no copy).
 */
export function boundDepth<T>(value: T, maxDepth: number, setting = 'max_depth'): Bounded<T> {
  if (!exceeds(value, maxDepth)) return { value, cut: false };
  const marker = `[nested deeper than ${maxDepth} levels (${setting}); removed]`;
  type Frame = { src: unknown; dst: Record<string, unknown> | unknown[]; depth: number };
  const rootDst: unknown = Array.isArray(value) ? [] : {};
  const stack: Frame[] = [{ src: value, dst: rootDst as Frame['dst'], depth: 1 }];
  while (stack.length) {
    const { src, dst, depth } = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(src) ? src.map((v, i) => [i, v]) : Object.entries(src as object);
    for (const [k, v] of entries) {
      let out: unknown = v;
      if (v && typeof v === 'object') {
        if (depth >= maxDepth) out = marker;
        else {
          out = Array.isArray(v) ? [] : {};
          stack.push({ src: v, dst: out as Frame['dst'], depth: depth + 1 });
        }
      }
      (dst as Record<string | number, unknown>)[k] = out;
    }
  }
  return { value: rootDst as T, cut: true };
}

function exceeds(value: unknown, maxDepth: number): boolean {
  if (!value || typeof value !== 'object') return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > maxDepth) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v as object)) {
      if (c && typeof c === 'object') stack.push([c, d + 1]);
    }
  }
  return false;
}

/**
 * A signal that aborts with `reason` at `atMs` (epoch ms) or when `parent` aborts, whichever
 * comes first; `clear` stops the timer. The run deadline (max_runtime) reaches reads in flight
 * through this, not only the checks between requests.
 */
export function deadlineSignal(parent: AbortSignal | undefined, atMs: number, reason: () => unknown): { signal: AbortSignal; clear: () => void } {
  const ctrl = new AbortController();
  const onParent = () => ctrl.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(() => ctrl.abort(reason()), Math.max(0, atMs - Date.now()));
  timer.unref?.();
  return {
    signal: ctrl.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
