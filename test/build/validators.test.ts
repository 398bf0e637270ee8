/**
 * The validators the run bundles carry instead of ajv (src/build/validators.ts): generated from
 * every schema the inputs declare, each one judging records exactly as ajv's runtime compile of
 * the same schema does (src/core/schema.ts in development). That the run bundles hold no ajv
 * compiler is checked with the bundles' contents in test/e2e/launcher-bundle.test.ts.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import type { ValidateFunction } from 'ajv';
import { declaredValidators, validatorsModule } from '../../src/build/validators';
import { DECLARED_VALIDATORS, lazyValidator, validatorKey } from '../../src/core/schema';
import { SOURCE_MODULES } from '../../src/sources';

const ROOT = path.resolve(__dirname, '..', '..');

async function generated(): Promise<Map<string, ValidateFunction>> {
  const code = await validatorsModule(SOURCE_MODULES);
  const mod = { exports: {} as { PRECOMPILED?: Map<string, ValidateFunction> } };
  new Function('exports', 'require', 'module', code)(mod.exports, createRequire(path.join(ROOT, 'package.json')), mod);
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
