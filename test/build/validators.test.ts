/**
 * The validators the run bundles carry instead of ajv (src/build/validators.ts): generated from
 * every schema the inputs declare, each one judging records exactly as ajv's runtime compile of
 * the same schema does (src/core/schema.ts in development). That the run bundles hold no ajv
 * compiler is checked with the bundles' contents in test/e2e/launcher-bundle.test.ts.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import Ajv, { type FormatDefinition, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { declaredValidators, validatorsModule } from '../../src/build/validators';
import { DECLARED_VALIDATORS, lazyValidator, validatorKey } from '../../src/core/schema';
import { SOURCE_MODULES } from '../../src/sources';
import { eventSchemaV2 } from '../../src/sources/illumio/schema';
import { arbitraryStrings, commonDateTimes, dateTimeShapes, leapSeconds, mutatedDateTimes } from '../support/date-times';

const ROOT = path.resolve(__dirname, '..', '..');

/** The generated module as the run bundles load it; `require` as node's own (no .ts, no jest transform). */
async function generated(require: NodeJS.Require = createRequire(path.join(ROOT, 'package.json'))): Promise<Map<string, ValidateFunction>> {
  const code = await validatorsModule(SOURCE_MODULES);
  const mod = { exports: {} as { PRECOMPILED?: Map<string, ValidateFunction> } };
  new Function('exports', 'require', 'module', code)(mod.exports, require, mod);
  return mod.exports.PRECOMPILED!;
}

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; const?: unknown; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[]; format?: string };

/** A record shaped after the schema (not always valid: patterns and bounds are not followed). */
function instanceOf(s: Schema, depth = 0): unknown {
  if (depth > 6) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return instanceOf(alt[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, instanceOf(v, depth + 1)]));
    case 'array': return s.items ? [instanceOf(s.items, depth + 1)] : [];
    case 'integer': case 'number': return 1;
    case 'boolean': return true;
    case 'null': return null;
    case 'string': return s.format === 'date-time' ? '2026-11-21T23:59:59.123Z' : s.format === 'ipv4' ? '203.0.113.7' : s.format === 'ipv6' ? '2001:db8::1' : 'x';
    default: return {};
  }
}

const ODD = [null, 0, -1, 1.5, '', 'x', '12', true, [], {}, [1], '2026-13-40T99:00:00Z', '999.1.1.1', 'not:an:ip::x', '2026-11-21T23:59:59Z'];

/** The record, and each of its properties (to two levels) replaced by odd values or deleted. */
function variants(base: unknown): unknown[] {
  const out: unknown[] = [base, ...ODD];
  const walk = (v: unknown, set: (x: unknown) => unknown, depth: number) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || depth > 1) return;
    for (const k of Object.keys(v)) {
      const replace = (x: unknown) => set({ ...(v as object), [k]: x });
      const { [k]: _drop, ...without } = v as Record<string, unknown>;
      out.push(set(without));
      for (const o of ODD) out.push(replace(o));
      walk((v as Record<string, unknown>)[k], replace, depth + 1);
    }
  };
  walk(base, (x) => x, 0);
  return out;
}

test('every schema the inputs declare, with its formats, and every checkpoint format has a generated validator', async () => {
  const pre = await generated();
  const declared = await declaredValidators(SOURCE_MODULES);
  expect([...pre.keys()].sort()).toEqual([...declared.keys()].sort());
  for (const d of DECLARED_VALIDATORS) expect(pre.has(validatorKey(d.schema, d.formats))).toBe(true);
  const sources = await Promise.all(SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => i.load())));
  const checkpoints = sources.filter((s) => s.checkpoint);
  expect(checkpoints.length).toBeGreaterThan(0);
  for (const s of checkpoints) expect(pre.has(validatorKey(s.checkpoint!.schema, []))).toBe(true);
  expect([...declared.values()].some((d) => d.formats.length > 0)).toBe(true);
});

