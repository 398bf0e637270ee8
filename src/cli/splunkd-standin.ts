/**
 * A loopback stand-in for splunkd's management port, for tests of everything that talks to
 * splunkd (secrets, masking, KV store checkpoints, the configuration page, the demo).
 *
 * It implements just the endpoints this add-on uses, the way splunkd answers them
 * (`output_mode=json` envelopes with entry/acl/content, Atom XML when no output_mode is given,
 * `{"messages":[{type,text}]}` errors), over an in-memory model:
 *
 *   storage/passwords                  GET list, POST create (name, realm, password; 409 if it exists)
 *   storage/passwords/<realm:user:>    GET, POST (password), DELETE
 *   configs/conf-<file>                GET list, POST create (name=<stanza>, key=value…)
 *   configs/conf-<file>/<stanza>       GET, POST (key=value…), DELETE
 *   data/inputs/<scheme>[/<name>]      GET, POST, DELETE: the `[<scheme>://<name>]` stanzas of inputs.conf;
 *                                      a create lacking an argument the scheme marks required_on_create, or
 *                                      an edit lacking one marked required_on_edit, is refused (400
 *                                      "Missing argument: <arg>"), the scheme being what `<scheme> --scheme`
 *                                      prints (`schemes`); then, with `validate`, a create or edit is checked
 *                                      the way splunkd runs `<scheme> --validate-arguments` (400 with its
 *                                      message if refused)
 *   data/inputs/<scheme>/<name>/enable|disable   POST: disabled = 0|1 (no validation)
 *   storage/collections/config/<c>     GET (404 unless the collection was declared)
 *   storage/collections/data/<c>[/<k>] GET, POST (insert / update by key, JSON), DELETE (all, or ?query=
 *                                      with field equality and $ne)
 *   storage/collections/data/<c>/batch_save  POST (JSON array, upsert by _key, limits.conf max_documents_per_batch_save)
 *
 * under `/services/…` (app `system`) and `/servicesNS/<owner>/<app>/…` (`-` for "any" on reads).
 * Every request must carry `Authorization: Splunk <sessionKey>`, else 401. `sessionKey` is
 * splunkd's own (what it hands an input: every capability). Keys made by `addUser(user, roles)`
 * (capabilities from Splunk's shipped authorize.conf roles, src/facts) or `addSession(user,
 * capabilities)` are checked as splunkd checks them:
 *   - capabilities (authorize.conf.spec): storage/passwords GET needs list_storage_passwords or
 *     edit_storage_passwords, its POST and DELETE edit_storage_passwords; a write to
 *     data/inputs/<scheme> (create, edit, enable, disable, delete) and any other write
 *     admin_all_objects; 403 "requires capability: …" otherwise;
 *   - object ACLs from the app's metadata (`meta`, the text of metadata/default.meta): a
 *     credential of the app follows its [passwords] stanza, a conf stanza its [<file>] stanza,
 *     else []; an object the user may not read is not listed (404 when named), one the user may
 *     not write answers 403. admin_all_objects bypasses ACLs, not capabilities.
 *
 * Usage:
 *   const splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: ['ta_zerotrust_events_checkpoints'] });
 *   splunkd.setConf('inputs', 'example_events://prod', { api_secret: 'clear' });
 *   … run the code under test against splunkd.url with splunkd.sessionKey …
 *   expect(splunkd.getPassword('example_events://prod', 'api_secret')).toBe('clear');
 *   expect(splunkd.conf('inputs', 'example_events://prod')?.api_secret).toBe('********');
 *   expect(splunkd.responses.some((r) => r.body.includes('clear'))).toBe(…);
 *   await splunkd.close();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { SaxesParser } from 'saxes';
import { APP_ID } from '../core/app';
import { formatConf, parseConf, toMap, type ConfMap } from '../core/conf/parse';
import { schemeXml } from '../core/protocol';
import { descriptionsOf } from '../core/source-module';
import { effectiveCapabilities, shippedDefault, splunkRoles } from '../facts';
import { SOURCE_MODULES } from '../sources';

export interface StoredPassword {
  app: string;
  realm: string;
  username: string;
  password: string;
}

export interface SplunkdRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form fields (urlencoded bodies) or the raw body text (JSON). */
  form: Record<string, string>;
  body: string;
  status: number;
}

