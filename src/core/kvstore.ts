/**
 * The app's KV store collections over splunkd's REST API (storage/collections), for inputs that
 * keep data for lookups rather than events. The input gets splunkd's URI and session key from
 * its stdin; KV store runs on search heads and indexers, usually not on forwarders, so every
 * failure says which instance was asked and what to check.
 */
import { AuthError, ConfigError, TransientError } from './errors';
import { splunkdHttpClient } from './http';
import type { HttpClient, KvStore } from './types';

/** splunkd's limits.conf [kvstore] max_documents_per_batch_save default (src/facts/defaults.json). */
export const KV_BATCH_MAX = 1000;

export interface KvStoreOptions {
  serverUri: string;
  sessionKey: string;
  app: string;
  /** For tests; defaults to a client that trusts splunkd's management port. */
  http?: HttpClient;
}

async function splunkdText(res: { text(): Promise<string> }): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const m = (JSON.parse(text) as { messages?: { text?: string }[] }).messages?.map((x) => x.text).filter(Boolean).join('; ');
    if (m) return m.slice(0, 200);
  } catch {
    // Not JSON: the raw excerpt below.
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

export function splunkdKvStore(opts: KvStoreOptions): KvStore {
  const http = opts.http ?? splunkdHttpClient(opts.serverUri, opts.sessionKey);
  const ns = `/servicesNS/nobody/${encodeURIComponent(opts.app)}/storage/collections`;
  const headers = { Authorization: `Splunk ${opts.sessionKey}`, 'Content-Type': 'application/json' };
  const where = (c: string) => `KV store collection ${c} of app ${opts.app} on splunkd ${opts.serverUri}`;

  const fail = async (res: { status: number; text(): Promise<string> }, action: string, c: string): Promise<Error> => {
    const msg = await splunkdText(res);
    if (res.status === 401 || res.status === 403) {
      return new AuthError(`splunkd refused to ${action} the ${where(c)} (${res.status}: ${msg}). The input's session key lacks KV store access.`);
    }
    if (res.status === 404) {
      return new ConfigError(`The ${where(c)} does not exist (404: ${msg}). The add-on's default/collections.conf declares it: install the add-on on this instance, and run this input where the KV store runs (a search head), not on a forwarder.`);
    }
    // 503 and the like: KV store disabled, starting or failed (server.conf [kvstore]).
    return unavailable(action, c, `splunkd answered ${res.status} (${msg})`, res.status);
  };
  const unavailable = (action: string, c: string, what: string, status?: number, cause?: unknown) => new TransientError(
    `Cannot ${action} the ${where(c)}: ${what}. The KV store may be disabled, starting or failed on this instance: check Settings > Server settings > KV store, or server.conf [kvstore] disabled; run this input on a search head with a working KV store.`,
    status, cause === undefined ? undefined : { cause },
  );
  /** The HTTP client gives up on 5xx and refused connections itself; those are said in the KV store's words too. */
  const call = async (req: Parameters<HttpClient['request']>[0], action: string, c: string) => {
    try {
      return await http.request(req);
    } catch (e) {
      if (e instanceof TransientError) throw unavailable(action, c, e.message.replace(/\.$/, ''), e.status, e);
      throw e;
    }
  };

  return {
    where,
    async check(collection) {
      const res = await call({ url: `${ns}/config/${encodeURIComponent(collection)}`, query: { output_mode: 'json' }, headers }, 'find', collection);
      if (res.status !== 200) throw await fail(res, 'find', collection);
      await res.dump();
    },
    async batchSave(collection, records) {
      for (let i = 0; i < records.length; i += KV_BATCH_MAX) {
        const res = await call({
          method: 'POST', url: `${ns}/data/${encodeURIComponent(collection)}/batch_save`, query: { output_mode: 'json' }, headers,
          body: JSON.stringify(records.slice(i, i + KV_BATCH_MAX)),
        }, 'write to', collection);
        if (res.status !== 200 && res.status !== 201) throw await fail(res, 'write to', collection);
        await res.dump();
      }
    },
    async deleteWhere(collection, query) {
      const res = await call({
        method: 'DELETE', url: `${ns}/data/${encodeURIComponent(collection)}`, query: { output_mode: 'json', query: JSON.stringify(query) }, headers,
      }, 'delete from', collection);
      if (res.status !== 200) throw await fail(res, 'delete from', collection);
      await res.dump();
    },
  };
}
