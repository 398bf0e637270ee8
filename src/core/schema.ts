/**
 * JSON schemas as the inputs use them: one ajv per process, loaded and each schema compiled on
 * first use. splunkd's --scheme call and a form's validation compile nothing, and a run compiles
 * only the schemas it reaches. ajv's check of a schema against its meta-schema (compiling the
 * meta-schema first, ~70 ms of a launcher's start) is skipped here: every schema is a constant
 * of ours, and test/core/schema.test.ts checks each one in strict mode against the meta-schema.
 *
 * The run bundles carry no ajv at all: src/build/validators.ts generates ajv's standalone code for
 * every declared schema at build time (./schema-precompiled.ts in the bundle), looked up here by
 * the schema's text and formats; test/build/validators.test.ts checks that they agree.
 */
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { PRECOMPILED } from './schema-precompiled';

/** Formats a schema may use (./schema-formats.ts); added to the shared ajv when a schema needs them. */
export type SchemaFormat = 'date-time' | 'ipv4' | 'ipv6';

let ajv: Ajv | undefined;
const formatsAdded = new Set<SchemaFormat>();

/** Every schema declared through lazyValidator, for the meta-schema test. */
export const DECLARED_SCHEMAS: object[] = [];
/** The same, with the formats each one was declared with (the build precompiles these). */
export const DECLARED_VALIDATORS: { schema: object; formats: readonly SchemaFormat[] }[] = [];

/** How a precompiled validator is found: the schema's JSON and its formats. */
export function validatorKey(schema: object, formats: readonly SchemaFormat[]): string {
  return JSON.stringify([schema, [...formats].sort()]);
}

function compile(schema: object, formats: readonly SchemaFormat[]): ValidateFunction {
  const pre = PRECOMPILED?.get(validatorKey(schema, formats));
  if (pre) return pre;
  if (!ajv) {
    const AjvClass = (require('ajv') as typeof import('ajv')).default;
    ajv = new AjvClass({ allErrors: false, strict: false, validateSchema: false });
  }
  const missing = formats.filter((f) => !formatsAdded.has(f));
  if (missing.length) {
    // The same definitions the generated validators use (a faster, equivalent date-time).
    const { FORMATS } = require('./schema-formats') as typeof import('./schema-formats');
    for (const f of missing) {
      ajv.addFormat(f, FORMATS[f]);
      formatsAdded.add(f);
    }
  }
  return ajv.compile(schema);
}

/**
 * A validator of `schema` that compiles on its first call; several callers of one validator
 * share the compiled code. `errors` and `schema` behave as on ajv's own validate functions.
 */
export function lazyValidator(schema: object, formats: readonly SchemaFormat[] = []): ValidateFunction {
  DECLARED_SCHEMAS.push(schema);
  DECLARED_VALIDATORS.push({ schema, formats });
  let compiled: ValidateFunction | undefined;
  const fn = ((data: unknown): boolean => {
    compiled ??= compile(schema, formats);
    const ok = compiled(data) as boolean;
    fn.errors = compiled.errors;
    return ok;
  }) as ValidateFunction;
  fn.errors = null;
  fn.schema = schema;
  return fn;
}
