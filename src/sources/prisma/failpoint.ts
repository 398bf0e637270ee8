/**
 * Crash points for the reliability tests: when TA_ZEROTRUST_FAILPOINT names one of them
 * (`<name>` or `<name>:<n>` for the n-th time it is reached) the process kills itself with
 * SIGKILL right there, exactly as `kill -9` from outside would, but at a known step of the
 * dequeue → spool → emit → checkpoint → unspool sequence. Unset (always, in production) this
 * is one string comparison.
 */
export type FailpointName =
  /** The body is durable in the spool; none of its events were emitted. */
  | 'prisma-after-spool'
  /** The events were delivered and the checkpoint saved; the spool record still exists. */
  | 'prisma-before-unspool';

const hits = new Map<string, number>();

export function failpoint(name: FailpointName): void {
  const spec = process.env.TA_ZEROTRUST_FAILPOINT;
  if (!spec || !spec.startsWith(name)) return;
  const [target, nth] = spec.split(':');
  if (target !== name) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count >= (Number(nth) || 1)) process.kill(process.pid, 'SIGKILL');
}
