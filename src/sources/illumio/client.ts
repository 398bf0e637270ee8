/**
 * The PCE events API as the collector needs it: one page, or the asynchronous GET collection
 * (202 + Location → poll the job honouring Retry-After → stream the datafile). Statuses the HTTP
 * client hands back are turned into messages an admin can act on here, because only this file
 * knows what a 401 or a 403 means for a PCE API key.
 */
import { AuthError, ConfigError, ProtocolError, TransientError } from '../../core/errors';
import { abortableSleep, parseRetryAfter, pollWait } from '../../core/http/retry';
import { vendorText } from '../../core/log/redact';
import { settingsHome, type AccountInUse } from '../../core/account';
import type { HttpClient, HttpRequest, HttpResponse, SourceContext } from '../../core/types';
import { JsonArraySplitter } from './jsonarray';

export interface PceSettings {
  pceUrl: string;
  org: number;
  keyId: string;
  secret: string;
  stanza: string;
  /** The PCE connection the input names; its messages then send the admin there, not to the input. */
  account?: AccountInUse;
}

/** The settings every Illumio input shares, as parseConfig typed them (its own or its connection's). */
export function pceSettings(
  config: Readonly<Partial<Record<'pce_url' | 'org_id' | 'api_key_id' | 'api_secret', unknown>>>, ctx: Pick<SourceContext, 'stanza' | 'account'>,
): PceSettings {
  return {
    pceUrl: String(config.pce_url), org: Number(config.org_id), keyId: String(config.api_key_id), secret: String(config.api_secret), stanza: ctx.stanza,
    ...(ctx.account ? { account: ctx.account } : {}),
  };
}

/** Where the API key and org an AuthError speaks of are changed: the input, or its connection by name. */
export function keyHome(s: Pick<PceSettings, 'account'>): string {
  return settingsHome(s.account);
}

export interface EventQuery {
  gte: number;
  lte: number;
  eventType?: string;
  severity?: string;
}

/**
 * Receives each array element's text; `compact` when it has no whitespace outside strings;
 * `depth`, its nesting depth (1 for `{}`); `value`, the parsed element when the reader parsed
 * it already (a datafile's elements are parsed a chunk at a time), else undefined; `bytes`, the
 * element as received (its text is their UTF-8 decoding).
 */
export type ElementHandler = (text: string, compact: boolean, depth: number, value: unknown, bytes: Buffer, printable: boolean) => void;

/** The PCE cannot run (or refused to run) the async collection; the caller narrows the window. */
export class AsyncUnavailable extends Error {}

export interface PollOptions {
  /** Longest wait between polls whatever Retry-After says (ms). */
  maxPollIntervalMs?: number;
  /** Give up on a job after this long (ms). */
  maxJobMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function apiBase(pceUrl: string): string {
  // Admins paste the API URL too; both https://pce:8443 and https://pce:8443/api/v2 work.
  return pceUrl.replace(/\/+$/, '').replace(/\/api\/v2$/, '');
}

export class PceClient {
  private readonly base: string;
  private readonly auth: string;

  constructor(private readonly http: HttpClient, private readonly s: PceSettings) {
    this.base = `${apiBase(s.pceUrl)}/api/v2`;
    this.auth = `Basic ${Buffer.from(`${s.keyId}:${s.secret}`).toString('base64')}`;
  }

  get eventsBase(): string {
    return `${this.base}/orgs/${this.s.org}/events`;
  }

  get where(): string {
    return new URL(this.s.pceUrl).host;
  }

  eventsQuery(q: EventQuery, maxResults?: number): Record<string, string | number | undefined> {
    return {
      'timestamp[gte]': iso(q.gte),
      'timestamp[lte]': iso(q.lte),
      event_type: q.eventType,
      severity: q.severity,
      max_results: maxResults,
    };
  }

  async request(req: HttpRequest, what: string): Promise<HttpResponse> {
    const res = await this.http.request({
      ...req,
      headers: { accept: 'application/json', authorization: this.auth, ...(req.headers ?? {}) },
    });
    if (res.status >= 200 && res.status < 300) return res;
    const body = await res.text().catch(() => '');
    throw this.statusError(res.status, body, what);
  }

