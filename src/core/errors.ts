/**
 * The few kinds of failure the runtime knows how to handle. Every message is written for a
 * Splunk admin: it names what is wrong and what to change. Sources throw these; the runtime
 * decides whether to stop, retry or go on.
 */
export type ErrorKind = 'config' | 'auth' | 'transient' | 'protocol';

export abstract class TaError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stanza is wrong: stop, tell the admin which setting to change. */
export class ConfigError extends TaError {
  readonly kind = 'config' as const;
  /** The argument the admin must fix, when one is to blame. */
  constructor(message: string, readonly field?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Credentials were refused: stop, name the credential (never its value). */
export class AuthError extends TaError {
  readonly kind = 'auth' as const;
}

/** Worth retrying (429, 5xx, reset, timeout). After the retries the run stops; a checkpoint, if the input keeps one, stays where it was. */
export class TransientError extends TaError {
  readonly kind = 'transient' as const;
  /** The server's Retry-After, when it sent one, for callers that retry themselves. */
  retryAfterMs?: number;
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The vendor sent something unexpected: keep the raw text or log it, count it, go on. */
export class ProtocolError extends TaError {
  readonly kind = 'protocol' as const;
}

export function isTaError(e: unknown): e is TaError {
  return e instanceof TaError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
