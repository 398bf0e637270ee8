/**
 * The evaluator's building blocks against Splunk's documented behaviour (props.conf.spec,
 * transforms.conf.spec, eval docs), using small confs written for each case.
 */
import { parseConf } from '../../src/core/conf/parse';
import { breakLines, cleanKey, KnowledgeBase, META_CACHE_LIMIT, parseCsv, splitExtract, toJsonObject } from '../../src/core/knowledge';
import { evaluate, parseEval } from '../../src/core/knowledge/eval';
import { FUNCTIONS_TABLE } from '../../src/core/knowledge/functions';
import { applicableStanzas, patternToRegex, readPropsStanzas, resolveSettings } from '../../src/core/knowledge/props';
import { compilePcre, execAll, RegexSubsetError } from '../../src/core/knowledge/regex';
import { matchSearch, parseSearch } from '../../src/core/knowledge/search';
import { extractTimestamp, parseTime } from '../../src/core/knowledge/time';

function kb(props: string, transforms = '', extra: { eventtypes?: string; tags?: string; lookups?: Map<string, string> } = {}) {
  return new KnowledgeBase({
    props: parseConf(props),
    transforms: parseConf(transforms),
    eventtypes: extra.eventtypes ? parseConf(extra.eventtypes) : undefined,
    tags: extra.tags ? parseConf(extra.tags) : undefined,
    lookups: extra.lookups,
  }).assertValid();
}
const fields = (k: KnowledgeBase, raw: string, sourcetype = 'st', more: object = {}) => toJsonObject(k.evaluate(raw, { sourcetype, ...more }));

describe('PCRE2 subset translation', () => {
  it.each([
    ['(?P<n>a+)b', 'xaab', ['aab', 'aa']],
    ["(?'n'a)(?P=n)", 'aa', ['aa', 'a']],
    ['(?i)ABC', 'xabc', ['abc']],
    ['a.c', 'a\nc', null],
    ['(?s)a.c', 'a\nc', ['a\nc']],
    ['b$', 'ab\n', ['b']],
    ['^b', 'a\nb', null],
    ['(?m)^b', 'a\nb', ['b']],
    ['\\s+', 'a\u00a0 b', [' ']],
    ['[]a]+', 'x]a]', [']a]']],
    ['\\Aab\\z', 'ab', ['ab']],
    ['(?<=x)y', 'xy', ['y']],
    ['a{2}', 'aaa', ['aa']],
    ['a\\/b', 'a/b', ['a/b']],
  ])('%s on %j', (src, subject, want) => {
    const m = compilePcre(src).re.exec(subject);
    expect(m ? Array.from(m) : null).toEqual(want);
  });

  it.each([
    ['a++', 'possessive'],
    ['(?>a)', 'atomic'],
    ['(a)(?1)', 'recursion'],
    ['a(?i)b', 'inline option'],
    ['\\p{L}', 'escape \\p'],
    ['\\Qa\\E', 'escape \\Q'],
    ['[[:alpha:]]', 'POSIX'],
    ['(?<=a+)b', 'lookbehind'],
    ['(?x)a b', 'inline option'],
    ['a{,3}', '{,n}'],
    ['(?<n>a)(?<n>b)', 'duplicate'],
    ['(a', 'unbalanced'],
    ['\\K', 'escape \\K'],
  ])('refuses %s', (src, why) => {
    expect(() => compilePcre(src)).toThrow(RegexSubsetError);
    expect(() => compilePcre(src)).toThrow(why);
  });

  it('repeats after the previous match and numbers named groups like PCRE2', () => {
    const c = compilePcre('(?<k>\\w+)=(\\w+)');
    expect(c.groupNames).toEqual([undefined, 'k', undefined]);
    expect(execAll(c, 'a=1 b=2').map((m) => m.groups.slice(1))).toEqual([['a', '1'], ['b', '2']]);
  });
});

