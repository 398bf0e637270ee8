/// <reference lib="dom" />
/**
 * splunkd REST as a Splunk Web page reaches it: through Splunk Web's proxy
 * `<root>/<locale>/splunkd/__raw/servicesNS/…` with the user's session cookie, and the
 * `X-Splunk-Form-Key` header (the `splunkweb_csrf_token_<port>` cookie) that Splunk Web demands
 * on every request that changes something. Every failure becomes a SplunkError whose message
 * says what was being done, what went wrong and what to do.
 */

export type FailureKind = 'network' | 'session' | 'permission' | 'unavailable' | 'refused' | 'invalid';

export class SplunkError extends Error {
  constructor(message: string, readonly kind: FailureKind, readonly status?: number, readonly field?: string,
    /** splunkd's own words, when it gave any. */
    readonly said?: string) {
    super(message);
    this.name = 'SplunkError';
  }
}

export interface Entry {
  name: string;
  acl?: { app?: string };
  content: Record<string, unknown>;
}

export interface WebContext {
  /** Everything before /app/ in the page URL: root endpoint and locale, e.g. /en-US. */
  root: string;
  formKey: string | undefined;
}

export function webContext(pathname: string, port: string, cookie: string): WebContext {
  const m = /^(.*?)\/app\/[^/]+(?:\/|$)/.exec(pathname);
  const cookies = new Map(cookie.split(';').map((c) => c.trim()).filter(Boolean).map((c) => {
    const i = c.indexOf('=');
    return [c.slice(0, i), decodeURIComponent(c.slice(i + 1))] as [string, string];
  }));
  // The cookie carries the Splunk Web port; behind a proxy on 443 the page's own port is empty.
  const named = cookies.get(`splunkweb_csrf_token_${port}`);
  const any = [...cookies].find(([k]) => k.startsWith('splunkweb_csrf_token_'))?.[1];
  const config = (globalThis as { $C?: { FORM_KEY?: string } }).$C;
  return { root: m ? m[1] : '/en-US', formKey: named ?? any ?? config?.FORM_KEY };
}

export type Params = Record<string, string>;

export interface RequestOptions {
  /** Resolve undefined on 404 instead of failing (an object that may not exist). */
  missingOk?: boolean;
}

export class SplunkRest {
  constructor(private readonly ctx: WebContext, private readonly fetchImpl: typeof fetch = (...a) => fetch(...a)) {}

  async get(path: string, what: string, opts: RequestOptions = {}): Promise<Entry[] | undefined> {
    return this.call('GET', path, undefined, what, opts);
  }

  async post(path: string, params: Params, what: string, opts: RequestOptions = {}): Promise<Entry[] | undefined> {
    return this.call('POST', path, params, what, opts);
  }

  async remove(path: string, what: string): Promise<void> {
    await this.call('DELETE', path, undefined, what, { missingOk: true });
  }

  private async call(method: string, path: string, params: Params | undefined, what: string, opts: RequestOptions): Promise<Entry[] | undefined> {
    const query = new URLSearchParams({ output_mode: 'json' });
    if (method === 'GET') query.set('count', '0');
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest' };
    if (this.ctx.formKey) headers['X-Splunk-Form-Key'] = this.ctx.formKey;
    if (params) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.ctx.root}/splunkd/__raw${path}?${query}`, {
        method, headers, credentials: 'same-origin', ...(params ? { body: new URLSearchParams(params).toString() } : {}),
      });
    } catch (e) {
      throw new SplunkError(`${what}: Splunk Web did not answer (${(e as Error).message}). Check that Splunk is running, then reload this page.`, 'network');
    }
    const text = await res.text();
    let doc: { entry?: Entry[]; messages?: { text?: string }[] } | undefined;
    try {
      doc = text ? JSON.parse(text) : {};
    } catch {
      doc = undefined;
    }
    if (res.ok) return doc?.entry ?? [];
    // splunkd's 404 is JSON with messages; Splunk Web's own (no [expose:] stanza for this path
    // and method) is an HTML page, and must never read as "this object does not exist".
    if (res.status === 404 && !doc?.messages) {
      throw new SplunkError(`${what}: Splunk Web does not pass ${method} ${path} on to splunkd (404: no web.conf [expose:] stanza allows it). ` +
        'Check that the add-on is installed completely (its default/web.conf exposes what this page calls) and restart Splunk Web.', 'unavailable', 404);
    }
    if (res.status === 404 && opts.missingOk) return undefined;
    // splunkd prefixes a modular input's validation message; the message itself names the stanza.
    const said = (doc?.messages ?? []).map((m) => m.text).filter(Boolean).join('; ').replace(/^Argument validation for scheme=[^:\s]+:\s*/, '');
    throw classify(res.status, said, what);
  }
}

function classify(status: number, said: string, what: string): SplunkError {
  const quote = said ? ` splunkd says: ${said}` : '';
  if (status === 401) {
    return new SplunkError(`${what}: your Splunk session has ended (401).${quote} Log in to Splunk again and reload this page.`, 'session', status);
  }
  if (status === 403) {
    return new SplunkError(`${what}: permission denied (403).${quote} This page needs a role with the admin_all_objects capability ` +
      '(and list_storage_passwords to use stored secrets); ask a Splunk administrator.', 'permission', status);
  }
  // Splunk Web's proxy answers 5xx without splunkd's JSON when splunkd itself does not answer.
  if (status === 502 || status === 503 || status === 504 || (status >= 500 && !said)) {
    return new SplunkError(`${what}: splunkd is not reachable through Splunk Web (HTTP ${status}). ` +
      'Check that splunkd is running (splunk status) and try again in a moment.', 'unavailable', status);
  }
  return new SplunkError(`${what}: ${said || `splunkd answered HTTP ${status}`}`, 'refused', status, undefined, said || undefined);
}
