/**
 * The one path a source's checkpoint state takes in and out of a store. A source declares its
 * state's format once, in its own folder, and core does the rest:
 *
 *   // src/sources/<vendor>/checkpoint.ts
 *   export const MY_CHECKPOINT: CheckpointFormat<MyState> = {
 *     title: 'My vendor checkpoint', version: 2, versionKey: 'version',
 *     schema: MY_SCHEMA,        // const MY_SCHEMA: JSONSchemaType<MyState> = { ...version 2... }
 *     migrations: { 1: (v1) => ({ ...v1, version: 2, added: [] }) },   // only when a version was retired
 *     position: (s) => s.cursor,                                         // epoch ms, when the state has one
 *   };
 *   // the Source:     { description, checkpoint: MY_CHECKPOINT, validate, collect }
 *   // the collector:  const saved = await ctx.checkpoint.load(MY_CHECKPOINT, ctx.now());  // MyState | undefined
 *   // and it yields   { events, checkpoint: state }: the runtime saves it with the Source's format.
 *
 * `load` returns undefined only when nothing was ever saved for the stanza. Anything else that is
 * not a valid state of this release (not an object, no version, a newer version, an older one
 * without a migration, a schema violation, a failed `check`, a position ahead of the clock) stops
 * the input with CheckpointCorruptError naming the stanza, the file or KV record, what is wrong
 * and how to start over. Taking such a state as "first run" would collect everything again (or,
 * for queues, skip the dedup that protects replays); taking it as "nothing to do" would skip
 * events. Neither happens silently.
 *
 * `save` checks the state against the same schema before writing, so a state the next run would
 * refuse is never written: the run stops instead and the checkpoint stays at the last good one.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyValidator } from '../schema';

/** How far ahead of this host's clock a checkpoint position may be (vendor clocks run a little ahead). */
export const CHECKPOINT_FUTURE_TOLERANCE_MS = 3_600_000;

/** The declaration of a source's checkpoint state; see the top of this file. */
export interface CheckpointFormat<S> {
  /** What the state is, as messages name it: "<vendor> events checkpoint". */
  title: string;
  /** The version this release writes (an integer, 1 and up). */
  version: number;
  /** The state's property that holds its version ('version', or 'v' where a vendor's states say so). */
  versionKey: string;
  /**
   * JSON schema of the current version (test/core/schema.test.ts checks it in ajv's strict mode). Keep it closed
   * (additionalProperties: false): a release that adds a field bumps `version` and adds a
   * migration, so an older release refuses the newer state instead of dropping the field.
   * Declare it as ajv's `JSONSchemaType<S>` in the vendor folder so that the compiler holds the
   * schema and the state's interface together (the type here stays loose so that a
   * `Source<C, S>` is still a `Source`).
   */
  schema: object;
  /**
   * Steps from retired versions: `migrations[n]` turns a version-n state into version n+1. The
   * last step's result is checked against `schema`. A version with no step is refused.
   */
  migrations?: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>>;
  /** What the schema cannot say (dates that parse, parallel arrays): the problem, or undefined. */
  check?(state: S): string | undefined;
  /** Epoch ms up to which the state says everything was delivered; refused when far ahead of now. */
  position?(state: S): number | undefined;
}

const validators = new WeakMap<object, ValidateFunction>();

// Compiled on first use through the one shared ajv (src/core/schema.ts): splunkd's --scheme call
// and the validation of a form read no checkpoint and pay for neither.
function validatorOf<S>(format: CheckpointFormat<S>): ValidateFunction {
  let v = validators.get(format);
  if (!v) validators.set(format, (v = lazyValidator(format.schema)));
  return v;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || 'the top level';
  const extra = e.keyword === 'additionalProperties' ? ` (${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)})` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`.slice(0, 300);
}

function schemaProblem<S>(format: CheckpointFormat<S>, state: unknown): string | undefined {
  const v = validatorOf(format);
  if (v(state)) return format.check?.(state as S);
  return v.errors?.[0] ? describeError(v.errors[0]) : 'does not match the schema';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** "a <title>" or "an <title>", as English wants it before the title. */
function a(title: string): string {
  return `${/^[aeiou]/i.test(title) ? 'an' : 'a'} ${title}`;
}

export type DecodedState<S> = { state: S } | { problem: string };

/**
 * A state as read from a store, brought to the current version and checked. The problem is the
 * middle of "the checkpoint <where> <problem>. The input stopped …".
 */
export function decodeState<S>(raw: unknown, format: CheckpointFormat<S>, now: number): DecodedState<S> {
  const { title, versionKey } = format;
  if (!isObject(raw)) return { problem: `holds ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`} where ${a(title)} (a JSON object) belongs` };
  const version = raw[versionKey];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { problem: `holds a state without a version number in "${versionKey}", so it is not ${a(title)} of this add-on` };
  }
  if (version > format.version) {
    return { problem: `holds ${a(title)} of version ${version}, written by a newer release of the add-on (this one reads version ${format.version}). Install that release again to go on from it` };
  }
  let state: Record<string, unknown> = raw;
  for (let v = version; v < format.version; v++) {
    const step = format.migrations?.[v];
    if (!step) return { problem: `holds ${a(title)} of version ${version}, which this release no longer reads (it reads version ${format.version})` };
    try {
      state = step(state);
    } catch (e) {
      return { problem: `holds ${a(title)} of version ${version} that could not be brought to version ${format.version} (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  const problem = schemaProblem(format, state);
  if (problem) return { problem: `is not a valid ${title} (version ${format.version}): ${problem}` };
  const at = format.position?.(state as unknown as S);
  if (at !== undefined && at > now + CHECKPOINT_FUTURE_TOLERANCE_MS) {
    return {
      problem: `is at ${new Date(at).toISOString()}, later than now (${new Date(now).toISOString()}) by more than an hour. ` +
        'If the host clock jumped back, fix it and the input resumes from there',
    };
  }
  return { state: state as unknown as S };
}

/**
 * Before a save: a state that its own format refuses is a defect of the source. Writing it would
 * stop the next run, so this run stops now and the checkpoint stays at the last good state.
 */
export function assertSavable<S>(stanza: string, format: CheckpointFormat<S>, state: S): void {
  const problem = isObject(state) && state[format.versionKey] === format.version
    ? schemaProblem(format, state)
    : `"${format.versionKey}" is not ${format.version}`;
  if (problem) {
    throw new Error(`${stanza}: the input produced ${a(format.title)} that its own schema refuses (${problem}). It was not saved: ` +
      'the checkpoint stays at the last delivered batch, whose events may be sent again. This is a defect of the add-on; please report it.');
  }
}