test('each generated validator judges records as ajv compiling the same schema does: verdict and first error', async () => {
  const pre = await generated();
  const samples = JSON.parse(fs.readFileSync(path.join(ROOT, 'src', 'sources', 'illumio', 'samples', 'events.json'), 'utf8')) as unknown[];
  let compared = 0;
  let valid = 0;
  for (const [key, d] of await declaredValidators(SOURCE_MODULES)) {
    // What a run without the generated module does: src/core/schema.ts compiling on first use.
    const compiled = lazyValidator(d.schema, d.formats);
    const generatedFn = pre.get(key)!;
    for (const record of [...variants(instanceOf(d.schema as Schema)), ...samples.slice(0, 5).flatMap((r) => variants(r)).slice(0, 3000)]) {
      const want = compiled(record);
      const got = generatedFn(record);
      expect({ key: key.slice(0, 60), record, got, error: generatedFn.errors?.[0] ?? null })
        .toEqual({ key: key.slice(0, 60), record, got: want, error: compiled.errors?.[0] ?? null });
      compared++;
      if (want) valid++;
    }
  }
  // Both verdicts occur: the comparison is not only over records every validator refuses.
  expect(valid).toBeGreaterThan(20);
  expect(compared - valid).toBeGreaterThan(1000);
});

test('the generated Illumio event validator checks date-time through the fast path, falls back to ajv-formats\' own, and judges as ajv with ajv-formats does', async () => {
  // node's require, except that ajv-formats' date-time counts its calls (and still decides).
  const nodeRequire = createRequire(path.join(ROOT, 'package.json'));
  let fallbacks = 0;
  const countingRequire = ((id: string) => {
    const m = nodeRequire(id) as Record<string, unknown>;
    if (id !== 'ajv-formats/dist/formats') return m;
    const full = m.fullFormats as Record<string, FormatDefinition<string>>;
    const validate = full['date-time'].validate as (s: string) => boolean;
    return { ...m, fullFormats: { ...full, 'date-time': { ...full['date-time'], validate: (s: string) => { fallbacks++; return validate(s); } } } };
  }) as NodeJS.Require;
  const formats = ['date-time', 'ipv4', 'ipv6'] as const;
  const generatedFn = (await generated(countingRequire)).get(validatorKey(eventSchemaV2, formats))!;
  expect(generatedFn).toBeDefined();
  // The reference: ajv compiling the schema at run time with ajv-formats' own full formats.
  const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false });
  addFormats(ajv, [...formats]);
  const reference = ajv.compile(eventSchemaV2);

  const sample = (JSON.parse(fs.readFileSync(path.join(ROOT, 'src', 'sources', 'illumio', 'samples', 'events.json'), 'utf8')) as Record<string, unknown>[])[0];
  const judge = (timestamp: string) => {
    const record = { ...sample, timestamp };
    const want = reference(record);
    const got = generatedFn(record);
    expect({ timestamp, got, error: generatedFn.errors?.[0] ?? null }).toEqual({ timestamp, got: want, error: reference.errors?.[0] ?? null });
    return got;
  };

  // The shape PCE events carry never reaches ajv-formats' function: the fast path decides it.
  expect(judge('2026-12-01T10:11:12.345Z')).toBe(true);
  fc.assert(fc.property(commonDateTimes, (s) => judge(s)), { numRuns: 2000 });
  expect(fallbacks).toBe(0);
  // Shapes it leaves alone are judged by ajv-formats' own function.
  expect(judge('2026-12-01T10:11:12.345+0530')).toBe(true);
  expect(fallbacks).toBe(1);
  expect(judge('2026-02-29T10:11:12Z')).toBe(false);

  let valid = 0;
  let runs = 0;
  fc.assert(fc.property(fc.oneof(dateTimeShapes, leapSeconds, mutatedDateTimes, arbitraryStrings), (s) => {
    runs++;
    if (judge(s)) valid++;
  }), { numRuns: 4000 });
  expect(valid).toBeGreaterThan(runs / 20);
  expect(runs - valid).toBeGreaterThan(runs / 4);
});
