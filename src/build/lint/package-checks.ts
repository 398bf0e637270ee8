/**
 * Part (b) of the lint: the vetting rules of reference/splunk-platform.md §4, run on the built
 * tarball (what an admin installs and AppInspect reads), not on the checkout.
 */
import { parseConf, toMap } from '../../core/conf/parse';
import { nodeBinaryProblems } from '../node-runtime';
import { pngSize } from '../png';
import { compileExpose, exposedBy, exposeRulesOf } from './expose';
import { parseSpec } from './spec';
import type { LintProblem } from './spec';
import type { TarEntry } from './tarball';

export interface JsFinding {
  file: string;
  line: number;
  rule: string;
  excerpt: string;
  /** Where the match starts inside `excerpt`. */
  at: number;
}

/**
 * A finding of the .js scan that is accepted, matched by rule, bundled file, a literal snippet
 * that must cover the offending code and, optionally, a literal that must stand near it, never
 * by rule alone, so a new occurrence elsewhere still fails.
 */
export interface JsException {
  rule: string;
  file: RegExp;
  snippet: string;
  near?: string;
  reason: string;
}

const BUNDLE = /^bin\/lib\/[^/]+\.js$/;

/**
 * Reviewed findings in the bundles, from dependencies unless said otherwise. Each occurrence was
 * read in the unminified source; none sends data over plain HTTP, hashes secrets, runs text from
 * outside, or logs untrusted input.
 */
export const JS_EXCEPTIONS: readonly JsException[] = [
  {
    rule: 'insecure http', file: BUNDLE, snippet: '.startsWith("http://")', near: '.startsWith("https://")',
    reason: 'undici validates that a request path is absolute or a URL; a scheme test, no connection',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: '="http://"+', near: '.proxy.indexOf("@")',
    reason: 'needle (splunk-sdk) defaults a scheme-less proxy to http://, the protocol of HTTP proxies; TLS runs inside CONNECT',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: '"http://"));', near: '.replace(/^(\\/\\/)?/,',
    reason: 'needle (splunk-sdk) adds http:// only to a URL without a scheme; splunkd server_uri always carries https://',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: 'homepage:"http://dev.splunk.com"',
    reason: 'splunk-sdk package.json metadata bundled as data; never fetched',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: 'url:"http://dev.splunk.com"',
    reason: 'splunk-sdk package.json metadata (author URL); never fetched',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: 'url:"http://github.com/splunk/splunk-sdk-javascript.git"',
    reason: 'splunk-sdk package.json metadata (repository); never fetched',
  },
  {
    rule: 'tls verification off', file: BUNDLE, snippet: 'strictSSL:!1,rejectUnauthorized:!1', near: 'followAllRedirects',
    reason: 'splunk-sdk node transport, used only by src/core/secrets for the server_uri splunkd hands the input (its management port with its self-signed certificate, as Splunk\'s own SDKs do); vendor APIs go through our verifying client',
  },
  {
    rule: 'insecure http', file: BUNDLE, snippet: '`http://${', near: 'proxyUrl',
    reason: 'our proxy setting: a proxy given as host:port is addressed with http:// as HTTP proxies are; the vendor TLS session runs inside CONNECT',
  },
];