export interface SplunkdStandIn {
  url: string;
  port: number;
  sessionKey: string;
  /** The default app of setConf/setPassword. */
  app: string;
  /** Every request, in order, with the status it got. */
  requests: SplunkdRequest[];
  /** Every response body sent, for "the secret never left" assertions. */
  responses: { method: string; path: string; status: number; body: string }[];
  passwords(): StoredPassword[];
  getPassword(realm: string, username: string, app?: string): string | undefined;
  setPassword(realm: string, username: string, password: string, app?: string): void;
  /** A stanza's key/values (merged over all apps when app is omitted), or undefined. */
  conf(file: string, stanza: string, app?: string): Record<string, string> | undefined;
  setConf(file: string, stanza: string, values: Record<string, string>, app?: string): void;
  /** The stanza names of a conf file (over all apps when app is omitted), sorted. */
  stanzas(file: string, app?: string): string[];
  /** A KV store collection's records by _key (declared on first use). */
  kv(collection: string): Map<string, Record<string, unknown>>;
  declareCollection(name: string, app?: string): void;
  /** Answer the next `count` requests whose path matches with this status (fault injection). */
  failNext(pathPattern: RegExp, status: number, count?: number): void;
  /** A session key of a user holding only these capabilities (and these roles, for ACLs). */
  addSession(user: string, capabilities: string[], roles?: string[]): string;
  /** A session key of a user with these Splunk roles: capabilities as Splunk's authorize.conf grants them. */
  addUser(user: string, roles: string[]): string;
  close(): Promise<void>;
}

/**
 * splunkd's external validation of a modular input: given the scheme, the item name (without
 * `scheme://`) and every param of the stanza as it would be saved, resolve undefined when valid or
 * the script's message. The stand-in answers 400 with `Argument validation for scheme=<scheme>:
 * <message>` and saves nothing.
 */
export type InputValidator = (scheme: string, name: string, params: Record<string, string>) => Promise<string | undefined>;

export interface SplunkdOptions {
  sessionKey?: string;
  app?: string;
  /** Serve HTTPS with this certificate (see ./tls). */
  tls?: { cert: string; key: string };
  collections?: string[];
  validate?: InputValidator;
  /** Text of the app's metadata/default.meta: the ACLs of its objects. */
  meta?: string;
  /**
   * The scheme XML of each modular input splunkd knows, by scheme, as `bin/<scheme>.sh --scheme`
   * prints it (splunkd introspects it the same way); default: the add-on's own schemes. Data
   * inputs of a scheme not listed here are held to no required argument.
   */
  schemes?: Readonly<Record<string, string>>;
  /**
   * The app's folder on disk: the default app's stanzas of these conf files are written to
   * `<appDir>/local/<file>.conf` after each change, as splunkd writes a configs/conf-* edit, so
   * code that reads the app's confs from disk sees what the REST calls did.
   */
  mirror?: { appDir: string; files: readonly string[] };
}

/** Capabilities of Splunk's shipped roles, imported roles included (authorize.conf, src/facts). */
export function roleCapabilities(roles: readonly string[]): Set<string> {
  const caps = new Set<string>();
  for (const r of roles) {
    if (!splunkRoles()[r]) throw new Error(`Splunk ships no role "${r}" (authorize.conf); known: ${Object.keys(splunkRoles()).sort().join(', ')}`);
    for (const c of effectiveCapabilities(r)) caps.add(c);
  }
  return caps;
}

interface Acl { read: string[]; write: string[] }

/** `access = read : [ a, b ], write : [ c ]` of default.meta. */
function parseAccess(v: string | undefined): Partial<Acl> {
  const out: Partial<Acl> = {};
  for (const m of (v ?? '').matchAll(/(read|write)\s*:\s*\[([^\]]*)\]/g)) {
    out[m[1] as 'read' | 'write'] = m[2].split(',').map((x) => x.trim()).filter(Boolean);
  }
  return out;
}

/** The arguments a scheme requires on create and on edit, in scheme order. */
export interface SchemeRequirements { onCreate: string[]; onEdit: string[] }

