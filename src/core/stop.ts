/** How an input process answers splunkd's stop requests (SIGTERM, or SIGINT from a terminal). */

/**
 * First stop request: finish the batch in hand and close the stream. A second one means splunkd
 * (or an admin) will not wait. Returns the function that removes the handlers.
 */
export function listenForStop(ctrl: AbortController): () => void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    ctrl.abort(new Error(`stopped by ${sig}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