  statusError(status: number, body: string, what: string): Error {
    const pce = this.where;
    const message = pceMessage(body);
    // Redacted, clipped and quoted so the PCE's text can neither leak a secret nor forge fields.
    const hint = message === undefined ? undefined : vendorText(message, (t) => this.http.redact(t));
    if (status === 401) {
      return new AuthError(`${this.s.stanza}: the PCE ${pce} refused API key "${this.s.keyId}" (HTTP 401). Check api_key_id and api_secret (the key may be wrong, expired or deleted). Create a key under My Profile > API Keys and update ${keyHome(this.s)}.`);
    }
    if (status === 403) {
      // The events flow (page, async job, its datafile) speaks of events; the other inputs'
      // requests (health, object listings, traffic queries) of what they asked for.
      const events = /^(events|job|datafile)\b/.test(what);
      const thing = events ? 'events' : `the ${what.replace(/_/g, ' ')}`;
      return new AuthError(`${this.s.stanza}: API key "${this.s.keyId}" may not read ${thing} of org ${this.s.org} on the PCE ${pce} (HTTP 403). Check the org_id of ${keyHome(this.s)} (it is shown with the key) and give the key's user a role that can read ${events ? 'events, e.g. Global Read Only or Auditor' : 'them, e.g. Global Read Only'}.`);
    }
    if (status === 404) {
      return new ConfigError(`${this.s.stanza}: the PCE ${pce} has no ${what} (HTTP 404). Check pce_url (https://<pce-fqdn>:<port>) and org_id ${this.s.org}.`, 'pce_url');
    }
    if (status === 400 || status === 406 || status === 422) {
      return new ConfigError(`${this.s.stanza}: the PCE ${pce} rejected the ${what} request (HTTP ${status}${hint ? `: ${hint}` : ''}). Check the event_types and severity settings.`);
    }
    if (status === 429 || status >= 500) {
      return new TransientError(`${this.s.stanza}: the PCE ${pce} answered HTTP ${status} to the ${what} request${hint ? ` (${hint})` : ''}.`, status);
    }
    return new ProtocolError(`${this.s.stanza}: the PCE ${pce} answered HTTP ${status} to the ${what} request${hint ? ` (${hint})` : ''}.`);
  }

  /**
   * One page of events (at most maxResults; which ones is undocumented when more match),
   * streamed element by element so a 10 000-event page never sits in memory twice.
   */
  async page(q: EventQuery, maxResults: number, onElement: ElementHandler, signal?: AbortSignal): Promise<{ count: number; total?: number }> {
    const res = await this.request({ url: this.eventsBase, query: this.eventsQuery(q, maxResults), signal }, 'events');
    const total = Number(res.headers['x-total-count']);
    // More than max_results elements is already a full page; a page that never ends stops here.
    const count = await this.readArray(res, onElement, 'the events page', maxResults + 1);
    return { count, total: Number.isFinite(total) ? total : undefined };
  }

  /**
   * A request of the async flow: a 4xx other than 401/403 means this PCE cannot serve the job
   * (no async support, job or datafile gone), which the caller answers by narrowing the window.
   */
  private async asyncStep(req: HttpRequest, what: string): Promise<HttpResponse> {
    try {
      return await this.request(req, what);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof ProtocolError) throw new AsyncUnavailable(e.message);
      throw e;
    }
  }