describe('props.conf precedence', () => {
  const props = parseConf(
    '[st]\nTZ = A\nKV_MODE = none\n[host::web*]\nTZ = B\n[source::/var/log/...]\nTZ = C\n[source::/var/log/a...]\nTZ = D\n[source::/var/log/z...]\nTZ = E\npriority = 5\n[host::(?-i)DB]\nTZ = F\n',
  );
  const all = readPropsStanzas(props);
  it('source:: beats host:: beats sourcetype, priority beats ASCII order', () => {
    expect(resolveSettings(all, { sourcetype: 'st' }).settings.get('TZ')).toBe('A');
    expect(resolveSettings(all, { sourcetype: 'st', host: 'WEB01' }).settings.get('TZ')).toBe('B');
    expect(resolveSettings(all, { sourcetype: 'st', host: 'web01', source: '/var/log/x' }).settings.get('TZ')).toBe('C');
    // [source::/var/log/...] and [source::/var/log/a...] both match; ASCII order: "/var/log/..." < "/var/log/a..." so ... wins.
    expect(resolveSettings(all, { sourcetype: 'st', source: '/var/log/ab' }).settings.get('TZ')).toBe('C');
    expect(resolveSettings(all, { sourcetype: 'st', source: '/var/log/zz' }).settings.get('TZ')).toBe('E');
    expect(applicableStanzas(all, { sourcetype: 'st', host: 'db' }).map((s) => s.name)).toEqual(['st']);
  });
  it('translates ... and * (no path separator) and anchors the whole name', () => {
    expect(patternToRegex('...ta_*.log', false).test('/opt/splunk/var/log/splunk/ta_x.log')).toBe(true);
    expect(patternToRegex('/a/*.log', false).test('/a/b/c.log')).toBe(false);
    expect(patternToRegex('/a/*.log', false).test('/a/c.logx')).toBe(false);
  });
  it('a [source::] sourcetype assignment selects that sourcetype\'s stanza', () => {
    const k = kb('[source::...app_*.log]\nsourcetype = app:log\n[app:log]\nKV_MODE = none\nEXTRACT-x = (?<lvl>[A-Z]+)\n');
    expect(fields(k, 'x INFO y', 'whatever', { source: '/l/app_1.log' })).toMatchObject({ sourcetype: 'app:log', lvl: 'INFO' });
    expect(k.sourcetypes()).toEqual(['app:log']);
  });
});