/** `<required_on_create>`/`<required_on_edit>` of each `<arg>` of a `--scheme` document, read as splunkd reads it. */
export function schemeRequirements(xml: string): SchemeRequirements {
  const out: SchemeRequirements = { onCreate: [], onEdit: [] };
  const parser = new SaxesParser();
  const path: string[] = [];
  let arg: string | undefined;
  let text = '';
  parser.on('opentag', (t) => {
    path.push(t.name);
    if (t.name === 'arg' && path.join('/') === 'scheme/endpoint/args/arg') arg = String(t.attributes.name ?? '');
    text = '';
  });
  parser.on('text', (t) => { text += t; });
  parser.on('closetag', (t) => {
    path.pop();
    const yes = /^\s*(true|1)\s*$/i.test(text);
    if (arg !== undefined && t.name === 'required_on_create' && yes) out.onCreate.push(arg);
    if (arg !== undefined && t.name === 'required_on_edit' && yes) out.onEdit.push(arg);
    if (t.name === 'arg') arg = undefined;
  });
  parser.write(xml).close();
  return out;
}

/** The add-on's schemes as its launchers print them with `--scheme`. */
function addonSchemes(): Record<string, string> {
  return Object.fromEntries(descriptionsOf(SOURCE_MODULES).map((d) => [d.scheme, schemeXml(d)]));
}

type Conf = Map<string, Map<string, Map<string, Map<string, string>>>>; // app → file → stanza → key → value

const GENERATOR = { build: 'standin', version: '10.2.3' };

function escXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** splunkd's entity name of a credential: `realm:username:` with `:` in either escaped as `\:`. */
export function passwordEntityName(realm: string, username: string): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `${realm ? esc(realm) : ''}:${esc(username)}:`;
}