const JS_RULES: { rule: string; re: RegExp }[] = [
  { rule: 'eval', re: /(?<![\w$.])eval\s*\(/ },
  { rule: 'new Function', re: /\bnew\s+Function\s*\(/ },
  // http:// to anything but loopback or XML namespace / spec identifiers that are never fetched.
  { rule: 'insecure http', re: /["'`]http:\/\/(?!(?:localhost|127\.0\.0\.1|\[::1\])[:/"'`])[^"'`\s]*/ },
  { rule: 'weak hash', re: /createHash\(\s*["'`](?:md5|sha1)["'`]/i },
  { rule: 'console.log', re: /\bconsole\.log\s*\(/ },
  // AppInspect: TLS must be verified. A literal switch-off is suspect; a setting-driven one is not.
  { rule: 'tls verification off', re: /\b(?:rejectUnauthorized|strictSSL)\s*:\s*(?:!1|false)\b|NODE_TLS_REJECT_UNAUTHORIZED/ },
];

/** Strings that name a namespace or a specification, not an endpoint anybody connects to. */
const HTTP_IDENTIFIERS = [
  /http:\/\/www\.w3\.org\//,
  /http:\/\/json-schema\.org\//,
  /http:\/\/xml\.org\//,
  /http:\/\/schemas\.xmlsoap\.org\//,
];

export function scanJs(file: string, text: string): JsFinding[] {
  const out: JsFinding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    for (const { rule, re } of JS_RULES) {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      for (const m of line.matchAll(g)) {
        if (rule === 'insecure http' && HTTP_IDENTIFIERS.some((id) => id.test(m[0]))) continue;
        const index = m.index ?? 0;
        const start = Math.max(0, index - 60);
        out.push({ file, line: i + 1, rule, excerpt: line.slice(start, index + 80), at: index - start });
      }
    }
  }
  return out;
}

/** The snippet must cover the match itself, not merely sit near it. */
function covers(f: JsFinding, snippet: string): boolean {
  for (let p = f.excerpt.indexOf(snippet); p >= 0; p = f.excerpt.indexOf(snippet, p + 1)) {
    if (p <= f.at && f.at < p + snippet.length) return true;
  }
  return false;
}

function isException(f: JsFinding, exceptions: readonly JsException[]): JsException | undefined {
  return exceptions.find(
    (e) => e.rule === f.rule && e.file.test(f.file) && covers(f, e.snippet) && (!e.near || f.excerpt.includes(e.near)),
  );
}

export interface PackageCheckOptions {
  appId: string;
  /** package.json version of the checkout the package came from. */
  version: string;
  jsExceptions?: readonly JsException[];
  /** Conf names Splunk itself specifies (e.g. inputs.conf); README/*.spec of others are our own confs. */
  splunkConfs?: ReadonlySet<string>;
}

export interface PackageCheckResult {
  problems: LintProblem[];
  /** Every .js finding, accepted or not, for the report. */
  jsFindings: (JsFinding & { accepted?: string })[];
}

const CREDENTIAL_KEY = /(^|[_.])(password|passwd|secret|api_secret|client_secret|api_token|access_key|secret_key|private_key)$/i;
const MASKS = new Set(['', '********', '******', '<password>', '<string>']);

export function checkPackage(entries: TarEntry[], opts: PackageCheckOptions): PackageCheckResult {
  const problems: LintProblem[] = [];
  const jsFindings: (JsFinding & { accepted?: string })[] = [];
  const top = `${opts.appId}/`;
  const problem = (file: string, message: string, line = 0) => problems.push({ file, line, message });
  const files = new Map<string, TarEntry>();

  for (const e of entries) {
    if (!e.path.startsWith(top)) {
      problem(e.path, `outside the top folder ${top}: the app folder must be named ${opts.appId}`);
      continue;
    }
    const rel = e.path.slice(top.length).replace(/\/$/, '');
    if (e.type === 'File') files.set(rel, e);
    else if (e.type !== 'Directory') problem(e.path, `entry of type ${e.type}: only files and directories belong in an app`);
    const segs = rel.split('/');
    if (segs.some((s) => s.startsWith('.'))) problem(e.path, 'hidden file or folder (AppInspect rejects dotfiles)');
    if (segs[0] === 'local') problem(e.path, 'local/ must not ship: it holds one instance\'s changes and would override the admin\'s');
    if (rel === 'metadata/local.meta') problem(e.path, 'metadata/local.meta must not ship; permissions belong in metadata/default.meta');
    if (e.mode & 0o002) problem(e.path, `world-writable (mode ${e.mode.toString(8)})`);
    if (e.type === 'File' && e.mode & 0o111 && !segs.slice(0, -1).includes('bin')) {
      problem(e.path, `executable (mode ${e.mode.toString(8)}) outside bin/: only launchers may carry execute bits`);
    }
  }

  const text = (rel: string) => files.get(rel)?.data.toString('utf8');

  // app.conf, app.manifest and package.json agree on id and version
  const appConfText = text('default/app.conf');
  const manifestText = text('app.manifest');
  let manifest: { info?: { id?: { name?: string; version?: string } }; schemaVersion?: string } | undefined;
  if (!manifestText) problem('app.manifest', 'missing');
  else {
    try {
      manifest = JSON.parse(manifestText);
    } catch (e) {
      problem('app.manifest', `not valid JSON: ${(e as Error).message}`);
    }
  }
  if (manifest && manifest.schemaVersion !== '2.0.0') problem('app.manifest', `schemaVersion is ${manifest.schemaVersion}, expected 2.0.0`);
  if (!appConfText) problem('default/app.conf', 'missing');
  else {
    const app = toMap(parseConf(appConfText));
    const id = app.get('package')?.get('id');
    if (id !== opts.appId) problem('default/app.conf', `[package] id is "${id ?? ''}", must equal the folder name ${opts.appId}`);
    const mName = manifest?.info?.id?.name;
    if (manifest && mName !== opts.appId) problem('app.manifest', `info.id.name is "${mName ?? ''}", must equal [package] id ${opts.appId}`);
    const version = app.get('launcher')?.get('version') ?? '';
    if (!/^\d+\.\d+\.\d+$/.test(version)) problem('default/app.conf', `[launcher] version "${version}" is not Major.Minor.Patch`);
    if (version !== opts.version) problem('default/app.conf', `[launcher] version ${version} differs from package.json version ${opts.version}`);
    const idVersion = app.get('id')?.get('version');
    if (idVersion !== undefined && idVersion !== version) problem('default/app.conf', `[id] version ${idVersion} differs from [launcher] version ${version}`);
    const mVersion = manifest?.info?.id?.version;
    if (manifest && mVersion !== version) problem('app.manifest', `info.id.version ${mVersion ?? ''} differs from [launcher] version ${version}`);
    // Our own confs need a reload trigger, or splunkd asks for a restart after every change
    // (and Splunk Cloud vetting asks for one).
    const triggers = app.get('triggers');
    for (const rel of files.keys()) {
      const conf = /^README\/([^/]+)\.conf\.spec$/.exec(rel)?.[1];
      if (!conf || (opts.splunkConfs ?? new Set(['inputs.conf'])).has(`${conf}.conf`)) continue;
      if (!triggers?.has(`reload.${conf}`)) problem('default/app.conf', `[triggers] has no reload.${conf} for our own ${conf}.conf (README/${conf}.conf.spec)`);
    }
    const configured = app.get('install')?.get('is_configured');
    if (configured && /^(1|true|t|yes|y|on)$/i.test(configured.trim())) {
      problem('default/app.conf', '[install] is_configured is true: a package must ship unconfigured');
    }
  }

  // every modular input declared in README/inputs.conf.spec has an executable bin/<scheme>.sh
  for (const [rel, e] of files) {
    if (!/^README\/[^/]+\.spec$/.test(rel)) continue;
    const spec = parseSpec(e.data.toString('utf8'), rel);
    const seen = new Set<string>();
    for (const s of spec.stanzas) {
      if (seen.has(s.header)) problem(rel, `duplicate stanza [${s.header}]`, s.line);
      seen.add(s.header);
      if (s.settings.length === 0) problem(rel, `stanza [${s.header}] declares no settings`, s.line);
      const keys = new Set<string>();
      for (const k of s.settings) {
        if (keys.has(k.name)) problem(rel, `duplicate setting ${k.name} in [${s.header}]`, k.line);
        keys.add(k.name);
      }
      const scheme = rel === 'README/inputs.conf.spec' ? /^([A-Za-z0-9_-]+):\/\/<[^>]+>$/.exec(s.header)?.[1] : undefined;
      if (scheme) {
        const launcher = files.get(`bin/${scheme}.sh`);
        if (!launcher) problem(rel, `modular input ${scheme} has no bin/${scheme}.sh`, s.line);
        else if ((launcher.mode & 0o755) !== 0o755) problem(`bin/${scheme}.sh`, `mode ${launcher.mode.toString(8)}: launchers must be 755`);
      }
    }
  }

  checkDeployment(files, problem, opts);

  // bundled JavaScript is present for the launchers to run
  const js = [...files.keys()].filter((f) => f.endsWith('.js'));
  if (files.has('README/inputs.conf.spec') && !js.some((f) => f.startsWith('bin/lib/'))) {
    problem('bin/lib/', 'no bundled JavaScript: the launchers would have nothing to run (npm run build)');
  }
  for (const f of files.keys()) if (f.endsWith('.map')) problem(f, 'source map in the package');

  // icons Splunk shows in the launcher
  for (const [icon, size] of [['appIcon.png', 36], ['appIcon_2x.png', 72], ['appIconAlt.png', 36], ['appIconAlt_2x.png', 72]] as const) {
    const rel = `appserver/static/${icon}`;
    const e = files.get(rel);
    if (!e) problem(rel, 'missing app icon');
    else {
      const dim = pngSize(e.data);
      if (!dim || dim.width !== size || dim.height !== size) problem(rel, `must be a ${size}x${size} PNG, is ${dim ? `${dim.width}x${dim.height}` : 'not a PNG'}`);
    }
  }

  // hard-coded credentials anywhere in text
  for (const [rel, e] of files) {
    if (e.data.includes(0)) continue; // binary (icons, a shipped node)
    const body = e.data.toString('utf8');
    if (/-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/.test(body)) problem(rel, 'contains a PEM private key');
    for (const m of body.matchAll(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g)) problem(rel, `contains what looks like an AWS access key id (${m[0].slice(0, 8)}…)`);
    if (/\.(conf|meta)$/.test(rel)) {
      for (const s of parseConf(body, rel).stanzas) {
        for (const kv of s.entries) {
          if (CREDENTIAL_KEY.test(kv.key) && !MASKS.has(kv.value.trim())) {
            problem(rel, `[${s.name}] ${kv.key} has a value: credentials belong in storage/passwords, never in a shipped conf`, kv.line);
          }
        }
      }
    }
  }

  // the AppInspect-style .js scan
  const exceptions = opts.jsExceptions ?? JS_EXCEPTIONS;
  for (const f of js) {
    for (const finding of scanJs(f, text(f) ?? '')) {
      const ok = isException(finding, exceptions);
      jsFindings.push(ok ? { ...finding, accepted: ok.reason } : finding);
      if (!ok) problem(f, `${finding.rule}: ${finding.excerpt.trim()}`, finding.line);
    }
  }
  return { problems, jsFindings };
}

/** Index-time props.conf settings: they run where data is parsed (indexers, heavy forwarders). */
const INDEX_TIME = /^(LINE_BREAKER|SHOULD_LINEMERGE|BREAK_ONLY_BEFORE|MUST_BREAK_AFTER|TRUNCATE|TIME_PREFIX|TIME_FORMAT|MAX_TIMESTAMP_LOOKAHEAD|TZ|DATETIME_CONFIG|EVENT_BREAKER(_ENABLE)?|CHARSET|INDEXED_EXTRACTIONS|TRANSFORMS-.+|SEDCMD-.+)$/;

/**
 * What a real deployment needs beyond a clean tarball: Splunk Web exposure of the inputs' REST
 * endpoints, search head cluster replication of our own confs, the secrets' ACL, the workloads,
 * the admin guide, licences, and a shipped runtime that can run on the host.
 */
function checkDeployment(files: Map<string, TarEntry>, problem: (file: string, message: string, line?: number) => void, opts: PackageCheckOptions): void {
  const text = (rel: string) => files.get(rel)?.data.toString('utf8');
  const conf = (rel: string) => {
    const t = text(rel);
    return t === undefined ? undefined : toMap(parseConf(t, rel));
  };

  // Splunk Web proxies only what a web.conf [expose:] stanza lists: every input's data/inputs/<scheme>.
  const inputsSpec = text('README/inputs.conf.spec');
  const schemes = inputsSpec ? [...inputsSpec.matchAll(/^\[([A-Za-z0-9_-]+):\/\/<[^>]+>\]/gm)].map((m) => m[1]) : [];
  const web = conf('default/web.conf');
  const exposed = compileExpose(web ? exposeRulesOf(web) : []);
  for (const scheme of schemes) {
    const base = `servicesNS/nobody/${opts.appId}/data/inputs/${scheme}`;
    const needed: [string, string][] = [['GET', base], ['POST', base], ['GET', `${base}/x`], ['POST', `${base}/x`], ['DELETE', `${base}/x`], ['POST', `${base}/x/enable`], ['POST', `${base}/x/disable`]];
    const missing = needed.filter(([m, p]) => !exposedBy(exposed, m, p)).map(([m, p]) => `${m} ${p.replace(`servicesNS/nobody/${opts.appId}/`, '')}`);
    if (missing.length) problem('default/web.conf', `no [expose:] stanza for ${missing.join(', ')}: Splunk Web answers 404 and the configuration page cannot manage ${scheme} inputs`);
  }

  // Search head clusters replicate only the confs server.conf lists.
  const shc = conf('default/server.conf')?.get('shclustering');
  for (const rel of files.keys()) {
    const own = /^README\/([^/]+)\.conf\.spec$/.exec(rel)?.[1];
    if (!own || (opts.splunkConfs ?? new Set(['inputs.conf'])).has(`${own}.conf`)) continue;
    if (!/^(1|true|t|yes|y|on)$/i.test(shc?.get(`conf_replication_include.${own}`) ?? '')) {
      problem('default/server.conf', `[shclustering] conf_replication_include.${own} = true is missing: changes to ${own}.conf on one search head cluster member would not reach the others`);
    }
  }

  // Permissions: nobody but admins may write; the secrets only admins may read.
  const meta = conf('metadata/default.meta');
  const access = (stanza: string) => {
    const v = meta?.get(stanza)?.get('access') ?? '';
    const list = (k: string) => new RegExp(`${k}\\s*:\\s*\\[([^\\]]*)\\]`).exec(v)?.[1].split(',').map((x) => x.trim()).filter(Boolean);
    return { read: list('read'), write: list('write') };
  };
  for (const stanza of meta?.keys() ?? []) {
    if (access(stanza).write?.includes('*')) problem('metadata/default.meta', `[${stanza}] grants write to * (AppInspect: write access must be limited to admin roles)`);
  }
  const pw = access('passwords');
  const admins = (l: string[] | undefined) => !!l?.length && l.every((r) => r === 'admin' || r === 'sc_admin');
  if (!admins(pw.read) || !admins(pw.write)) problem('metadata/default.meta', '[passwords] must be readable and writable by admin and sc_admin only (access = read : [ admin, sc_admin ], write : [ admin, sc_admin ])');

  // Index-time settings run on indexers: the manifest must say so.
  const manifest = (() => {
    try {
      return JSON.parse(text('app.manifest') ?? '{}') as { targetWorkloads?: string[] };
    } catch {
      return {};
    }
  })();
  const indexTime = [...(conf('default/props.conf')?.entries() ?? [])].flatMap(([st, kv]) => [...kv.keys()].filter((k) => INDEX_TIME.test(k)).map((k) => `[${st}] ${k}`));
  if (indexTime.length && !manifest.targetWorkloads?.includes('_indexers')) {
    problem('app.manifest', `targetWorkloads lacks _indexers although props.conf has index-time settings (${indexTime.slice(0, 2).join(', ')}…)`);
  }
  if (!manifest.targetWorkloads?.includes('_search_heads')) problem('app.manifest', 'targetWorkloads lacks _search_heads (dashboards, search-time knowledge, the configuration page)');

  // The README an admin reads in the app folder is an admin guide, not the developer's.
  const readme = text('README.md');
  if (!readme) problem('README.md', 'missing: the admin guide (docs/admin-guide.md) ships as README.md');
  else {
    for (const h of ['Install', 'Configure', 'Verify', 'Troubleshoot']) {
      if (!new RegExp(`^#{1,3} .*${h}`, 'mi').test(readme)) problem('README.md', `no "${h}" section: the packaged README is the admin guide`);
    }
    if (/^\s*(npm|npx|git) /m.test(readme)) problem('README.md', 'contains developer commands (npm, npx, git): the packaged README is for Splunk admins');
  }

  // Licences of everything bundled.
  if ([...files.keys()].some((f) => /^bin\/lib\/[^/]+\.js$/.test(f))) {
    const notices = text('THIRD-PARTY-NOTICES.txt');
    if (!notices) problem('THIRD-PARTY-NOTICES.txt', 'missing: the bundles contain npm packages whose licences must ship with them');
    else {
      for (const m of notices.matchAll(/^ {2}(\S+@\S+) {2}/gm)) {
        if (!notices.includes(`\n${m[1]} (`)) problem('THIRD-PARTY-NOTICES.txt', `${m[1]} is listed but its licence text is missing`);
      }
    }
  }

  // A shipped runtime: self-contained, stripped, for its platform, with Node's licence.
  for (const [rel, e] of files) {
    const platform = /^([a-z]+_[a-z0-9_]+)\/bin\/node$/.exec(rel)?.[1];
    if (!platform) continue;
    for (const p of nodeBinaryProblems(e.data, platform)) problem(rel, p);
    if (!/Node\.js/.test(text(`${platform}/LICENSE`) ?? '')) problem(`${platform}/LICENSE`, "missing or not Node.js's licence: a shipped node needs its licence beside it");
  }
}
