/**
 * What a vendor folder (src/sources/<name>/) hands the rest of the add-on. src/sources/index.ts
 * lists one SourceModule per vendor and is the only place that names vendors: the splunkd entry,
 * the bundler, the conf generators, the configuration page, the demo, the benches and the tests
 * all loop over that list. A fourth vendor is one new folder and one line there.
 *
 * Everything beyond the input descriptions is behind a function returning a promise, so that
 * importing the list costs nothing: splunkd's `--scheme` call and the browser page read only the
 * descriptions, and the bundler replaces those dynamic imports by stubs (src/build/bundle.ts).
 * The run bundle of an input keeps one of them: the import of its vendor's `index.ts`, so an
 * input's load() imports that file (as `import('./index')`).
 * Core knows no vendor: this file only states the shape and the look-ups over a list.
 */
import type { AccountDescription } from './account';
import type { InputDescription, TypedConfig } from './description';
import type { SourceKnowledge } from './knowledge/spec';
import type { AnalystSample, DemoPart, SourceBenches, SourceFactTable, SourceSimulator } from './source-hooks';
import type { Source } from './types';

/** One modular input (one scheme) of a vendor. */
export interface InputModule<C extends TypedConfig = TypedConfig> {
  /** Scheme, arguments, sourcetype: browser-safe data. */
  description: InputDescription;
  /** The validator and collector; loaded only when the input runs. */
  load(): Promise<Source<C>>;
}

export interface SourceModule {
  /** The folder name under src/sources/ (lower case, [a-z0-9_]): names macros, bundles and golden files. */
  name: string;
  /** The vendor product as admins know it (the configuration page and generated texts show it). */
  title: string;
  inputs: readonly InputModule[];
  /** Connections defined once and named by this module's inputs (src/core/account.ts). */
  accounts?: readonly AccountDescription[];
  /**
   * Search-time knowledge: props and transforms per sourcetype, lookups, eventtypes with tags,
   * and the vendor's macros and saved searches. The conf generators loop over these.
   */
  knowledge(): Promise<SourceKnowledge>;
  /** The vendor's simulator (benches, tests). Every module has one; test/catalog/modules.test.ts checks. */
  simulator?(): Promise<SourceSimulator>;
  /** The vendor's part of `npm start`: its simulator with the demo's history and its inputs. */
  demo?(): Promise<DemoPart>;
  /** The vendor's benches: in-process ones and its launchers' (src/core/source-hooks.ts). */
  benches?(): Promise<SourceBenches>;
  /**
   * Raw golden lines per sourcetype, written to test/golden/<sourcetype>.raw (`:` as `_`) by
   * test/golden/build-inputs.ts; every sourcetype the module declares needs its pair there
   * (.raw and the reviewed .expected.jsonl), which test/catalog/modules.test.ts checks.
   */
  goldenInputs?(): Promise<Record<string, string[]>>;
  /** One raw event per way the vendor's data arrives, with the eventtypes, tags and fields an analyst must see. */
  analystSamples?(): Promise<readonly AnalystSample[]>;
  /** Build side: the vendor's fact tables, written under src/sources/<name>/facts/ by `npm run facts`. */
  facts?(): Promise<readonly SourceFactTable[]>;
}

/** Every input of every module, in list order. */
export function inputsOf(modules: readonly SourceModule[]): InputModule[] {
  return modules.flatMap((m) => [...m.inputs]);
}

export function descriptionsOf(modules: readonly SourceModule[]): InputDescription[] {
  return inputsOf(modules).map((i) => i.description);
}

export function findDescription(modules: readonly SourceModule[], scheme: string): InputDescription | undefined {
  return inputsOf(modules).find((i) => i.description.scheme === scheme)?.description;
}

/** The module that owns `scheme`. */
export function moduleOf(modules: readonly SourceModule[], scheme: string): SourceModule | undefined {
  return modules.find((m) => m.inputs.some((i) => i.description.scheme === scheme));
}

/** The input's source (its collector code is imported here, not before). */
export async function loadSource(modules: readonly SourceModule[], scheme: string): Promise<Source> {
  const input = inputsOf(modules).find((i) => i.description.scheme === scheme);
  if (!input) throw new Error(`Unknown input scheme "${scheme}". Known: ${descriptionsOf(modules).map((d) => d.scheme).join(', ')}.`);
  return input.load();
}
