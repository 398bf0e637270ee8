/**
 * The inputs compile their schemas without ajv's meta-schema check (src/core/schema.ts), so the
 * check runs here, over every schema the vendor list's inputs declare: their record validators
 * against the meta-schema, and their checkpoint states also in ajv's strict mode (a misspelt
 * keyword there would silently accept any state).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DECLARED_SCHEMAS } from '../../src/core/schema';
import { SOURCE_MODULES } from '../../src/sources';

async function sources() {
  return Promise.all(SOURCE_MODULES.flatMap((m) => m.inputs.map(async (i) => ({ scheme: i.description.scheme, source: await i.load() }))));
}

test('every record schema an input declares is valid against the meta-schema', async () => {
  await sources();
  expect(DECLARED_SCHEMAS.length).toBeGreaterThan(0);
  for (const schema of DECLARED_SCHEMAS) {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    expect({ schema, valid: ajv.validateSchema(schema), errors: ajv.errors ?? null }).toEqual({ schema, valid: true, errors: null });
  }
});

test('every checkpoint state schema compiles in strict mode, and a misspelt keyword would not', async () => {
  const withCheckpoint = (await sources()).filter((s) => s.source.checkpoint);
  expect(withCheckpoint.length).toBeGreaterThan(0);
  for (const { scheme, source } of withCheckpoint) {
    const schema = source.checkpoint!.schema;
    expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
    expect([scheme, 'additionalProperties' in schema]).toEqual([scheme, true]);
  }
  expect(() => new Ajv({ strict: true }).compile({ type: 'object', propertie: {} })).toThrow(/unknown keyword/);
});
