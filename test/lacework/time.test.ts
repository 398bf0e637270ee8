import { TimeReader, toApi, windows } from '../../src/sources/lacework/client';

const MS = Date.UTC(2026, 10, 21, 12, 0, 0);

test('times in the configured unit pass without a warning', () => {
  const ms = new TimeReader('ms');
  expect(ms.toMs(MS)).toBe(MS);
  expect(ms.toMs(String(MS))).toBe(MS);
  const s = new TimeReader('s');
  expect(s.toMs(MS / 1000)).toBe(MS);
  expect(ms.warning('x', 'create_time')).toBeUndefined();
  expect(s.warning('x', 'create_time')).toBeUndefined();
});

test('milliseconds read as seconds (year 50000) are read as milliseconds and the warning says time_unit = ms', () => {
  const s = new TimeReader('s');
  expect(s.toMs(MS)).toBe(MS);
  const w = s.warning('lacework_edge_alerts://a', 'create_time');
  expect(w).toMatch(/do not look like seconds \(time_unit = s\) but like milliseconds\. Set time_unit = ms/);
  expect(w).toContain(String(MS));
  // Once per run.
  expect(s.warning('x', 'create_time')).toBeUndefined();
});

test('seconds read as milliseconds (January 1970) are read as seconds and the warning says time_unit = s', () => {
  const ms = new TimeReader('ms');
  expect(ms.toMs(MS / 1000)).toBe(MS);
  expect(ms.warning('x', 'update_time')).toMatch(/Set time_unit = s/);
});

test('zero and absent times are no time at all', () => {
  const ms = new TimeReader('ms');
  expect(ms.toMs(0)).toBeUndefined();
  expect(ms.toMs(undefined)).toBeUndefined();
  expect(ms.toMs('soon')).toBeUndefined();
  expect(ms.warning('x', 'create_time')).toBeUndefined();
});

test('query times and windows', () => {
  expect(toApi(MS + 999, 's')).toBe(MS / 1000);
  expect(toApi(MS, 'ms')).toBe(MS);
  expect([...windows(0, 2500, 1000)]).toEqual([[0, 1000], [1000, 2000], [2000, 2500]]);
  expect([...windows(10, 10, 1000)]).toEqual([]);
});
