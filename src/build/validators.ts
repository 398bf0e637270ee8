/**
 * ajv's standalone code for every schema the inputs declare, generated when the bundles are built
 * (src/build/bundle.ts puts it in place of src/core/schema-precompiled.ts), so that a run bundle
 * carries no ajv (~130 KB with fast-uri) and a run compiles no schema. Generated from the same
 * schema objects at every build, so it cannot drift from them; test/build/validators.test.ts
 * checks that every declared schema has one and that it judges records as ajv's compile does.
 *
 * The schemas: those declared through lazyValidator while the vendors' code loads (record
 * validators, with their formats) and each input's checkpoint format. Each set of formats gets
 * an ajv of its own, as src/core/schema.ts adds only the formats a schema asks for.
 */
import * as path from 'path';
import Ajv, { Name } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { build } from 'esbuild';
import { DECLARED_VALIDATORS, validatorKey, type SchemaFormat } from '../core/schema';
import { FORMATS } from '../core/schema-formats';
import type { SourceModule } from '../core/source-module';

export interface Declared {
  schema: object;
  formats: readonly SchemaFormat[];
}

/** validatorKey → schema and formats, for every validator the modules' inputs can use. */
export async function declaredValidators(modules: readonly SourceModule[]): Promise<Map<string, Declared>> {
  const sources = await Promise.all(modules.flatMap((m) => m.inputs.map((i) => i.load())));
  const all: Declared[] = [
    ...DECLARED_VALIDATORS,
    ...sources.flatMap((s) => (s.checkpoint ? [{ schema: s.checkpoint.schema, formats: [] }] : [])),
  ];
  return new Map(all.map((d) => [validatorKey(d.schema, d.formats), d]));
}

/**
 * The name the generated module gives src/core/schema-formats.ts's FORMATS. Standalone code
 * refers to a non-regexp format (date-time) as `${code.formats}["date-time"]`; ajv-formats would
 * make that its own `require("ajv-formats/dist/formats").fullFormats`, i.e. without our fast path.
 */
const FORMATS_NAME = new Name('taSchemaFormats');

/** The options and formats src/core/schema.ts compiles with, plus the generated source standalone needs. */
export function standaloneAjv(formats: readonly SchemaFormat[]): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false, code: { source: true, formats: FORMATS_NAME } });
  for (const f of formats) ajv.addFormat(f, FORMATS[f]);
  return ajv;
}

/**
 * src/core/schema-formats.ts compiled to plain JavaScript, evaluating to its exports. Inlined
 * rather than require()d: the generated module must also run where a .ts file cannot be
 * required (test/build/validators.test.ts evaluates it with node's own require). Packages stay
 * require()s, so the run bundle takes ajv-formats' table (and its licence notice) as before.
 */
async function formatsModuleCode(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, '..', 'core', 'schema-formats.ts')],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return `(function () { const module = { exports: {} }; const exports = module.exports;\n${result.outputFiles[0].text}\nreturn module.exports; })()`;
}

/** A CommonJS module exporting PRECOMPILED: validatorKey → validate function. */
export async function validatorsModule(modules: readonly SourceModule[]): Promise<string> {
  const byFormats = new Map<string, [string, Declared][]>();
  for (const [key, d] of await declaredValidators(modules)) {
    const f = [...d.formats].sort().join(',');
    byFormats.set(f, [...(byFormats.get(f) ?? []), [key, d]]);
  }
  const parts = ['"use strict";', 'const PRECOMPILED = new Map();', `const ${FORMATS_NAME} = ${await formatsModuleCode()}.FORMATS;`];
  for (const entries of byFormats.values()) {
    const ajv = standaloneAjv(entries[0][1].formats);
    const refs: Record<string, string> = {};
    entries.forEach(([, d], i) => {
      ajv.addSchema(d.schema, `v${i}`);
      refs[`v${i}`] = `v${i}`;
    });
    // Each set in a scope of its own: standalone code names its functions validate0, validate1… per ajv.
    parts.push('{', 'const exports = {};', '(function (exports) {', standaloneCode(ajv, refs), '})(exports);');
    entries.forEach(([key], i) => parts.push(`PRECOMPILED.set(${JSON.stringify(key)}, exports.v${i});`));
    parts.push('}');
  }
  parts.push('exports.PRECOMPILED = PRECOMPILED;', '');
  return parts.join('\n');
}
