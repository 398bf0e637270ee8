import { formatConf, parseConf, toMap } from './parse';

describe('parseConf', () => {
  it('reads stanzas, comments, keys before the first header and last-wins keys', () => {
    const c = parseConf('a = 1\n# comment\n[x]\nk = v # not a comment\nk = w\n[source::...[a-z]]\nTZ = UTC\n');
    const m = toMap(c);
    expect(m.get('default')?.get('a')).toBe('1');
    expect(m.get('x')?.get('k')).toBe('w');
    expect(c.stanzas[1].entries[0].value).toBe('v # not a comment');
    expect(m.get('source::...[a-z]')?.get('TZ')).toBe('UTC');
  });

  it('joins backslash continuations keeping the newline', () => {
    const c = parseConf('[s]\nsearch = index=a \\\n| stats count\nnext = 1\n');
    expect(toMap(c).get('s')?.get('search')).toBe('index=a \n| stats count');
    expect(toMap(c).get('s')?.get('next')).toBe('1');
  });

  it('round-trips through formatConf', () => {
    const text = formatConf([{ name: 'a', entries: [['k', 'line1\n| line2'], ['j', 'x=y']] }]);
    expect(toMap(parseConf(text)).get('a')).toEqual(new Map([['k', 'line1 \n| line2'], ['j', 'x=y']]));
  });

  // Splunk's shipped default confs are parsed by `npm run facts`, which refuses any with a line
  // this parser cannot read; the repository keeps their keys (src/facts/shipped-confs.json), not their text.
});