describe('search-time sequence', () => {
  it('EXTRACT runs as (?ms), in class order, and `in <field>` reads an earlier EXTRACT', () => {
    const k = kb('[st]\nKV_MODE = none\nEXTRACT-a = ^id=(?<id>\\S+)\nEXTRACT-b = (?<num>\\d+)$ in id\nEXTRACT-c = (?<tail>b.c)\n');
    expect(fields(k, 'x\nid=ab12\nb\nc')).toMatchObject({ id: 'ab12', num: '12', tail: 'b\nc' });
    expect(splitExtract('(?<a>x) in src_field')).toEqual({ regex: '(?<a>x)', inField: 'src_field' });
  });

  it('REPORT: FORMAT $1::$2 repeats, cleans keys, MV_ADD, named groups once, _KEY_/_VAL_, DELIMS/FIELDS', () => {
    const k = kb(
      '[st]\nKV_MODE = none\nREPORT-a = kv, once, pairs, delims, fieldsx\n',
      '[kv]\nREGEX = (\\S+)=(\\d+)\nFORMAT = $1::$2\n[once]\nREGEX = (?<first>\\d+)\n[pairs]\nREGEX = (?<_KEY_1>[a-z]+):(?<_VAL_1>[a-z]+)\nMV_ADD = true\n[delims]\nSOURCE_KEY = csv\nDELIMS = ";", ":"\n[fieldsx]\nSOURCE_KEY = first\nDELIMS = "0"\nFIELDS = "left", "right"\n',
    );
    const o = fields(k, '9-bad.key=1 b=2 b=3 x:y x:z csv=');
    expect(o).toMatchObject({ bad_key: '1', b: '2', first: '9', x: ['y', 'z'] });
    expect(cleanKey('9-bad.key')).toBe('bad_key');
    const k2 = kb('[st]\nKV_MODE = none\nEXTRACT-c = c=(?<csv>\\S+)\nREPORT-d = d\n', '[d]\nSOURCE_KEY = csv\nDELIMS = ";", ":"\n');
    expect(fields(k2, 'c=a:1;;b:2')).toMatchObject({ a: '1', b: '2' });
  });

  it('KV_MODE=json: Splunk names, multivalue arrays, null as text, empty containers and values dropped', () => {
    const k = kb('[st]\nKV_MODE = json\n');
    const o = fields(k, '{"a":{"b":1.0,"c":null,"d":{}},"e":[{"f":"x"},{"f":"y"}],"g":[1,[2,3]],"h":"","i":true}');
    expect(o).toMatchObject({ 'a.b': '1.0', 'a.c': 'null', 'e{}.f': ['x', 'y'], 'g{}': '1', 'g{}{}': ['2', '3'], i: 'true' });
    expect(o).not.toHaveProperty('a.d');
    expect(o).not.toHaveProperty('h');
    expect(fields(k, 'prefix {"a":1}')).not.toHaveProperty('a');
  });

  it('FIELDALIAS AS/ASNEW, EVALs in parallel, LOOKUP OUTPUT/OUTPUTNEW', () => {
    const k = kb(
      '[st]\nKV_MODE = json\nFIELDALIAS-a = x AS y missing AS z w ASNEW v\nEVAL-x = y * 2\nEVAL-y = 100\nEVAL-gone = null()\nLOOKUP-l = tbl code OUTPUT name AS label\nLOOKUP-m = tbl code AS v OUTPUTNEW name AS y\n',
      '[tbl]\nfilename = t.csv\n',
      { lookups: new Map([['t.csv', 'code,name\n7,"seven, lucky"\n8,eight\n']]) },
    );
    const o = fields(k, '{"x":4,"z":"old","w":"w1","v":"v0","code":"7","gone":"1"}');
    expect(o).toMatchObject({ x: '8', y: '100', v: 'v0', label: 'seven, lucky' });
    expect(o).not.toHaveProperty('z');
    expect(o).not.toHaveProperty('gone');
    expect(fields(k, '{"code":"9"}')).not.toHaveProperty('label');
    expect(parseCsv('a,"b ""q"""\r\n1,2\n')).toEqual([['a', 'b "q"'], ['1', '2']]);
  });

  it('eventtypes (fields, wildcards, AND/OR/NOT, parentheses, other eventtypes) then tags', () => {
    const k = kb('[st]\nKV_MODE = json\n', '', {
      eventtypes: '[login]\nsearch = sourcetype=st (action=log* OR action=sign_in) NOT status=failure\n[bad]\nsearch = eventtype=login user!=admin\n[num]\nsearch = n>5 "needle"\n',
      tags: '[eventtype=login]\nauthentication = enabled\nold = disabled\n[action=login]\nlogon = enabled\n',
    });
    expect(fields(k, '{"action":"LOGIN","status":"success","user":"bob"}')).toMatchObject({ eventtype: ['bad', 'login'], tag: ['authentication'] });
    expect(fields(k, '{"action":"login","status":"failure"}')).toMatchObject({ eventtype: [], tag: ['logon'] });
    expect(fields(k, '{"n":6,"x":"a NEEDLE"}')).toMatchObject({ eventtype: ['num'] });
    const s = parseSearch('a IN (x, "y z") NOT (b=1 OR b=2)');
    expect(matchSearch(s, { raw: '', get: (f) => ({ a: ['y z'], b: ['3'] })[f] })).toBe(true);
  });

  it('timestamps: TIME_PREFIX, lookahead, TIME_FORMAT, TZ', () => {
    expect(extractTimestamp('x "timestamp": "2018-08-29T22:07:00.978Z"', { TIME_PREFIX: '"timestamp"\\s*:\\s*"', TIME_FORMAT: '%Y-%m-%dT%H:%M:%S.%3N%Z', MAX_TIMESTAMP_LOOKAHEAD: '32' })).toBe(Date.parse('2018-08-29T22:07:00.978Z'));
    expect(extractTimestamp('rt=Mar 06 2020 10:11:12', { TIME_PREFIX: 'rt=', TIME_FORMAT: '%b %d %Y %H:%M:%S', TZ: 'America/New_York' })).toBe(Date.parse('2020-03-06T15:11:12Z'));
    expect(extractTimestamp('"create_time":1763715600123,', { TIME_PREFIX: '"create_time":', TIME_FORMAT: '%s%3N', MAX_TIMESTAMP_LOOKAHEAD: '13' })).toBe(1763715600123);
    expect(extractTimestamp('no time here', { TIME_PREFIX: 'rt=' })).toBeUndefined();
    expect(parseTime('2026-11-21 23:59:59.123 +0100', '%Y-%m-%d %H:%M:%S.%3N %z', 'UTC')!.epochMs).toBe(Date.parse('2026-11-21T22:59:59.123Z'));
  });

  it('LINE_BREAKER discards the first group; TRUNCATE cuts at a byte limit', () => {
    expect(breakLines('a\r\nb\n\nc', '([\\r\\n]+)')).toEqual(['a', 'b', 'c']);
    const k = kb('[st]\nTRUNCATE = 4\nKV_MODE = none\nEXTRACT-a = (?<all>.+)\n');
    expect(fields(k, 'ééé')).toMatchObject({ all: 'éé' });
  });

  it('reports configuration problems at load with file and stanza', () => {
    expect(() => kb('[st]\nEXTRACT-a = (?<x>a++)\n')).toThrow(/EXTRACT-a.*possessive/);
    expect(() => kb('[st]\nEVAL-a = nosuch(x)\n')).toThrow(/unsupported function nosuch/);
    expect(() => kb('[st]\nREPORT-a = missing\n')).toThrow(/missing transforms.conf stanza \[missing\]/);
    expect(() => kb('[st]\nTIME_FORMAT = %Y %G\n')).toThrow(/unsupported variables %G/);
    expect(() => kb('[st]\nKV_MODE = xml\n')).toThrow(/KV_MODE=xml/);
    expect(() => kb('[st]\nLOOKUP-l = tbl OUTPUT name\n', '[tbl]\nfilename = t.csv\n', { lookups: new Map([['t.csv', 'code,name\n']]) })).toThrow(/LOOKUP-l names no field to match on/);
  });

  it('compiles a pipeline once per set of settings, however many sources and hosts events come from', () => {
    const k = kb('[st]\nKV_MODE = none\nEVAL-from = "sourcetype"\n[source::/x/...]\nEVAL-from = "source x"\n[host::h7*]\nEVAL-via = "host h7"\n');
    const afterLoad = k.cacheSizes().pipelines;
    for (let i = 0; i < META_CACHE_LIMIT * 3; i++) {
      const o = fields(k, 'e', 'st', { source: i % 2 ? `/x/${i}.log` : `/y/${i}.log`, host: `h${i}` });
      expect({ i, from: o.from, via: o.via }).toEqual({ i, from: i % 2 ? 'source x' : 'sourcetype', via: String(i).startsWith('7') ? 'host h7' : undefined });
    }
    // Beyond load's ([st] alone among them): st with source x, with host h7*, with both.
    expect(k.cacheSizes()).toEqual({ pipelines: afterLoad + 3, metas: META_CACHE_LIMIT });
  });
});