  /** Starts an async collection of the query; returns the job href. */
  async startAsync(q: EventQuery, signal?: AbortSignal): Promise<{ job: string; retryAfterMs?: number }> {
    const res = await this.asyncStep({
      url: this.eventsBase,
      query: this.eventsQuery(q),
      headers: { prefer: 'respond-async' },
      signal,
    }, 'events (async)');
    const location = res.headers.location ?? res.headers['content-location'];
    await res.dump();
    if (res.status !== 202 || !location) {
      throw new AsyncUnavailable(`the PCE answered ${res.status} without a job location to Prefer: respond-async`);
    }
    return { job: location, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
  }

  /** Polls a job until it is done; returns the datafile href. */
  async waitForJob(job: string, firstWaitMs: number | undefined, o: PollOptions = {}): Promise<string> {
    const maxInterval = o.maxPollIntervalMs ?? 30_000;
    const deadline = Date.now() + (o.maxJobMs ?? 15 * 60_000);
    const sleep = o.sleep ?? abortableSleep;
    const pace = { firstMs: 1000, maxMs: maxInterval };
    let wait = Math.min(firstWaitMs ?? pace.firstMs, maxInterval);
    for (;;) {
      await sleep(wait, o.signal);
      const res = await this.asyncStep({ url: this.apiUrl(job), signal: o.signal }, 'job');
      const body = await res.json<{ status?: string; result?: { href?: string } }>();
      const status = String(body?.status ?? '');
      if (status === 'done') {
        const href = body.result?.href;
        if (!href) throw new AsyncUnavailable(`job ${job} is done but names no datafile`);
        return href;
      }
      if (status === 'failed' || status === 'cancelled' || status === 'cancel_requested') {
        throw new AsyncUnavailable(`job ${job} ended with status ${status}`);
      }
      if (Date.now() > deadline) throw new AsyncUnavailable(`job ${job} was still ${status || 'pending'} after ${Math.round((o.maxJobMs ?? 900_000) / 60_000)} min`);
      wait = pollWait(res.headers['retry-after'], wait, pace);
    }
  }

  /** Streams a datafile's array, calling `onElement` with each element. */
  async download(href: string, onElement: ElementHandler, signal?: AbortSignal): Promise<number> {
    const res = await this.asyncStep({ url: this.apiUrl(href), signal }, 'datafile');
    return this.readArray(res, onElement, `the datafile ${href}`, Infinity, true);
  }

  private async readArray(res: HttpResponse, onElement: ElementHandler, what: string, maxElements = Infinity, parse = false): Promise<number> {
    const splitter = new JsonArraySplitter({ parse });
    let taken = 0;
    try {
      await res.eachChunk((chunk) => {
        const els = splitter.push(chunk);
        for (let i = 0; i < els.length && taken < maxElements; i++, taken++) onElement(els[i], splitter.compact[i], splitter.depths[i], splitter.values[i], splitter.bytes[i], splitter.printable[i]);
        // Enough: nothing more of this answer is read.
        return taken < maxElements;
      });
      if (taken >= maxElements) return taken;
    } catch (e) {
      if (e instanceof ProtocolError || e instanceof TransientError) throw this.named(e, what);
      throw new TransientError(`${this.s.stanza}: ${what} from the PCE ${this.where} broke off after ${splitter.elements} events (${(e as Error).message}).`);
    }
    try {
      splitter.end();
    } catch (e) {
      throw this.named(e as ProtocolError, what);
    }
    return splitter.elements;
  }

  private named(e: ProtocolError | TransientError, what: string): Error {
    if (e.message.startsWith(this.s.stanza)) return e;
    const msg = `${this.s.stanza}: ${what} from the PCE ${this.where} is not usable: ${e.message}`;
    return e instanceof ProtocolError ? new ProtocolError(msg) : new TransientError(msg, e.status);
  }

  private apiUrl(href: string): string {
    // Job and datafile hrefs are relative to the API version (/orgs/1/jobs/…); full paths and
    // absolute links are resolved against pce_url, and the HTTP client refuses any link whose
    // scheme, host or port differ from it, so the Basic credential never leaves the PCE.
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return new URL(href, apiBase(this.s.pceUrl)).toString();
    return href.startsWith('/api/') ? `${apiBase(this.s.pceUrl)}${href}` : `${this.base}${href.startsWith('/') ? '' : '/'}${href}`;
  }
}

/** The PCE's error bodies are `[{"token": …, "message": …}]`; pick the message. */
function pceMessage(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as unknown;
    const first = (Array.isArray(j) ? j[0] : j) as { message?: unknown; token?: unknown; error?: unknown } | undefined;
    const m = first?.message ?? first?.error ?? first?.token;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}
