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
