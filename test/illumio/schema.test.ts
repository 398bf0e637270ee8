/**
 * The validators compile without ajv's meta-schema check (a start-up cost of every run), so the
 * check runs here: every JSON schema an input compiles is valid against ajv's meta-schema.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { alertItem, alertsEnvelope, auditEnvelope, auditItem, historyEnvelope } from '../../src/sources/lacework/client';
import { createEventValidator, eventSchemaV2 } from '../../src/sources/illumio/schema';

function metaCheck(schema: object): void {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  expect(ajv.validateSchema(schema)).toBe(true);
  expect(ajv.errors ?? null).toBeNull();
}

test('the PCE event schema is valid against the meta-schema, and a broken one would not be', () => {
  metaCheck(eventSchemaV2);
  const ajv = new Ajv({ strict: false });
  expect(ajv.validateSchema({ ...eventSchemaV2, required: 'href' })).toBe(false);
});

test('the Lacework envelope and item schemas are valid against the meta-schema and validate on first use', () => {
  for (const v of [auditEnvelope, alertsEnvelope, historyEnvelope, auditItem, alertItem]) metaCheck(v.schema as object);
  expect(auditItem({ uuid: 'u', create_time: '12' })).toBe(true);
  expect(auditItem({ uuid: '', create_time: 1 })).toBe(false);
  expect(auditItem.errors?.[0]?.instancePath).toBe('/uuid');
  expect(auditEnvelope({ audit_events: [] })).toBe(true);
  expect(auditEnvelope.errors).toBeNull();
  expect(auditItem.errors?.[0]?.instancePath).toBe('/uuid');
});

test('validators of several collectors share one compiled schema and keep their own last error', () => {
  const a = createEventValidator();
  const b = createEventValidator();
  expect(a(null)).toBe(false);
  const first = a.lastError();
  expect(b({})).toBe(false);
  expect(a.lastError()).toBe(first);
  expect(b.lastError()).not.toBe(first);
});

test('action is null or an API call with its four fields; src_ip an IPv4 or IPv6 address or FILTERED', () => {
  const v = createEventValidator();
  const base = {
    href: '/orgs/1/events/a1', timestamp: '2026-11-21T10:00:00.123Z', pce_fqdn: 'pce.example.com', created_by: { system: {} },
    event_type: 'user.sign_in', status: 'success', severity: 'info', resource_changes: [], notifications: [],
  };
  const call = { api_endpoint: '/api/v2/users/login', api_method: 'POST', http_status_code: 200, src_ip: '10.1.2.3' };
  const ok = (action: unknown) => v({ ...base, action });
  expect(ok(null)).toBe(true);
  expect(ok(call)).toBe(true);
  for (const ip of ['10.1.2.3', '2001:db8::7', 'FILTERED']) expect(ok({ ...call, src_ip: ip })).toBe(true);
  for (const ip of ['10.1.2.300', 'filtered', 'pce.example.com', 7]) expect(ok({ ...call, src_ip: ip })).toBe(false);
  for (const field of Object.keys(call)) {
    const partial: Record<string, unknown> = { ...call };
    delete partial[field];
    expect(ok(partial)).toBe(false);
    expect(v.lastError()).toContain(field);
  }
  for (const bad of ['POST', 3, [], [call], true]) expect(ok(bad)).toBe(false);
  expect(ok({ ...call, api_method: 'FETCH' })).toBe(false);
  expect(v({ ...base })).toBe(false);
  expect(v.lastError()).toContain('action');
});
