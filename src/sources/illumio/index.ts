/**
 * The illumio_pce_events input: PCE events API (version 2) → one Splunk event per PCE event.
 */
import { ConfigError, ProtocolError } from '../../core/errors';
import type { ConfigOf } from '../../core/description';
import { VALIDATE_TIMEOUT_MS } from '../../core/http/options';
import type { Batch, Source, SourceContext } from '../../core/types';
import { PceClient, pceSettings } from './client';
import { ILLUMIO_EVENTS_CHECKPOINT, type IllumioCheckpoint } from './checkpoint';
import { Collector } from './collector';
import { illumioDescription } from './description';

/** What parseConfig gives this input: typed by the description, so the collector needs no cast. */
export type IllumioEventsConfig = ConfigOf<typeof illumioDescription>;

export async function validateIllumio(c: IllumioEventsConfig, ctx: SourceContext): Promise<void> {
  const client = new PceClient(ctx.http, pceSettings(c, ctx));
  const res = await client.request({
    url: client.eventsBase,
    query: { max_results: 1 },
    timeoutMs: VALIDATE_TIMEOUT_MS,
    bodyTimeoutMs: VALIDATE_TIMEOUT_MS,
    retry: false,
    signal: ctx.signal,
  }, 'events');
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    if (e instanceof ProtocolError) {
      throw new ConfigError(`${ctx.stanza}: ${client.where} answered, but not like a PCE (${e.message}). Check that pce_url points to the PCE, not a proxy login page or another service.`, 'pce_url');
    }
    throw e;
  }
  if (!Array.isArray(body)) {
    throw new ConfigError(`${ctx.stanza}: ${client.where} answered the events request with something other than a JSON array. Check that pce_url points to the PCE.`, 'pce_url');
  }
}

export { healthSource, objectsSource, trafficSource } from './inputs';

export const source: Source<IllumioEventsConfig, IllumioCheckpoint> = {
  description: illumioDescription,
  checkpoint: ILLUMIO_EVENTS_CHECKPOINT,
  validate: validateIllumio,
  collect(config: IllumioEventsConfig, ctx: SourceContext): AsyncIterable<Batch<IllumioCheckpoint>> {
    return new Collector(config, ctx).run();
  },
};
