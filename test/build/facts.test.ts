/**
 * The committed Splunk fact tables (src/facts/) are well-formed, are what lint and tests read, and
 * the script that makes them writes, checks and reports drift. Nothing here reads Splunk's own folder: the
 * script runs on a small Splunk-shaped folder written by the test.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConf } from '../../src/core/conf/parse';
import { decodeXmlBytes } from '../../src/core/protocol';
import { lintAppConfs, loadSpec } from '../../src/build/lint/confs';
import { allowsKey, lintConf } from '../../src/build/lint/spec';
import { main, TABLES } from '../../src/build/facts';
import { FUNCTIONS } from '../../src/core/knowledge/eval';
import { SPLUNK_KV_LIMITS } from '../../src/core/knowledge/json';
import * as facts from '../../src/facts';
import { SOURCE_MODULES } from '../../src/sources';
import { illumioReferenceEventTypes } from '../../src/sources/illumio/reference-facts';
import { prismaExampleBodies } from '../../src/sources/prisma/reference-facts';
import { parseXml, XmlNode } from '../protocol/xml-tree';

const FACTS = path.resolve(__dirname, '..', '..', 'src', 'facts');
const SOURCES = path.resolve(__dirname, '..', '..', 'src', 'sources');

function sortedEverywhere(v: unknown, at: string, bad: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => sortedEverywhere(x, `${at}[${i}]`, bad));
  else if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.join('\0') !== [...keys].sort().join('\0')) bad.push(at);
    for (const k of keys) sortedEverywhere((v as Record<string, unknown>)[k], `${at}.${k}`, bad);
  }
}

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe('committed fact tables', () => {
  it('are every table the script makes, each with its header and sorted keys', () => {
    const files = fs.readdirSync(FACTS).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(TABLES.map((t) => t.file).sort());
    for (const f of files) {
      const text = fs.readFileSync(path.join(FACTS, f), 'utf8');
      const t = JSON.parse(text) as { _generated: facts.Generated };
      expect({ f, by: t._generated.by, splunk: t._generated.splunk }).toEqual({ f, by: 'src/build/facts.ts', splunk: facts.splunkVersion() });
      const bad: string[] = [];
      sortedEverywhere(t, f, bad);
      expect(bad).toEqual([]);
    }
    expect(facts.splunkVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('hold facts, not prose: no value in the conf and SPL tables reads as a sentence', () => {
    const sentences: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (typeof v === 'string' && /\b\w+ \w+ \w+ \w+ \w+ \w+\b/.test(v) && !/[=()|]/.test(v)) sentences.push(`${at}: ${v.slice(0, 60)}`);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    for (const f of ['conf-specs.json', 'shipped-confs.json', 'searchbnf.json', 'spl-functions.json', 'web-expose.json', 'defaults.json', 'authorize.json']) {
      walk(JSON.parse(fs.readFileSync(path.join(FACTS, f), 'utf8')), f);
    }
    expect(sentences).toEqual([]);
  });
});

describe('conf lint reads the spec table', () => {
  it('accepts every key the table declares for a stanza and refuses one it does not', () => {
    const props = facts.confSpec('props.conf')!;
    const spec = loadSpec('props.conf')!;
    const family = props.stanzas.find((s) => s.header === '<spec>')!;
    expect(family.settings).toEqual(expect.arrayContaining(['KV_MODE', 'TRUNCATE', 'EXTRACT-<class>']));
    for (const k of family.settings) expect(allowsKey(spec, 'my:sourcetype', k.replace(/<[^>]*>/g, 'x').replace(/\*/g, 'y'))).toBe(true);
    expect(allowsKey(spec, 'my:sourcetype', 'KV_MOD')).toBe(false);
    expect(facts.confSpec('nosuch.conf')).toBeUndefined();
    expect(facts.specConfs()).toEqual(expect.arrayContaining(['inputs.conf', 'default.meta', 'web.conf']));
  });

  it("lints an app's default/*.conf against the table: a typo fails, known keys pass", () => {
    const root = tmp('facts-lint-');
    try {
      fs.mkdirSync(path.join(root, 'default'));
      fs.writeFileSync(path.join(root, 'default', 'props.conf'), '[my:st]\nKV_MODE = json\nTRUNCATE = 0\nMAX_TIMESTMP_LOOKAHEAD = 30\n');
      fs.writeFileSync(path.join(root, 'default', 'limits.conf'), '[spath]\nextraction_cutoff = 5000\n');
      expect(lintAppConfs(root).map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
        'default/props.conf:4: unknown key "MAX_TIMESTMP_LOOKAHEAD" in stanza [my:st] (not in props.conf.spec)',
      ]);
      fs.writeFileSync(path.join(root, 'default', 'nosuch.conf'), '[x]\na = 1\n');
      expect(lintAppConfs(root).map((p) => p.message).join('\n')).toMatch(/no spec for nosuch\.conf: neither Splunk \(\d+\.\d+\.\d+\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("keeps the keys of Splunk's shipped default confs, which their specs mostly declare", () => {
    const shipped = facts.shippedConfKeys();
    expect(Object.keys(shipped).length).toBeGreaterThan(40);
    expect(shipped['limits.conf'].spath).toEqual(expect.arrayContaining(['extraction_cutoff']));
    expect(shipped['searchbnf.conf']).toBeUndefined();
    const conf = parseConf('[spath]\nextraction_cutoff = 1\nextraction_cutof = 2\n');
    expect(lintConf(conf, loadSpec('limits.conf')!, 'limits.conf').map((p) => p.message)).toEqual([
      'unknown key "extraction_cutof" in stanza [spath] (not in limits.conf.spec)',
    ]);
  });
});

describe('accessors', () => {
  it('SPL commands, aliases and functions from searchbnf and the SPL reference', () => {
    const names = facts.splCommandNames();
    for (const c of ['search', 'stats', 'tstats', 'spath', 'bucket', 'bin']) expect(names.has(c)).toBe(true);
    expect(names.has('nosuchcommand')).toBe(false);
    const aliased = Object.entries(facts.splCommands()).filter(([, c]) => c.aliases?.length);
    expect(aliased.length).toBeGreaterThan(5);
    for (const [, c] of aliased) for (const a of c.aliases!) expect(names.has(a)).toBe(true);
    expect(Object.keys(facts.evalFunctions())).toEqual(expect.arrayContaining(['if', 'coalesce', 'json_extract', 'strftime', 'mvindex']));
    expect(facts.evalFunctions().coalesce.usableWith).toContain('eval');
    expect(Object.keys(facts.statsFunctions())).toEqual(expect.arrayContaining(['count', 'values', 'avg', 'latest']));
    expect(facts.timeFormatVariables()).toEqual(expect.arrayContaining(['%Y', '%m', '%d', '%H', '%M', '%S', '%z', '%s']));
    expect(facts.timeFormatVariables().every((v) => /^%\S{1,3}$/.test(v))).toBe(true);
  });

  it("the evaluator's functions and JSON limits are Splunk's", () => {
    const ev = facts.evalFunctions();
    expect(FUNCTIONS.filter((f) => !ev[f])).toEqual([]);
    expect(ev.ceil.aliasOf).toBe('ceiling');
    expect(SPLUNK_KV_LIMITS.cutoff).toBe(facts.searchTimeLimits().spathExtractionCutoff);
    expect(SPLUNK_KV_LIMITS.maxFields).toBe(facts.searchTimeLimits().kvLimit);
  });

  it('web.conf expose stanzas: a pattern and HTTP methods each', () => {
    const expose = facts.webExposes();
    expect(Object.keys(expose).length).toBeGreaterThan(100);
    for (const [name, e] of Object.entries(expose)) {
      expect({ name, pattern: e.pattern.length > 0 && !e.pattern.startsWith('/') }).toEqual({ name, pattern: true });
      expect(e.methods.every((m) => ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'].includes(m))).toBe(true);
    }
    const patterns = Object.values(expose).map((e) => e.pattern);
    expect(patterns.some((p) => p.startsWith('storage/passwords'))).toBe(true);
  });

  it("matches splunkd paths the way web.conf.spec describes [expose:] patterns", () => {
    expect(facts.webExposesFor('/services/storage/passwords').map((e) => e.name)).toEqual(['storage_passwords']);
    expect(facts.isWebExposed('/servicesNS/nobody/TA-zerotrust-events/storage/passwords/realm%3Auser%3A?output_mode=json', 'DELETE')).toBe(true);
    expect(facts.isWebExposed('/services/storage/passwords', 'DELETE')).toBe(false);
    // `*` is one element: a/*/c does not take a/1/2/c
    expect(facts.isWebExposed('/services/storage/passwords/a/b', 'GET')).toBe(false);
    // `conf-*` is a prefix element
    expect(facts.isWebExposed('/servicesNS/nobody/search/configs/conf-ta_zerotrust_events_settings/logging', 'POST')).toBe(true);
    expect(facts.isWebExposed('/services/configs/inputs', 'GET')).toBe(false);
    // `**` is one element or more
    expect(facts.isWebExposed('/services/storage/collections/data/x/y', 'GET')).toBe(true);
    expect(facts.isWebExposed('/services/nosuch/endpoint', 'GET')).toBe(false);
    expect(facts.webExposesFor('/en-US/app/search')).toEqual([]);
  });

  it('search-time limits the evaluator applies, from limits.conf, transforms.conf and props.conf', () => {
    const l = facts.searchTimeLimits();
    expect(l.spathExtractionCutoff).toBe(facts.shippedDefault('limits.conf', 'spath', 'extraction_cutoff'));
    expect(l.kvMaxChars).toBe(facts.shippedDefault('limits.conf', 'kv', 'maxchars'));
    expect(l.matchLimit).toBe(facts.specDefault('transforms.conf', '<unique_transform_stanza_name>', 'MATCH_LIMIT'));
    expect(l.depthLimit).toBe(facts.specDefault('transforms.conf', '<unique_transform_stanza_name>', 'DEPTH_LIMIT'));
    expect(l.truncate).toBe(facts.specDefault('props.conf', '<spec>', 'TRUNCATE'));
    for (const v of Object.values(l)) expect(Number.isInteger(v) && v > 0).toBe(true);
  });

  it("roles: user and power do not search _internal, admin does; capabilities follow importRoles", () => {
    const roles = facts.splunkRoles();
    expect(Object.keys(roles)).toEqual(expect.arrayContaining(['admin', 'power', 'user', 'can_delete']));
    expect(facts.roleCanSearch('user', 'main')).toBe(true);
    expect(facts.roleCanSearch('user', '_internal')).toBe(false);
    expect(facts.roleCanSearch('power', '_internal')).toBe(false);
    expect(facts.roleCanSearch('admin', '_internal')).toBe(true);
    expect(facts.roleCanSearch('nosuchrole', 'main')).toBe(false);
    const power = facts.effectiveCapabilities('power');
    for (const c of roles.user.capabilities) expect(power.has(c)).toBe(true);
    expect(facts.effectiveCapabilities('user').has('delete_by_keyword')).toBe(false);
    expect(facts.effectiveCapabilities('can_delete').has('delete_by_keyword')).toBe(true);
    for (const r of Object.values(roles)) for (const c of r.capabilities) expect(facts.splunkCapabilities()).toContain(c);
  });

  it('CIM models: datasets with constraints, tags and required fields', () => {
    const change = facts.cimDataset('Change', 'All_Changes')!;
    expect(change.tags).toEqual([['change']]);
    expect(change.constraints).toMatch(/object_category/);
    expect(change.fields.find((f) => f.name === 'action')?.type).toBe('required');
    expect(facts.cimDataset('Change', 'Account_Management')?.constraints).toBe('tag=account');
    const auth = facts.cimModel('Authentication').datasets[0];
    expect(auth.fields.find((f) => f.name === 'action')?.expectedValues).toEqual(expect.arrayContaining(['success', 'failure']));
    expect(() => facts.cimModel('Nope')).toThrow(/no CIM model Nope/);
    expect(facts.cimCommonFields().length).toBeGreaterThan(0);
  });

  it('modinput fixtures come back as bytes a real XML parser reads to the recorded tree', () => {
    const strip = (n: facts.FixtureXmlNode): XmlNode => ({
      name: n.name,
      attributes: n.attributes,
      text: n.text,
      children: n.children.filter((c): c is facts.FixtureXmlNode => !('comment' in c)).map(strip),
    });
    const all = facts.modinputFixtures();
    expect(Object.keys(all).length).toBeGreaterThan(10);
    for (const [name, f] of Object.entries(all)) {
      const bytes = facts.modinputFixtureBytes(name);
      if (f.encoding === 'utf-16be') expect([bytes[0], bytes[1]]).toEqual([0xfe, 0xff]);
      const text = decodeXmlBytes(bytes).replace(/^<\?xml[^>]*\?>/, '');
      expect({ name, tree: parseXml(text) }).toEqual({ name, tree: strip(f.root) });
    }
    expect(() => facts.modinputFixture('nope.xml')).toThrow(/no modinput fixture/);
  });

  it('vendor references, in their vendor folders: Illumio event types and the Prisma example bodies', async () => {
    const types = illumioReferenceEventTypes();
    expect(Object.keys(types).length).toBeGreaterThan(250);
    expect(Object.values(types).every((t) => t.provenance.length > 0)).toBe(true);
    expect(Object.keys(prismaExampleBodies()).sort()).toEqual(['activity_monitoring', 'admin_audit', 'incident', 'policy_violation', 'remediation']);
    // Every table a module declares is committed in its folder, with the script's header; nothing else is there.
    for (const m of SOURCE_MODULES) {
      const declared = ((await m.facts?.()) ?? []).map((t) => t.file).sort();
      const dir = path.join(SOURCES, m.name, 'facts');
      expect({ m: m.name, files: fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [] }).toEqual({ m: m.name, files: declared });
      for (const f of declared) {
        const t = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { _generated: facts.Generated };
        expect({ f, by: t._generated.by }).toEqual({ f, by: 'src/build/facts.ts' });
        const bad: string[] = [];
        sortedEverywhere(t, f, bad);
        expect(bad).toEqual([]);
      }
    }
    expect(SOURCE_MODULES.filter((m) => m.facts).map((m) => m.name).sort()).toEqual(['illumio', 'prisma']);
  });
});

describe('npm run facts', () => {
  /** A Splunk-shaped folder with one file of each kind the script reads. */
  function miniSplunk(): { root: string; splunk: string } {
    const root = tmp('facts-src-');
    const splunk = path.join(root, 'splunk', '9.9.9');
    const w = (rel: string, text: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    w('splunk/9.9.9/props.conf.spec', '# props.conf.spec\n[<spec>]\n* A stanza.\nTRUNCATE = <non-negative integer>\n* The default maximum line length, in bytes.\n* Default: 10000\nKV_MODE = <string>\n');
    w('splunk/9.9.9/props.conf', '[default]\nTRUNCATE = 10000\nMAX_TIMESTAMP_LOOKAHEAD = 128\n');
    w('splunk/9.9.9/transforms.conf.spec', '[<unique_transform_stanza_name>]\nMATCH_LIMIT = <integer>\n* Default: 100000\nDEPTH_LIMIT = <integer>\n* Default: 1000\n');
    w('splunk/9.9.9/transforms.conf', '');
    w('splunk/9.9.9/limits.conf.spec', '[spath]\nextraction_cutoff = <integer>\n[kv]\nmaxchars = <integer>\nmaxcols = <integer>\nlimit = <integer>\n');
    w('splunk/9.9.9/limits.conf', '[spath]\nextraction_cutoff = 5000\n[kv]\nmaxchars = 10240\nmaxcols = 512\nlimit = 100\n');
    w('splunk/9.9.9/web.conf.spec', '[expose:<unique_name>]\npattern = <url_pattern>\nmethods = <method_lists>\n');
    w('splunk/9.9.9/web.conf', '[expose:a]\npattern = storage/passwords\nmethods = GET,POST\n[settings]\nx = 1\n');
    w('splunk/9.9.9/authorize.conf.spec', '[role_<roleName>]\nimportRoles = <string>\nsrchIndexesAllowed = <string>\n');
    w('splunk/9.9.9/authorize.conf', '[capability::search]\n[role_user]\nsearch = enabled\nsrchIndexesAllowed = *\n[role_admin]\nimportRoles = user\nsrchIndexesAllowed = *;_*\n');
    w('splunk/9.9.9/searchbnf.conf', '[stats-command]\nsyntax = stats <x>\ndescription = Some words\n    that continue on the next line\nusage = public\nalias = x\n');
    w('splunk/9.9.9/spl/eval-text.md', '| Function | Syntax | Description | Usable With | Docs |\n|---|---|---|---|---|\n| `len` | `len(<str>)` | Long words here. | eval, where | x |\n');
    w('splunk/9.9.9/spl/time-format-variables.md', '| %Y | Year. | x |\n| %Y-%m-%d | Combined. | x |\n');
    w('splunk/cim-models/Change.json', JSON.stringify({ model_name: 'Change', version: '1', objects: [{ name: 'All_Changes', tags: [['change']], search_constraints: 'tag=change', fields: [{ name: 'action', type: 'required', comment: 'prose that must not be kept' }] }] }));
    w('splunk/modinput-fixtures/event.xml', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<?xml version="1.0" encoding="utf-16"?>\n<event a="1"><!-- c --><data>x &amp; y</data></event>', 'utf16le').swap16()]));
    w('reference/illumio-event-types.tsv', 'event_type\tlabel\tprovenance\nuser.login\tUser logged in\tlist-A,list-B\n');
    w('seeds/prisma-saas-log-events-api.txt', 'HTTP/1.1 200 OK {"log_type" : "incident"}\n');
    return { root, splunk };
  }

  it('writes deterministic tables with their header, no prose, and --check names the table that drifted', async () => {
    const { root, splunk } = miniSplunk();
    const out = { facts: path.join(root, 'facts'), sources: path.join(root, 'sources') };
    const errors: string[] = [];
    const spyErr = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const spyLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main([splunk], out)).toBe(0);
      const first = Object.fromEntries(fs.readdirSync(out.facts).map((f) => [f, fs.readFileSync(path.join(out.facts, f), 'utf8')]));
      const vendor = (m: string, f: string) => path.join(out.sources, m, 'facts', f);
      for (const [m, f] of [['illumio', 'event-types.json'], ['prisma', 'api-examples.json']]) first[`${m}/${f}`] = fs.readFileSync(vendor(m, f), 'utf8');
      expect(fs.readdirSync(out.sources).sort()).toEqual(['illumio', 'prisma']);
      expect(await main([splunk], out)).toBe(0);
      for (const [f, text] of Object.entries(first)) expect(fs.readFileSync(f.includes('/') ? path.join(out.sources, f.replace('/', '/facts/')) : path.join(out.facts, f), 'utf8')).toBe(text);

      const read = (f: string) => JSON.parse(first[f]);
      expect(read('searchbnf.json')._generated).toEqual({ by: 'src/build/facts.ts', splunk: '9.9.9', from: '9.9.9' });
      expect(read('cim-models.json')._generated.from).toBe('cim-models');
      expect(read('conf-specs.json').confs['props.conf']).toEqual({ global: [], stanzas: [{ header: '<spec>', settings: ['TRUNCATE', 'KV_MODE'] }] });
      expect(read('defaults.json').spec['transforms.conf']).toEqual({ '<unique_transform_stanza_name>': { DEPTH_LIMIT: 1000, MATCH_LIMIT: 100000 } });
      expect(read('searchbnf.json').commands).toEqual({ stats: { aliases: ['x'], usage: 'public' } });
      expect(read('spl-functions.json').timeFormatVariables).toEqual(['%Y']);
      expect(read('web-expose.json').expose).toEqual({ a: { methods: ['GET', 'POST'], pattern: 'storage/passwords' } });
      expect(read('authorize.json').roles.admin.importRoles).toEqual(['user']);
      expect(read('modinput-fixtures.json').fixtures['event.xml']).toEqual({
        encoding: 'utf-16be', bom: true, declaration: '<?xml version="1.0" encoding="utf-16"?>',
        root: { name: 'event', attributes: { a: '1' }, text: '', children: [{ comment: true }, { name: 'data', attributes: {}, text: 'x & y', children: [] }] },
      });
      expect(read('illumio/event-types.json')).toEqual({ _generated: { by: 'src/build/facts.ts', splunk: '9.9.9', from: 'reference' }, eventTypes: { 'user.login': { provenance: ['list-A', 'list-B'] } } });
      expect(read('prisma/api-examples.json').bodies).toEqual({ incident: '{"log_type" : "incident"}' });
      const all = Object.values(first).join('\n');
      for (const prose of ['prose that must not be kept', 'Long words here', 'The default maximum line length', 'User logged in', 'that continue on']) expect(all).not.toContain(prose);

      expect(await main(['--check', splunk], out)).toBe(0);
      fs.writeFileSync(path.join(out.facts, 'web-expose.json'), first['web-expose.json'].replace('storage/passwords', 'storage/password'));
      expect(await main(['--check', splunk], out)).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/web-expose\.json differs from what 9\.9\.9 gives/);
      fs.writeFileSync(vendor('illumio', 'event-types.json'), first['illumio/event-types.json'].replace('list-B', 'list-C'));
      expect(await main(['--check', splunk], out)).toBe(1);
      expect(errors).toHaveLength(3);
      expect(errors[2]).toMatch(/illumio\/facts\/event-types\.json differs/);
    } finally {
      spyErr.mockRestore();
      spyLog.mockRestore();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a missing folder or a shipped conf its parser cannot read, saying which', async () => {
    const { root, splunk } = miniSplunk();
    const out = { facts: path.join(root, 'facts'), sources: path.join(root, 'sources') };
    try {
      await expect(main([], out)).rejects.toThrow(/name the Splunk spec folder/);
      await expect(main([splunk, '--cim', path.join(root, 'nope')], out)).rejects.toThrow(/cim folder not found/);
      fs.writeFileSync(path.join(splunk, 'limits.conf'), '[spath]\nthis is not a setting\n');
      await expect(main([splunk], out)).rejects.toThrow(/limits\.conf: 1 line\(s\) our conf parser cannot read, first at line 2/);
      fs.writeFileSync(path.join(splunk, 'limits.conf'), '');
      fs.writeFileSync(path.join(root, 'reference', 'illumio-event-types.tsv'), 'type\tx\n');
      await expect(main([splunk], out)).rejects.toThrow(/illumio-event-types\.tsv: unexpected header type,x/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
