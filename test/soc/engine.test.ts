/**
 * The SPL engine's own semantics on hand-made rows: strictness (what it does not model throws,
 * naming it), Splunk's index rules per role, macros with arguments, and the commands' documented
 * behaviour (stats grouping and ordering, timechart buckets, dedup order, top, lookup, sort).
 */
import { macrosFromConf } from '../../src/build/spl';
import { AGG_FUNCS, COMMANDS, indexMatches, Row, SplEngine, rowsToObjects } from '../../src/core/spl/engine';
import { splCommandNames, statsFunctions } from '../../src/facts';
import { ROLES } from './data';

const NOW = 1_800_000_000;
const ev = (o: Record<string, string | string[]>): Row => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

const events: Row[] = [
  ev({ _time: String(NOW - 60), index: 'main', sourcetype: 'a', user: 'alice', action: 'failure', src: '10.0.0.1', _raw: 'login failed for alice', eventtype: ['et_login'], tag: ['authentication'] }),
  ev({ _time: String(NOW - 120), index: 'main', sourcetype: 'a', user: 'alice', action: 'success', src: '10.0.0.1', _raw: 'login ok alice', eventtype: ['et_login'], tag: ['authentication'] }),
  ev({ _time: String(NOW - 3000), index: 'main', sourcetype: 'a', user: 'bob', action: 'failure', src: '10.0.0.2', _raw: 'login failed for bob', eventtype: ['et_login'], tag: ['authentication'] }),
  ev({ _time: String(NOW - 7200), index: 'zerotrust', sourcetype: 'b', user: 'carol', _raw: 'change by carol', eventtype: ['et_change'], tag: ['change'] }),
  ev({ _time: String(NOW - 100), index: '_internal', sourcetype: 'log', _raw: 'run_summary status=failed', status: 'failed', stanza: 's://x' }),
];
const macros = macrosFromConf(`[idx]\ndefinition = index=main\n\n[thr(1)]\nargs = n\ndefinition = where c >= $n$\n`);
const lookups = new Map([['users', { header: ['user', 'dept'], rows: [['alice', 'ops'], ['bob', 'dev']] }]]);
const make = (role = ROLES.user) => new SplEngine({ events, macros, lookups, role, now: NOW });
const run = (s: string, role = ROLES.user, earliest = '0') => rowsToObjects(make(role).run(s, { earliest, latest: 'now' }).rows);

test('unsupported commands, functions, options and subsearches throw, naming them', () => {
  expect(() => run('index=main | transaction user')).toThrow(/unsupported command transaction/);
  expect(() => run('index=main | eval x = sha256(user)')).toThrow(/unsupported function sha256/);
  expect(() => run('index=main | stats perc95(x)')).toThrow(/unsupported stats function perc95/);
  expect(() => run('index=main | timechart bins=5 count')).toThrow(/timechart option bins/);
  expect(() => run('index=main [search index=main | head 1]')).toThrow(/subsearch/);
  expect(() => run('| makeresults')).toThrow(/generating command makeresults/);
  expect(() => run('| tstats count WHERE index=main BY user')).toThrow(/tstats on user/);
  expect(() => run('index=main | lookup users user OUTPUT nope')).toThrow(/has no column nope/);
  expect(() => run('`nope`')).toThrow(/macro nope is not defined/);
});

test('roles: user searches main by default and never an internal index through a wildcard', () => {
  expect(indexMatches('*', '_internal')).toBe(false);
  expect(indexMatches('_*', '_internal')).toBe(true);
  expect(run('login').length).toBe(3);
  expect(run('index=* | stats count')[0].count).toBe('4');
  expect(run('index=_internal run_summary').length).toBe(0);
  expect(run('index=_internal run_summary', ROLES.admin).length).toBe(1);
  expect(run('index=* OR index=_* | stats count', ROLES.admin)[0].count).toBe('5');
});

test('macros with arguments; time range; search terms, wildcards, eventtype and tag', () => {
  expect(run('`idx` tag=authentication | stats count AS c BY user | `thr(2)`')).toEqual([{ user: 'alice', c: '2' }]);
  expect(run('`idx` | stats count', ROLES.user, '-30m')[0].count).toBe('2');
  expect(run('index=* user=AL* NOT action=success | table user')).toEqual([{ user: 'alice' }]);
  expect(run('index=* eventtype=et_change OR tag=authentication src=10.0.0.2 | table user')).toEqual([{ user: 'bob' }, { user: 'carol' }]);
});

test('stats: groups ordered by BY values, events without the BY field dropped, values sorted, count(eval())', () => {
  expect(run('index=* | stats count count(eval(action="failure")) AS failed values(action) AS actions latest(action) AS last dc(src) AS srcs BY user')).toEqual([
    { user: 'alice', count: '2', failed: '1', actions: ['failure', 'success'], last: 'failure', srcs: '1' },
    { user: 'bob', count: '1', failed: '1', actions: 'failure', last: 'failure', srcs: '1' },
    { user: 'carol', count: '1', failed: '0', srcs: '0' },
  ]);
  expect(run('index=* | stats count BY src')).toEqual([{ src: '10.0.0.1', count: '2' }, { src: '10.0.0.2', count: '1' }]);
  expect(run('index=nothing | stats count')).toEqual([{ count: '0' }]);
});

