/**
 * The loopback HEC receiver refuses what Splunk refuses, with Splunk's codes: no or wrong token,
 * no channel with acks on, an event object without `event` or with a blank one, bytes between
 * objects, a body over max_content_length; health answers; an ack is reported true once.
 */
import { gzipSync } from 'node:zlib';
import { startHecReceiver, type HecReceiver } from '../../src/core/standalone/hec-receiver';

const TOKEN = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
let hec: HecReceiver;
afterEach(() => hec?.close());

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${hec.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { authorization: `Splunk ${TOKEN}`, 'x-splunk-request-channel': '11111111-1111-1111-1111-111111111111', ...headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('refusals carry Splunk status and code', async () => {
  hec = await startHecReceiver({ token: TOKEN, maxContentLength: 2048 });
  expect(await post('/services/collector/event', '{"event":"x"}', { authorization: '' })).toEqual({ status: 401, json: { text: 'Token is required', code: 2 } });
  expect(await post('/services/collector/event', '{"event":"x"}', { authorization: 'Splunk nope' })).toEqual({ status: 403, json: { text: 'Invalid token', code: 4 } });
  expect(await post('/services/collector/event', '{"event":"x"}', { 'x-splunk-request-channel': '' })).toMatchObject({ status: 400, json: { code: 10 } });
  expect(await post('/services/collector/event', '{"event":"a"}{"time":1}')).toEqual({ status: 400, json: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 } });
  expect(await post('/services/collector/event', '{"event":""}')).toMatchObject({ status: 400, json: { code: 13, 'invalid-event-number': 0 } });
  expect(await post('/services/collector/event', '{"event":"a"} junk')).toMatchObject({ status: 400, json: { code: 6 } });
  expect(await post('/services/collector/event', '  ')).toMatchObject({ status: 400, json: { code: 5 } });
  expect((await post('/services/collector/event', `{"event":"${'x'.repeat(3000)}"}`)).status).toBe(413);
  // The limit is on the decompressed bytes, as a gzip bomb would otherwise get through.
  expect((await post('/services/collector/event', gzipSync(`{"event":"${'x'.repeat(3000)}"}`), { 'content-encoding': 'gzip' })).status).toBe(413);
  expect(await post('/services/collector/raw', 'x')).toMatchObject({ status: 404 });
  const health = await fetch(`${hec.url}/services/collector/health`);
  expect([health.status, await health.json()]).toEqual([200, { text: 'HEC is healthy', code: 17 }]);
});

test('acks: an ackId per channel, reported true once, then forgotten; events counted through onStore', async () => {
  const seen: unknown[] = [];
  const confirmed: number[] = [];
  hec = await startHecReceiver({ token: TOKEN, onStore: (r) => seen.push(...r.events.map((e) => e.event)), onConfirm: (r) => confirmed.push(r.ackId!) });
  expect(await post('/services/collector/event', '{"event":"a"}\n{"event":{"b":1},"sourcetype":"st"}')).toEqual({ status: 200, json: { text: 'Success', code: 0, ackId: 0 } });
  expect(await post('/services/collector', '{"event":"c"}', { 'content-encoding': 'identity' })).toEqual({ status: 200, json: { text: 'Success', code: 0, ackId: 1 } });
  expect(seen).toEqual(['a', { b: 1 }, 'c']);
  expect(hec.stored).toEqual([]);
  expect(await post('/services/collector/ack', '{"acks":[0,1,7]}')).toEqual({ status: 200, json: { acks: { 0: true, 1: true, 7: false } } });
  expect(await post('/services/collector/ack', '{"acks":[0]}')).toEqual({ status: 200, json: { acks: { 0: false } } });
  expect(confirmed).toEqual([0, 1]);
  expect(hec.counts.get('event 200')).toBe(2);
});
