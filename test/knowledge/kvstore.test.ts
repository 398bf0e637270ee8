/**
 * KV store lookups in the search-time evaluator, held to transforms.conf.spec, collections.conf.spec
 * and props.conf.spec (LOOKUP-): only fields_list is visible, KV matching is case-sensitive (with
 * case_sensitive_match = false only lower-case stored data matches), OUTPUTNEW keeps what the event
 * has, automatic lookups run after EVAL- and before eventtypes, a collection must be declared (and
 * replicated for automatic lookups), and no data means no enrichment and no error.
 */
import { KnowledgeBase, type AppFiles } from '../../src/core/knowledge';
import { parseConf } from '../../src/core/conf/parse';

const COLLECTIONS = `
[hosts]
field.ip = string
replicate = true

[hosts_local]
replicate = false
`;

const TRANSFORMS = `
[hosts]
external_type = kvstore
collection = hosts
fields_list = _key, ip, hostname, tags, port, online, env

[hosts_nocase]
external_type = kvstore
collection = hosts
fields_list = ip, hostname, env
case_sensitive_match = false

[hosts_one]
external_type = kvstore
collection = hosts
fields_list = ip, hostname
max_matches = 1
`;

const RECORDS = [
  { _key: 'a', ip: '10.0.0.1', hostname: 'web-01', tags: ['pci', 'dmz'], port: 443, online: false, env: 'prod', secret: 'not in fields_list' },
  { _key: 'b', ip: '10.0.0.2', hostname: 'DB-01', env: 'Prod' },
  { _key: 'c', ip: '10.0.0.3', hostname: 'db-02', env: 'prod' },
  { _key: 'd', ip: '10.0.0.3', hostname: 'db-03', env: 'prod' },
  { _key: 'e', ip: ['10.0.0.9', '10.0.0.10'], hostname: 'multi-01' },
];

function kb(props: string, opts: { records?: Record<string, unknown>[] | null; transforms?: string; collections?: string; eventtypes?: string } = {}): KnowledgeBase {
  const files: AppFiles = {
    props: parseConf(`[kv:test]\nKV_MODE = json\n${props}\n`, 'props.conf'),
    transforms: parseConf(opts.transforms ?? TRANSFORMS, 'transforms.conf'),
    collections: parseConf(opts.collections ?? COLLECTIONS, 'collections.conf'),
    eventtypes: parseConf(opts.eventtypes ?? '', 'eventtypes.conf'),
    lookups: new Map(),
    ...(opts.records === null ? {} : { kv: new Map([['hosts', opts.records ?? RECORDS]]) }),
  };
  return new KnowledgeBase(files);
}

const fields = (k: KnowledgeBase, raw: object) => Object.fromEntries(k.evaluate(JSON.stringify(raw), { sourcetype: 'kv:test' }).fields);