test('eval (the knowledge evaluator), where, dedup keeps the newest, top, sort, rename, lookup, fillnull, convert', () => {
  expect(run('index=main | dedup user | table user action')).toEqual([{ user: 'alice', action: 'failure' }, { user: 'bob', action: 'failure' }]);
  expect(run('index=* | top limit=1 user')).toEqual([{ user: 'alice', count: '2', percent: '50' }]);
  expect(run('index=* | eval age = now() - _time | where age > 1000 | sort - age | table user age')).toEqual([{ user: 'carol', age: '7200' }, { user: 'bob', age: '3000' }]);
  expect(run('index=* | lookup users user OUTPUT dept | fillnull value=none dept | stats count BY dept | rename dept AS department')).toEqual([
    { department: 'dev', count: '1' }, { department: 'none', count: '1' }, { department: 'ops', count: '2' },
  ]);
  expect(run('index=main user=bob | convert ctime(_time) AS t | table t')).toEqual([{ t: '01/15/2027 07:10:00' }]);
});

test('timechart: buckets over the whole range, count filled with 0, BY series', () => {
  const rows = run('index=* | timechart span=1h count BY action', ROLES.user, '-3h@h');
  // NOW is on the hour: the range is [NOW-3h, NOW), three buckets.
  expect(rows.map((r) => r._time)).toEqual([NOW - 3 * 3600, NOW - 2 * 3600, NOW - 3600].map(String));
  expect(rows.map((r) => [r.failure, r.success, r.NULL])).toEqual([['0', '0', '0'], ['0', '0', '1'], ['2', '1', '0']]);
});

test('missing fields are reported per command', () => {
  const r = make().run('index=* | stats count BY usr', { earliest: '0' });
  expect(r.missingFields).toEqual([{ command: 'stats', field: 'usr' }]);
});

test('every command and aggregation the engine runs is one Splunk has (searchbnf and the stats function docs)', () => {
  const names = splCommandNames();
  for (const c of COMMANDS) expect({ c, known: names.has(c) }).toEqual({ c, known: true });
  const fns = statsFunctions();
  for (const f of AGG_FUNCS) expect({ f, known: f in fns }).toEqual({ f, known: true });
});

test('an index-time window (dispatch.index_earliest) keeps late-indexed events and drops early ones', () => {
  const late = [
    ev({ _time: String(NOW - 3600), _indextime: String(NOW - 120), index: 'main', user: 'late', _raw: 'x' }),
    ev({ _time: String(NOW - 600), _indextime: String(NOW - 1200), index: 'main', user: 'early', _raw: 'x' }),
  ];
  const en = new SplEngine({ events: late, macros, lookups, role: ROLES.user, now: NOW });
  expect(rowsToObjects(en.run('index=main | table user', { earliest: '-24h', latest: 'now', indexEarliest: '-15m', indexLatest: 'now' }).rows)).toEqual([{ user: 'late' }]);
});

test('tstats over a CIM data model: every constraint from the root down, fields by dataset name, strict otherwise', () => {
  const auth: Row[] = [
    ...events,
    // CIM's Authentication root leaves out successful logins of machine accounts (user ending in $).
    ev({ _time: String(NOW - 90), index: 'main', sourcetype: 'a', user: 'HOST01$', action: 'success', src: '10.0.0.9', _raw: 'machine login', tag: ['authentication'] }),
    ev({ _time: String(NOW - 80), index: 'main', sourcetype: 'a', user: 'dave', action: 'success', src: '10.0.0.3', _raw: 'default account login', tag: ['authentication', 'default'] }),
  ];
  const e = new SplEngine({ events: auth, macros, lookups, role: ROLES.user, now: NOW });
  const q = (s: string) => rowsToObjects(e.run(s, { earliest: '0', latest: 'now' }).rows);
  expect(q('| tstats count from datamodel=Authentication where Authentication.action=failure by Authentication.src')).toEqual([
    { 'Authentication.src': '10.0.0.1', count: '1' },
    { 'Authentication.src': '10.0.0.2', count: '1' },
  ]);
  expect(q('| tstats count from datamodel=Authentication by Authentication.action')).toEqual([
    { 'Authentication.action': 'failure', count: '2' },
    { 'Authentication.action': 'success', count: '2' },
  ]);
  expect(q('| tstats dc(Authentication.user) AS users from datamodel=Authentication.Successful_Default_Authentication')).toEqual([{ users: '1' }]);
  expect(q('| tstats summariesonly=false count from datamodel=Authentication.Failed_Authentication by Authentication.user')).toEqual([
    { 'Authentication.user': 'alice', count: '1' },
    { 'Authentication.user': 'bob', count: '1' },
  ]);
  // CIM's common fields go by the root's name; indexed fields stay unprefixed.
  expect(q('| tstats count from datamodel=Authentication where Authentication.tag=default by sourcetype')).toEqual([{ sourcetype: 'a', count: '1' }]);
  expect(() => q('| tstats count from datamodel=Authentication by src')).toThrow(/src is not a field of Authentication/);
  expect(() => q('| tstats count from datamodel=Authentication where user=alice')).toThrow(/WHERE on user/);
  expect(() => q('| tstats count from datamodel=Authentication by Authentication.nope')).toThrow(/not a field/);
  expect(() => q('| tstats count from datamodel=Nope')).toThrow(/no data model Nope/);
  expect(() => q('| tstats count from datamodel=Authentication.Nope')).toThrow(/no dataset Nope/);
  expect(() => q('| tstats summariesonly=true count from datamodel=Authentication')).toThrow(/no acceleration summaries/);
});