export async function startSplunkd(opts: SplunkdOptions = {}): Promise<SplunkdStandIn> {
  const sessionKey = opts.sessionKey ?? randomBytes(24).toString('hex');
  const defaultApp = opts.app ?? APP_ID;
  const passwords: StoredPassword[] = [];
  const conf: Conf = new Map();
  const kvData = new Map<string, Map<string, Record<string, unknown>>>();
  const requests: SplunkdRequest[] = [];
  const responses: SplunkdStandIn['responses'] = [];
  const faults: { re: RegExp; status: number; left: number }[] = [];
  const limited = new Map<string, { user: string; capabilities: Set<string>; roles: Set<string> }>();
  const meta: ConfMap | undefined = opts.meta === undefined ? undefined : toMap(parseConf(opts.meta, 'metadata/default.meta'));
  /** The ACL of an object of `app` of this type (default.meta: [<type>], then []); Splunk's own: read *, write admin. */
  const aclOf = (app: string, type: string): Acl => {
    const fallback = { read: ['*'], write: ['admin', 'sc_admin'] };
    if (!meta || app !== defaultApp) return fallback;
    const global = parseAccess(meta.get('')?.get('access'));
    const own = parseAccess(meta.get(type)?.get('access'));
    return { read: own.read ?? global.read ?? fallback.read, write: own.write ?? global.write ?? fallback.write };
  };
  const allows = (who: { roles: Set<string>; capabilities: Set<string> } | undefined, roles: string[]) =>
    !who || who.capabilities.has('admin_all_objects') || roles.includes('*') || roles.some((r) => who.roles.has(r));
  for (const c of opts.collections ?? []) kvData.set(c, new Map());
  const requirements = new Map(Object.entries(opts.schemes ?? addonSchemes()).map(([s, xml]) => [s, schemeRequirements(xml)]));
  /** The first argument the scheme requires on this write that `form` lacks (absent or empty). */
  const missing = (scheme: string, on: keyof SchemeRequirements, form: Record<string, string>) =>
    requirements.get(scheme)?.[on].find((a) => (form[a] ?? '').trim() === '');

  const confFile = (app: string, file: string, create: boolean) => {
    let byFile = conf.get(app);
    if (!byFile && create) conf.set(app, (byFile = new Map()));
    let stanzas = byFile?.get(file);
    if (!stanzas && create && byFile) byFile.set(file, (stanzas = new Map()));
    return stanzas;
  };
  const mirrorConf = (app: string, file: string) => {
    if (!opts.mirror || app !== defaultApp || !opts.mirror.files.includes(file)) return;
    const dir = path.join(opts.mirror.appDir, 'local');
    fs.mkdirSync(dir, { recursive: true });
    // Whole or not at all, as splunkd replaces a conf file: an input reading it while another
    // input's masking rewrites it must never see it truncated (it found no connection stanza).
    const target = path.join(dir, `${file}.conf`);
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, formatConf([...(confFile(app, file, false) ?? [])].map(([name, v]) => ({ name, entries: [...v] }))));
    fs.renameSync(tmp, target);
  };
  const findStanza = (app: string, file: string, stanza: string): { app: string; values: Map<string, string> } | undefined => {
    const apps = app === '-' ? [...conf.keys()].sort() : [app];
    for (const a of apps) {
      const v = confFile(a, file, false)?.get(stanza);
      if (v) return { app: a, values: v };
    }
    return undefined;
  };

  let baseUrl = '';
  const server = (opts.tls ? https.createServer(opts.tls) : http.createServer()) as http.Server;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void (async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://standin');
      const query = Object.fromEntries(u.searchParams);
      const isForm = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') || (!!body && !body.trimStart().startsWith('{') && !body.trimStart().startsWith('['));
      const form = isForm ? Object.fromEntries(new URLSearchParams(body)) : {};
      const method = req.method ?? 'GET';
      const record: SplunkdRequest = { method, path: u.pathname, query, form, body, status: 0 };
      requests.push(record);
      const send = (status: number, payload: unknown, contentType = 'application/json') => {
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        record.status = status;
        responses.push({ method, path: u.pathname, status, body: text });
        res.writeHead(status, { 'content-type': contentType });
        res.end(text);
      };
      const error = (status: number, text: string) => send(status, { messages: [{ type: status === 401 ? 'WARN' : 'ERROR', text }] });

      const auth = req.headers.authorization ?? '';
      const user = auth.startsWith('Splunk ') ? limited.get(auth.slice('Splunk '.length)) : undefined;
      if (auth !== `Splunk ${sessionKey}` && !user) return error(401, 'call not properly authenticated');
      const fault = faults.find((f) => f.left > 0 && f.re.test(u.pathname));
      if (fault) {
        fault.left--;
        return error(fault.status, `injected fault ${fault.status}`);
      }

      // Path: /services/<rest> or /servicesNS/<owner>/<app>/<rest>; segments decoded one by one.
      const segs = u.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
      let app = 'system';
      let owner = 'nobody';
      let rest: string[];
      if (segs[0] === 'services') rest = segs.slice(1);
      else if (segs[0] === 'servicesNS' && segs.length >= 3) {
        owner = segs[1];
        app = segs[2];
        rest = segs.slice(3);
      } else return error(404, `Not Found: ${u.pathname}`);
      if (user) {
        const secrets = rest[0] === 'storage' && rest[1] === 'passwords';
        const needed = secrets ? (method === 'GET' ? ['list_storage_passwords', 'edit_storage_passwords'] : ['edit_storage_passwords'])
          : rest[0] === 'configs' && method !== 'GET' ? [] // the stanza's ACL decides, below
            : method !== 'GET' ? ['admin_all_objects'] : [];
        if (needed.length && !needed.some((c) => user.capabilities.has(c))) {
          return error(403, `You (user=${user.user}) do not have permission to perform this operation (requires capability: ${needed.join(' or ')}).`);
        }
      }
      const denyWrite = (what: string, acl: Acl) => error(403,
        `You (user=${user!.user}) do not have permission to modify ${what} (its ACL allows write to: ${acl.write.join(', ')}).`);
      const writeApp = app === '-' ? defaultApp : app;
      const prefix = segs[0] === 'services' ? '/services' : `/servicesNS/${encodeURIComponent(owner)}/${encodeURIComponent(app)}`;
      const atom = query.output_mode === undefined;

      const entry = (name: string, path: string, entryApp: string, content: Record<string, unknown>, acl: Acl = aclOf(entryApp, '')) => {
        const id = `${baseUrl}/servicesNS/nobody/${encodeURIComponent(entryApp)}/${path}/${encodeURIComponent(name)}`;
        const rel = `/servicesNS/nobody/${encodeURIComponent(entryApp)}/${path}/${encodeURIComponent(name)}`;
        return {
          name, id, updated: new Date().toISOString(),
          links: { alternate: rel, list: rel, edit: rel, remove: rel },
          author: 'nobody',
          acl: {
            app: entryApp, can_change_perms: true, can_list: true, can_share_app: true, can_share_global: true,
            can_share_user: false, can_write: true, modifiable: true, owner: 'nobody',
            perms: { read: acl.read, write: acl.write }, removable: true, sharing: entryApp === 'system' ? 'system' : 'app',
          },
          content,
        };
      };
      const feed = (path: string, entries: ReturnType<typeof entry>[]) => {
        if (!atom) {
          return send(200, {
            links: { create: `${prefix}/${path}/_new` }, origin: `${baseUrl}${prefix}/${path}`, updated: new Date().toISOString(),
            generator: GENERATOR, entry: entries, paging: { total: entries.length, perPage: 30, offset: 0 }, messages: [],
          });
        }
        const xmlEntries = entries.map((e) => `<entry><title>${escXml(e.name)}</title><id>${escXml(e.id)}</id><updated>${e.updated}</updated>` +
          `<link href="${escXml(e.links.alternate)}" rel="alternate"/><author><name>nobody</name></author><content type="text/xml"><s:dict>` +
          Object.entries(e.content).map(([k, v]) => `<s:key name="${escXml(k)}">${escXml(v === null || v === undefined ? '' : String(v))}</s:key>`).join('') +
          `<s:key name="eai:acl"><s:dict><s:key name="app">${escXml(e.acl.app)}</s:key><s:key name="owner">nobody</s:key><s:key name="sharing">${e.acl.sharing}</s:key></s:dict></s:key>` +
          '</s:dict></content></entry>').join('');
        return send(200, `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">` +
          `<title>${escXml(path)}</title><id>${escXml(`${baseUrl}${prefix}/${path}`)}</id><updated>${new Date().toISOString()}</updated>` +
          `<generator build="${GENERATOR.build}" version="${GENERATOR.version}"/><opensearch:totalResults>${entries.length}</opensearch:totalResults>${xmlEntries}</feed>`, 'text/xml; charset=utf-8');
      };

      // ---- storage/passwords ----
      if (rest[0] === 'storage' && rest[1] === 'passwords') {
        const visible = passwords.filter((p) => (app === '-' || app === 'system' || p.app === app) && allows(user, aclOf(p.app, 'passwords').read));
        // splunkd (since 8.0) masks clear_password in the answer to a POST; GET and DELETE (which
        // answers with the remaining collection) carry it in clear.
        const pwEntry = (p: StoredPassword) => entry(passwordEntityName(p.realm, p.username), 'storage/passwords', p.app, {
          clear_password: method === 'POST' ? '********' : p.password, encr_password: `$7$${Buffer.from(p.password).toString('base64')}`, password: '********',
          realm: p.realm, username: p.username, 'eai:acl': null,
        }, aclOf(p.app, 'passwords'));
        if (rest.length === 2) {
          if (method === 'GET') return feed('storage/passwords', visible.map(pwEntry));
          if (method === 'POST') {
            if (!form.name) return error(400, 'Missing argument: name');
            if (form.password === undefined) return error(400, 'Missing argument: password');
            const realm = form.realm ?? '';
            if (!allows(user, aclOf(writeApp, 'passwords').write)) return denyWrite('storage/passwords', aclOf(writeApp, 'passwords'));
            if (passwords.some((p) => p.app === writeApp && p.realm === realm && p.username === form.name)) {
              return error(409, `An object with name=${passwordEntityName(realm, form.name)} already exists`);
            }
            const p = { app: writeApp, realm, username: form.name, password: form.password };
            passwords.push(p);
            return feed('storage/passwords', [pwEntry(p)]);
          }
          return error(405, 'Method not allowed');
        }
        const name = rest.slice(2).join('/');
        const found = visible.find((p) => passwordEntityName(p.realm, p.username) === name);
        if (!found) return error(404, `Could not find object id=${name}`);
        if (method === 'GET') return feed('storage/passwords', [pwEntry(found)]);
        if (!allows(user, aclOf(found.app, 'passwords').write)) return denyWrite(name, aclOf(found.app, 'passwords'));
        if (method === 'POST') {
          if (form.password === undefined) return error(400, 'Missing argument: password');
          found.password = form.password;
          return feed('storage/passwords', [pwEntry(found)]);
        }
        if (method === 'DELETE') {
          passwords.splice(passwords.indexOf(found), 1);
          return feed('storage/passwords', visible.filter((p) => p !== found).map(pwEntry));
        }
        return error(405, 'Method not allowed');
      }

      // ---- configs/conf-<file> and data/inputs/<scheme> ----
      const action = rest[0] === 'data' && rest[1] === 'inputs' && rest.length > 4 && /^(enable|disable)$/.test(rest[rest.length - 1])
        ? rest[rest.length - 1] : undefined;
      const confTarget = (): { file: string; path: string; scheme?: string; stanza?: string; toStanza: (n: string) => string; fromStanza: (s: string) => string | undefined } | undefined => {
        if (rest[0] === 'configs' && rest[1]?.startsWith('conf-')) {
          const file = rest[1].slice(5);
          return { file, path: `configs/conf-${file}`, stanza: rest.length > 2 ? rest.slice(2).join('/') : undefined, toStanza: (n) => n, fromStanza: (s) => s };
        }
        if (rest[0] === 'data' && rest[1] === 'inputs' && rest[2]) {
          const scheme = rest[2];
          const nameSegs = action ? rest.slice(3, -1) : rest.slice(3);
          return {
            file: 'inputs', path: `data/inputs/${scheme}`, scheme, stanza: nameSegs.length ? `${scheme}://${nameSegs.join('/')}` : undefined,
            toStanza: (n) => `${scheme}://${n}`,
            fromStanza: (s) => (s.startsWith(`${scheme}://`) ? s.slice(scheme.length + 3) : undefined),
          };
        }
        return undefined;
      };
      const target = confTarget();
      if (target) {
        const confEntry = (stanza: string, entryApp: string, values: Map<string, string>) =>
          entry(target.fromStanza(stanza) ?? stanza, target.path, entryApp, { ...Object.fromEntries(values), 'eai:appName': entryApp, 'eai:userName': 'nobody' }, aclOf(entryApp, target.file));
        if (target.stanza === undefined) {
          if (method === 'GET') {
            const entries: ReturnType<typeof entry>[] = [];
            const seen = new Set<string>();
            const apps = app === '-' || app === 'system' ? [...conf.keys()].sort() : [app];
            for (const a of apps) {
              for (const [stanza, values] of confFile(a, target.file, false) ?? []) {
                if (seen.has(stanza) || target.fromStanza(stanza) === undefined || !allows(user, aclOf(a, target.file).read)) continue;
                seen.add(stanza);
                entries.push(confEntry(stanza, a, values));
              }
            }
            return feed(target.path, entries);
          }
          if (method === 'POST') {
            if (!form.name) return error(400, 'Missing argument: name');
            const stanza = target.toStanza(form.name);
            if (!allows(user, aclOf(writeApp, target.file).write)) return denyWrite(`${target.file}.conf of ${writeApp}`, aclOf(writeApp, target.file));
            const stanzas = confFile(writeApp, target.file, true)!;
            if (stanzas.has(stanza)) return error(409, `An object with name=${form.name} already exists`);
            const lacks = target.scheme ? missing(target.scheme, 'onCreate', form) : undefined;
            if (lacks !== undefined) return error(400, `Missing argument: ${lacks}`);
            const values = new Map(Object.entries(form).filter(([k]) => k !== 'name' && k !== 'output_mode'));
            if (target.scheme && opts.validate) {
              const refused = await opts.validate(target.scheme, form.name, Object.fromEntries(values));
              if (refused !== undefined) return error(400, `Argument validation for scheme=${target.scheme}: ${refused}`);
              if (stanzas.has(stanza)) return error(409, `An object with name=${form.name} already exists`);
            }
            stanzas.set(stanza, values);
            mirrorConf(writeApp, target.file);
            return feed(target.path, [confEntry(stanza, writeApp, values)]);
          }
          return error(405, 'Method not allowed');
        }
        const found = findStanza(app === 'system' ? '-' : app, target.file, target.stanza);
        if (!found || !allows(user, aclOf(found.app, target.file).read)) return error(404, `Could not find object id=${target.fromStanza(target.stanza) ?? target.stanza}`);
        if (method === 'GET') return feed(target.path, [confEntry(target.stanza, found.app, found.values)]);
        if (!allows(user, aclOf(found.app, target.file).write)) return denyWrite(`[${target.stanza}] of ${target.file}.conf`, aclOf(found.app, target.file));
        if (action) {
          if (method !== 'POST') return error(405, 'Method not allowed');
          const stanzas = confFile(writeApp, target.file, true)!;
          let values = stanzas.get(target.stanza);
          if (!values) stanzas.set(target.stanza, (values = new Map(found.values)));
          values.set('disabled', action === 'disable' ? '1' : '0');
          return feed(target.path, [confEntry(target.stanza, writeApp, values)]);
        }
        const lacks = method === 'POST' && target.scheme ? missing(target.scheme, 'onEdit', form) : undefined;
        if (lacks !== undefined) return error(400, `Missing argument: ${lacks}`);
        if (method === 'POST' && target.scheme && opts.validate) {
          const edited = Object.entries(form).filter(([k]) => k !== 'output_mode');
          const refused = await opts.validate(target.scheme, target.fromStanza(target.stanza)!, { ...Object.fromEntries(found.values), ...Object.fromEntries(edited) });
          if (refused !== undefined) return error(400, `Argument validation for scheme=${target.scheme}: ${refused}`);
        }
        if (method === 'POST') {
          // Writes land in the namespace's app, as splunkd writes to that app's local/<file>.conf.
          const stanzas = confFile(writeApp, target.file, true)!;
          let values = stanzas.get(target.stanza);
          if (!values) stanzas.set(target.stanza, (values = new Map(found.values)));
          for (const [k, v] of Object.entries(form)) if (k !== 'output_mode') values.set(k, v);
          mirrorConf(writeApp, target.file);
          return feed(target.path, [confEntry(target.stanza, writeApp, values)]);
        }
        if (method === 'DELETE') {
          confFile(found.app, target.file, false)?.delete(target.stanza);
          mirrorConf(found.app, target.file);
          return feed(target.path, []);
        }
        return error(405, 'Method not allowed');
      }

      // ---- KV store ----
      if (rest[0] === 'storage' && rest[1] === 'collections') {
        const coll = rest[3];
        if (rest[2] === 'config' && coll) {
          if (!kvData.has(coll)) return error(404, `Could not find object id=${coll}`);
          return feed('storage/collections/config', [entry(coll, 'storage/collections/config', writeApp, { disabled: false })]);
        }
        if (rest[2] === 'data' && coll) {
          const records = kvData.get(coll);
          if (!records) return error(404, `Collection: ${coll} does not exist`);
          const key = rest[4];
          if (key === 'batch_save' && method === 'POST') {
            // Upsert by _key, as splunkd does; more documents than limits.conf allows is refused whole.
            const max = Number(shippedDefault('limits.conf', 'kvstore', 'max_documents_per_batch_save') ?? 1000);
            let docs: unknown;
            try {
              docs = JSON.parse(body);
            } catch {
              return error(400, 'Request body is not valid JSON');
            }
            if (!Array.isArray(docs) || docs.some((d) => !d || typeof d !== 'object' || Array.isArray(d))) return error(400, 'Request body must be a JSON array of objects');
            if (docs.length > max) return error(400, `Batch save size ${docs.length} exceeds the limit ${max} (limits.conf [kvstore] max_documents_per_batch_save)`);
            const keys = (docs as Record<string, unknown>[]).map((d) => {
              const k = typeof d._key === 'string' ? d._key : randomUUID().replace(/-/g, '');
              records.set(k, { ...d, _key: k, _user: 'nobody' });
              return k;
            });
            return send(200, keys);
          }
          let doc: Record<string, unknown> | undefined;
          if (method === 'POST') {
            try {
              doc = JSON.parse(body) as Record<string, unknown>;
            } catch {
              return error(400, 'Request body is not valid JSON');
            }
            if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return error(400, 'Request body must be a JSON object');
          }
          if (key === undefined) {
            if (method === 'GET') return send(200, [...records.values()]);
            if (method === 'POST') {
              const k = typeof doc!._key === 'string' ? doc!._key : randomUUID().replace(/-/g, '');
              if (records.has(k)) return error(409, `A document with the same key (${k}) already exists`);
              records.set(k, { ...doc, _key: k, _user: 'nobody' });
              return send(201, { _key: k });
            }
            if (method === 'DELETE') {
              if (query.query === undefined) records.clear();
              else {
                let q: unknown;
                try {
                  q = JSON.parse(query.query);
                } catch {
                  return error(400, 'query is not valid JSON');
                }
                const match = kvMatcher(q);
                if (!match) return error(400, 'Unsupported query: this stand-in knows field equality and $ne');
                for (const [k, r] of records) if (match(r)) records.delete(k);
              }
              return send(200, '');
            }
            return error(405, 'Method not allowed');
          }
          const existing = records.get(key);
          if (method === 'GET') return existing ? send(200, existing) : error(404, 'Could not find object.');
          if (method === 'POST') {
            if (!existing) return error(404, 'Could not find object.');
            records.set(key, { ...doc, _key: key, _user: 'nobody' });
            return send(200, { _key: key });
          }
          if (method === 'DELETE') {
            if (!existing) return error(404, 'Could not find object.');
            records.delete(key);
            return send(200, '');
          }
          return error(405, 'Method not allowed');
        }
      }
      return error(404, `Not Found: ${u.pathname}`);
    })());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    sessionKey,
    app: defaultApp,
    requests,
    responses,
    passwords: () => passwords.map((p) => ({ ...p })),
    getPassword: (realm, username, app) =>
      passwords.find((p) => p.realm === realm && p.username === username && (app === undefined || p.app === app))?.password,
    setPassword(realm, username, password, app = defaultApp) {
      const p = passwords.find((x) => x.app === app && x.realm === realm && x.username === username);
      if (p) p.password = password;
      else passwords.push({ app, realm, username, password });
    },
    conf(file, stanza, app) {
      if (app !== undefined) {
        const v = confFile(app, file, false)?.get(stanza);
        return v ? Object.fromEntries(v) : undefined;
      }
      let merged: Record<string, string> | undefined;
      for (const a of [...conf.keys()].sort().reverse()) {
        const v = confFile(a, file, false)?.get(stanza);
        if (v) merged = { ...(merged ?? {}), ...Object.fromEntries(v) };
      }
      return merged;
    },
    stanzas(file, app) {
      const apps = app !== undefined ? [app] : [...conf.keys()];
      return [...new Set(apps.flatMap((a) => [...(confFile(a, file, false)?.keys() ?? [])]))].sort();
    },
    setConf(file, stanza, values, app = defaultApp) {
      const stanzas = confFile(app, file, true)!;
      stanzas.set(stanza, new Map([...(stanzas.get(stanza) ?? new Map<string, string>()), ...Object.entries(values)]));
      mirrorConf(app, file);
    },
    kv(collection) {
      let m = kvData.get(collection);
      if (!m) kvData.set(collection, (m = new Map()));
      return m;
    },
    declareCollection(name) {
      if (!kvData.has(name)) kvData.set(name, new Map());
    },
    failNext(pathPattern, status, count = 1) {
      faults.push({ re: pathPattern, status, left: count });
    },
    addSession(userName, capabilities, roles = []) {
      const key = randomBytes(24).toString('hex');
      limited.set(key, { user: userName, capabilities: new Set(capabilities), roles: new Set(roles) });
      return key;
    },
    addUser(userName, roles) {
      const key = randomBytes(24).toString('hex');
      limited.set(key, { user: userName, capabilities: roleCapabilities(roles), roles: new Set(roles) });
      return key;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * The subset of KV store queries the add-on sends: {"field": value} and {"field": {"$ne": value}},
 * all conditions ANDed. Anything else is refused rather than guessed at.
 */
function kvMatcher(q: unknown): ((r: Record<string, unknown>) => boolean) | undefined {
  if (!q || typeof q !== 'object' || Array.isArray(q)) return undefined;
  const tests: ((r: Record<string, unknown>) => boolean)[] = [];
  for (const [field, cond] of Object.entries(q as Record<string, unknown>)) {
    if (field.startsWith('$')) return undefined;
    if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
      const ops = Object.entries(cond as Record<string, unknown>);
      if (ops.length !== 1 || ops[0][0] !== '$ne') return undefined;
      tests.push((r) => r[field] !== ops[0][1]);
    } else tests.push((r) => r[field] === cond);
  }
  return (r) => tests.every((t) => t(r));
}
