import { analyzeSearch, expandMacros, Macro, SplError } from '../../src/build/spl';
import { allSearches, appMacros, dashboardSearches, savedSearches, SPL_COMMANDS } from './searches';

const macros = new Map<string, Macro>([
  ['idx', { args: [], definition: 'index=zt' }],
  ['over(2)', { args: ['field', 'n'], definition: 'where $field$ > $n$' }],
  ['nested', { args: [], definition: '`idx` sourcetype=x' }],
]);

describe('SPL reader', () => {
  it('reads the command list from searchbnf.conf, aliases included', () => {
    for (const c of ['search', 'stats', 'tstats', 'eval', 'lookup', 'inputlookup', 'timechart', 'bin', 'bucket', 'dedup']) expect(SPL_COMMANDS.has(c)).toBe(true);
    expect(SPL_COMMANDS.has('nosuchcommand')).toBe(false);
    expect(SPL_COMMANDS.size).toBeGreaterThan(150);
  });

  it('expands macros with arguments and nested macros, but not inside quoted strings', () => {
    const used = new Set<string>();
    expect(expandMacros('`nested` "`idx`" | `over(count, 5)`', macros, used)).toBe('index=zt sourcetype=x "`idx`" | where count > 5');
    expect([...used].sort()).toEqual(['idx', 'nested', 'over(2)']);
    expect(() => expandMacros('`missing` x', macros)).toThrow(/macro missing is not defined/);
    expect(() => expandMacros('`over(1)` x', macros)).toThrow(/macro over\(1\) is not defined/);
    expect(() => expandMacros('`idx x', macros)).toThrow(SplError);
  });

  it('splits pipelines at pipes outside quotes and subsearches, and reads subsearch commands', () => {
    const a = analyzeSearch('`idx` a="x | y" [search b=1 | fields c | rex field=c "(?<d>\\w+)"] | eval e = "|" | stats count BY f', macros);
    expect(a.commands).toEqual(['search', 'search', 'fields', 'rex', 'eval', 'stats']);
    expect(analyzeSearch('| tstats count WHERE index=x BY host | where count > 1', macros).commands).toEqual(['tstats', 'where']);
  });

  it('finds eventtypes, lookups and fields read from events', () => {
    const a = analyzeSearch(
      '`idx` (eventtype="a.b" OR eventtype=c) user=* | lookup t key AS src OUTPUT label AS l | stats sum(bytes) AS bytes values(l) BY dest | where bytes > 1',
      macros,
    );
    expect(a.eventtypes).toEqual(['a.b', 'c']);
    expect(a.lookups).toEqual(['t']);
    expect(a.fields.sort()).toEqual(['bytes', 'dest', 'eventtype', 'index', 'src', 'user']);
  });

  it('rejects broken quoting and brackets', () => {
    expect(() => analyzeSearch('a="x', macros)).toThrow(/unterminated double quote/);
    expect(() => analyzeSearch('a [search b', macros)).toThrow(/unbalanced/);
    expect(() => analyzeSearch('a | | stats count', macros)).toThrow(/empty command/);
  });
});

describe('shipped searches', () => {
  const searches = allSearches();

  it('exist: saved searches and dashboard queries', () => {
    expect(savedSearches().length).toBeGreaterThanOrEqual(12);
    expect(dashboardSearches().length).toBeGreaterThanOrEqual(20);
  });

  it('use only commands that searchbnf.conf of Splunk 10.2.3 declares', () => {
    const unknown = searches.flatMap((s) => analyzeSearch(s.search, appMacros()).commands.filter((c) => !SPL_COMMANDS.has(c)).map((c) => `${s.where}: ${c}`));
    expect(unknown).toEqual([]);
  });
});
