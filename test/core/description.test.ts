import { ConfigError } from '../../src/core/errors';
import { defineInput, httpsUrlCheck, parseConfig, type ConfigOf } from '../../src/core/description';
import { descriptionsOf } from '../../src/core/source-module';
import { parseStartDate } from '../../src/core/time';
import { SOURCE_MODULES } from '../../src/sources';

const descriptions = descriptionsOf(SOURCE_MODULES);

const desc = defineInput({
  scheme: 'feed', title: 'Feed', description: 'd', sourcetype: 'x', defaultInterval: 60,
  args: [
    { name: 'url', title: 'URL', description: '', type: 'string', required: true, check: httpsUrlCheck },
    { name: 'n', title: 'N', description: '', type: 'number', default: 5, min: 1, max: 10 },
    { name: 'on', title: 'On', description: '', type: 'boolean', default: true },
    { name: 'kinds', title: 'Kinds', description: '', type: 'string', list: true, choices: ['a', 'b'] },
    { name: 'secret', title: 'Secret', description: '', type: 'string', secret: true },
  ],
});

function fieldOf(params: Record<string, string>): string | undefined {
  try {
    parseConfig(desc, params, 'feed://x');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).field;
  }
  return undefined;
}

describe('parseConfig', () => {
  it('types values, applies defaults and keeps secrets untrimmed', () => {
    expect(parseConfig(desc, { url: ' https://h:8443 ', on: 'no', kinds: 'a, b', secret: ' s p ' })).toEqual({
      url: 'https://h:8443', n: 5, on: false, kinds: ['a', 'b'], secret: ' s p ',
    });
  });

  it('names the field that is wrong', () => {
    expect(fieldOf({})).toBe('url');
    expect(fieldOf({ url: 'https://h', n: '11' })).toBe('n');
    expect(fieldOf({ url: 'https://h', n: '1e3' })).toBe('n');
    expect(fieldOf({ url: 'https://h', on: 'maybe' })).toBe('on');
    expect(fieldOf({ url: 'https://h', kinds: 'a,c' })).toBe('kinds');
    expect(fieldOf({ url: 'https://h' })).toBeUndefined();
  });

  it('refuses plain http except to this host, and credentials in URLs', () => {
    expect(httpsUrlCheck('http://pce.example.com')).toMatch(/must start with https:\/\//);
    expect(httpsUrlCheck('ftp://pce.example.com')).toMatch(/must start with https:\/\//);
    expect(httpsUrlCheck('https://u:p@pce.example.com')).toMatch(/must not contain credentials/);
    expect(httpsUrlCheck('http://127.0.0.1:8443')).toBeUndefined();
    expect(httpsUrlCheck('http://[::1]:8443')).toBeUndefined();
    expect(httpsUrlCheck('https://pce.example.com:8443')).toBeUndefined();
  });

  it('every shipped input refuses http base URLs to remote hosts', () => {
    for (const d of descriptions) {
      const urlArg = d.args.find((a) => a.name === 'pce_url' || a.name === 'base_url')!;
      expect(urlArg.check?.('http://api.example.com', {})).toMatch(/https:\/\//);
    }
  });
});

describe('parseStartDate', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  it('reads relative and ISO 8601 dates, zone-less as UTC', () => {
    expect(parseStartDate('-7d', now)).toBe(now - 7 * 86400e3);
    expect(parseStartDate('-90s', now)).toBe(now - 90e3);
    expect(parseStartDate('2026-01-31', now)).toBe(Date.UTC(2026, 0, 31));
    expect(parseStartDate('2026-01-31T10:00:00', now)).toBe(Date.UTC(2026, 0, 31, 10));
    expect(parseStartDate('2026-01-31T10:00:00+02:00', now)).toBe(Date.UTC(2026, 0, 31, 8));
  });
  it('refuses what it cannot read', () => {
    for (const bad of ['yesterday', '7d', '-7y', '2026-13-45', '']) expect(parseStartDate(bad, now)).toBeUndefined();
  });
});

describe('ConfigOf', () => {
  type Feed = ConfigOf<typeof desc>;

  it('types what parseConfig returns: required and defaulted keys present, numbers, booleans, lists of choices', () => {
    const defaults: Feed = { url: 'https://h.example.com', n: 5, on: true };
    expect(parseConfig(desc, { url: 'https://h.example.com' })).toEqual(defaults);
    const full: Feed = { url: 'https://h.example.com', n: 7, on: false, kinds: ['a', 'b'], secret: 's' };
    expect(parseConfig(desc, { url: 'https://h.example.com', n: '7', on: '0', kinds: 'a, b', secret: 's' })).toEqual(full);
    // What the compiler refuses (npm run typecheck checks these lines):
    // @ts-expect-error a number argument is a number
    const text: Feed = { ...defaults, n: '5' };
    // @ts-expect-error a required argument is there
    const missing: Feed = { n: 5, on: true };
    // @ts-expect-error a list of choices holds choices only
    const unknownItem: Feed = { ...defaults, kinds: ['c'] };
    // @ts-expect-error no key the description does not declare
    const extra: Feed = { ...defaults, other: 1 };
    expect([text, missing, unknownItem, extra]).toHaveLength(4);
  });
});
