/**
 * Crash points for the reliability tests: when TA_ZEROTRUST_FAILPOINT names one of them the
 * process kills itself with SIGKILL right there, exactly as `kill -9` from outside would, but at
 * a known step of the dequeue → spool → emit → checkpoint → unspool sequence. Unset (always, in
 * production) this is one string comparison.
 */
export type FailpointName =
  /** The body is durable in the spool; none of its events were emitted. */
  | 'prisma-after-spool'
  /** The events were delivered and the checkpoint saved; the spool record still exists. */
  | 'prisma-before-unspool';

export function failpoint(name: FailpointName): void {
  if (process.env.TA_ZEROTRUST_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
