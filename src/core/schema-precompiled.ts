/**
 * In the run bundles this module is replaced by ajv's standalone code for every schema the inputs
 * declare (src/build/validators.ts, at build time), so a run neither carries nor starts ajv. Here,
 * in development and tests, it is empty and src/core/schema.ts compiles with ajv on first use.
 */
import type { ValidateFunction } from 'ajv';

/** validatorKey(schema, formats) → the validator ajv generated for it at build time. */
export const PRECOMPILED: ReadonlyMap<string, ValidateFunction> | undefined = undefined;