describe('eval', () => {
  const run = (expr: string, f: Record<string, string | string[]> = {}) =>
    evaluate(parseEval(expr), { get: (n) => (f[n] === undefined ? undefined : ([] as string[]).concat(f[n])) });
  it.each([
    ['if(a=="x", "yes", "no")', { a: 'x' }, 'yes'],
    ['case(a>5, "big", a>1, "mid")', { a: '3' }, 'mid'],
    ['case(a>5, "big")', { a: '3' }, null],
    ['coalesce(nope, \'a.b\', "z")', { 'a.b': 'dotted' }, 'dotted'],
    ['a . "-" . b', { a: '1', b: '2' }, '1-2'],
    ['a + b', { a: '1', b: '2' }, 3],
    ['replace(a, "(\\\\d+)-(\\\\d+)", "\\\\2/\\\\1")', { a: 'x 12-34' }, 'x 34/12'],
    ['match(a, "^us")', { a: 'user' }, true],
    ['nullif(a, "null")', { a: 'null' }, null],
    ['in(a, "x", "y")', { a: 'y' }, true],
    ['mvjoin(m, ",")', { m: ['a', 'b'] }, 'a,b'],
    ['mvindex(m, -1)', { m: ['a', 'b'] }, 'b'],
    ['mvcount(split(a, ";"))', { a: 'x;y;z' }, 3],
    ['spath(j, "a{}.b")', { j: '{"a":[{"b":1},{"b":2}]}' }, ['1', '2']],
    ['spath(j, "{1}.c")', { j: '[{"c":"first"},{"c":"second"}]' }, 'first'],
    ['lower(a) LIKE "ab%"', { a: 'ABC' }, true],
    ['NOT isnull(a) AND len(a)==3', { a: 'abc' }, true],
    ['substr(a, 2, 2)', { a: 'hello' }, 'el'],
    ['tonumber("0x1F", 16)', {}, 31],
    ['strftime(strptime("2020-01-02", "%Y-%m-%d"), "%F")', {}, '2020-01-02'],
  ])('%s', (expr, f, want) => {
    expect(run(expr, f as Record<string, string>)).toEqual(want);
  });

  it.each(Object.entries(FUNCTIONS_TABLE))('%s(): the table\'s arity and regex argument are what the parser enforces', (name, def) => {
    const [lo, hi] = def.arity;
    const call = (n: number, regex = '"x"') => `${name}(${Array.from({ length: n }, (_, i) => (i === def.regexArg ? regex : `a${i}`)).join(', ')})`;
    expect(() => parseEval(call(lo))).not.toThrow();
    expect(() => parseEval(call(hi))).not.toThrow();
    if (lo > 0) expect(() => parseEval(call(lo - 1))).toThrow(`${name}() takes ${lo}..${hi} arguments, got ${lo - 1}`);
    expect(() => parseEval(call(hi + 1))).toThrow(`${name}() takes ${lo}..${hi} arguments, got ${hi + 1}`);
    if (def.regexArg !== undefined) {
      expect(() => parseEval(call(lo, 'pattern'))).toThrow(`${name}() needs a literal regex`);
      expect(() => parseEval(call(lo, '"a++"'))).toThrow(/possessive/);
    }
  });

  it('textual results stay text under +; unknown names are refused with the table\'s names', () => {
    expect(run('tostring(1) + tostring(2)')).toBe('12');
    expect(run('substr("12", 1) + lower("3")')).toBe('123');
    expect(run('abs(-1) + abs(2)')).toBe(3);
    expect(() => parseEval('constructor(1)')).toThrow(/unsupported function constructor\(\) \(supported: abs, case, /);
  });
});

describe('our props.conf', () => {
  it('gives the four Illumio sourcetypes the same calculated fields (the normalisation) and valid index-time settings', () => {
    const all = readPropsStanzas(parseConf(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'default', 'props.conf'), 'utf8')));
    const st = (n: string) => all.find((s) => s.name === n)!;
    const evals = (n: string) => [...st(n).settings.keys()].filter((k) => k.startsWith('EVAL-')).sort();
    const base = evals('illumio:pce:event');
    for (const n of ['illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef']) expect(evals(n)).toEqual(expect.arrayContaining(base));
    for (const n of ['illumio:pce:event', 'illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef', 'pan:prisma_saas', 'lacework:edge:audit', 'lacework:edge:alert', 'ta_zerotrust_events:log']) {
      const s = st(n).settings;
      expect({ n, lm: s.get('SHOULD_LINEMERGE'), lb: s.get('LINE_BREAKER'), kv: ['json', 'none'].includes(s.get('KV_MODE')!) }).toEqual({ n, lm: 'false', lb: '([\\r\\n]+)', kv: true });
      for (const k of ['TRUNCATE', 'TIME_PREFIX', 'TIME_FORMAT', 'MAX_TIMESTAMP_LOOKAHEAD', 'TZ', 'AUTO_KV_JSON']) expect(s.has(k)).toBe(true);
    }
    // Illumio events with large resource_changes must not be cut.
    expect(Number(st('illumio:pce:event').settings.get('TRUNCATE'))).toBeGreaterThanOrEqual(1000000);
  });
});