describe('KV store lookups', () => {
  test('outputs the matching record through fields_list: arrays as multivalue, JSON scalars as text, other fields invisible', () => {
    const k = kb('LOOKUP-h = hosts ip AS src OUTPUT hostname tags port online secret_never');
    expect(k.problems).toEqual(['props.conf for sourcetype=kv:test: LOOKUP-h: the fields_list of hosts (KV store collection hosts) has no field secret_never']);
    const k2 = kb('LOOKUP-h = hosts ip AS src OUTPUT hostname tags port online _key');
    expect(k2.problems).toEqual([]);
    expect(fields(k2, { src: '10.0.0.1' })).toMatchObject({ hostname: ['web-01'], tags: ['pci', 'dmz'], port: ['443'], online: ['false'], _key: ['a'] });
    // Without an output list: every field of fields_list but the match field, never one outside it.
    const all = fields(kb('LOOKUP-h = hosts ip AS src'), { src: '10.0.0.1' });
    expect(all.env).toEqual(['prod']);
    expect(all.secret).toBeUndefined();
  });

  test('matches case-sensitively; case_sensitive_match = false lower-cases the event value and finds only lower-case stored data', () => {
    expect(fields(kb('LOOKUP-h = hosts hostname AS h OUTPUT ip'), { h: 'WEB-01' }).ip).toBeUndefined();
    const nocase = kb('LOOKUP-h = hosts_nocase hostname AS h OUTPUT ip');
    expect(fields(nocase, { h: 'WEB-01' }).ip).toEqual(['10.0.0.1']);
    // DB-01 is stored with capitals: no event value reaches it, whatever its case.
    expect(fields(nocase, { h: 'DB-01' }).ip).toBeUndefined();
    expect(fields(nocase, { h: 'db-01' }).ip).toBeUndefined();
  });

  test('several records per value: all up to max_matches (default 100), in collection order; an array field matches by element', () => {
    expect(fields(kb('LOOKUP-h = hosts ip AS src OUTPUT hostname'), { src: '10.0.0.3' }).hostname).toEqual(['db-02', 'db-03']);
    expect(fields(kb('LOOKUP-h = hosts_one ip AS src OUTPUT hostname'), { src: '10.0.0.3' }).hostname).toEqual(['db-02']);
    expect(fields(kb('LOOKUP-h = hosts ip AS src OUTPUT hostname'), { src: '10.0.0.10' }).hostname).toEqual(['multi-01']);
    // A multivalue event field looks up each value.
    expect(fields(kb('EVAL-srcs = split(s, ",")\nLOOKUP-h = hosts ip AS srcs OUTPUT hostname'), { s: '10.0.0.1,10.0.0.2' }).hostname).toEqual(['web-01', 'DB-01']);
    // max_matches bounds each input value's matches, not the event's: two values, one record each.
    expect(fields(kb('EVAL-srcs = split(s, ",")\nLOOKUP-h = hosts_one ip AS srcs OUTPUT hostname'), { s: '10.0.0.1,10.0.0.3' }).hostname).toEqual(['web-01', 'db-02']);
  });

  test('OUTPUTNEW keeps the event\'s values and fills only what it lacks; OUTPUT overwrites, and clears on no match', () => {
    const outNew = kb('LOOKUP-h = hosts ip AS src OUTPUTNEW hostname AS src_host env AS src_env');
    expect(fields(outNew, { src: '10.0.0.1', src_host: 'from-event' })).toMatchObject({ src_host: ['from-event'], src_env: ['prod'] });
    const out = kb('LOOKUP-h = hosts ip AS src OUTPUT hostname AS src_host');
    expect(fields(out, { src: '10.0.0.1', src_host: 'from-event' }).src_host).toEqual(['web-01']);
    expect(fields(out, { src: '192.0.2.1', src_host: 'from-event' }).src_host).toBeUndefined();
    expect(fields(outNew, { src: '192.0.2.1', src_host: 'from-event' }).src_host).toEqual(['from-event']);
  });

  test('runs after EVAL- (matching on a calculated field) and before eventtypes (which see its output); a later lookup reads an earlier one\'s output', () => {
    const k = kb(
      'EVAL-addr = "10.0.0." . n\nLOOKUP-a = hosts ip AS addr OUTPUT hostname AS h1\nLOOKUP-b = hosts hostname AS h1 OUTPUT env AS h1_env',
      { eventtypes: '[prod_host]\nsearch = sourcetype="kv:test" h1_env="prod"\n' },
    );
    expect(k.problems).toEqual([]);
    const ev = k.evaluate(JSON.stringify({ n: 1 }), { sourcetype: 'kv:test' });
    expect(Object.fromEntries(ev.fields)).toMatchObject({ h1: ['web-01'], h1_env: ['prod'] });
    expect(ev.eventtype).toEqual(['prod_host']);
    expect(k.evaluate(JSON.stringify({ n: 9 }), { sourcetype: 'kv:test' }).eventtype).toEqual([]);
  });

  test('no data for the collection: the lookup outputs nothing and nothing is reported', () => {
    const k = kb('LOOKUP-h = hosts ip AS src OUTPUTNEW hostname', { records: null });
    expect(k.problems).toEqual([]);
    expect(fields(k, { src: '10.0.0.1' }).hostname).toBeUndefined();
    expect(fields(kb('LOOKUP-h = hosts ip AS src OUTPUTNEW hostname', { records: [] }), { src: '10.0.0.1' }).hostname).toBeUndefined();
  });

  test('counts the values sent to the KV store, data or not (Splunk queries it either way); an event without the match field costs nothing', () => {
    for (const records of [null, RECORDS]) {
      const k = kb('EVAL-srcs = split(s, ",")\nLOOKUP-h = hosts ip AS srcs OUTPUTNEW hostname', { records });
      expect(k.evaluate(JSON.stringify({ s: '10.0.0.1,10.0.0.2,10.0.0.1' }), { sourcetype: 'kv:test' }).cost.kvLookups).toBe(2);
      expect(k.evaluate(JSON.stringify({ other: 1 }), { sourcetype: 'kv:test' }).cost.kvLookups).toBe(0);
    }
  });

  test('refuses at load what Splunk would not run: an undeclared or unreplicated collection, no fields_list, max_matches out of range, unmodelled settings', () => {
    const problems = (transforms: string, props = 'LOOKUP-h = x ip AS src OUTPUT hostname') => kb(props, { transforms }).problems;
    expect(problems('[x]\nexternal_type = kvstore\ncollection = nowhere\nfields_list = ip, hostname\n')).toEqual(['transforms.conf [x] collection nowhere is not declared in collections.conf']);
    // collection defaults to the stanza name (transforms.conf.spec).
    expect(problems('[hosts]\nexternal_type = kvstore\nfields_list = ip, hostname\n', 'LOOKUP-h = hosts ip AS src OUTPUT hostname')).toEqual([]);
    expect(problems('[x]\nexternal_type = kvstore\ncollection = hosts\n')).toEqual([
      'transforms.conf [x] external_type = kvstore needs fields_list, the collection\'s fields the lookup reads',
      'props.conf for sourcetype=kv:test: LOOKUP-h: the fields_list of x (KV store collection hosts) has no field ip',
      'props.conf for sourcetype=kv:test: LOOKUP-h: the fields_list of x (KV store collection hosts) has no field hostname',
    ]);
    expect(problems('[x]\nexternal_type = kvstore\ncollection = hosts_local\nfields_list = ip, hostname\n')).toEqual([
      'props.conf for sourcetype=kv:test: LOOKUP-h reads KV store collection hosts_local, which collections.conf does not replicate (replicate = true): on the indexers of a distributed search the lookup is not available',
    ]);
    expect(problems('[x]\nexternal_type = kvstore\ncollection = hosts\nfields_list = ip, hostname\nmax_matches = 1001\n')).toEqual(['transforms.conf [x] max_matches = 1001 is not an integer from 1 to 1000']);
    expect(problems('[x]\nexternal_type = kvstore\ncollection = hosts\nfields_list = ip, hostname\nfilter = env="prod"\n')).toEqual(['transforms.conf [x] filter is not supported by the evaluator']);
    expect(problems('[x]\nexternal_type = python\nexternal_cmd = x.py ip hostname\nfields_list = ip, hostname\n')[0]).toBe('transforms.conf [x] external_type = python is not supported by the evaluator');
  });
});
