/**
 * What a vendor module offers besides its inputs and knowledge: a simulator to collect from, its
 * part of the demo (`npm start`) and its benches. The demo, the benches and the tests loop over
 * SOURCE_MODULES and reach a vendor only through these shapes (src/core/source-module.ts), so
 * src/cli names no vendor. Vendor-free like the rest of core.
 */
import type { Bench } from './bench';

/** A vendor simulator on loopback holding a given number of events, as the benches use it. */
export interface SimulatorHandle {
  /** Stanza parameters (without the stanza name) of the vendor's inputs pointing at it, secrets in clear. */
  params: Record<string, string>;
  /**
   * The events the vendor serves, as one JSON array text: what the launcher benches' floor
   * process reads (the least any input must do with the vendor's bytes).
   */
  floorEvents(): Promise<string>;
  /** Puts the same events back after a run drained them (a destructive queue); a no-op elsewhere. */
  refill(): void;
  stop(): Promise<void>;
}

export interface SourceSimulator {
  /**
   * A simulator whose first collection yields exactly `events` events of the first bench input,
   * or of the input a `variant` names (LauncherBench.simulator).
   */
  start(events: number, variant?: string): Promise<SimulatorHandle>;
}

/** The demo's profiles: how many events the simulators hold on a first run. */
export type DemoProfileName = 'full' | 'short';

export interface DemoContext {
  profile: DemoProfileName;
  /**
   * Start (ms) of every demo run so far, this run last. A simulator replays this history on each
   * start so ids stay the same, and adds what "happened" since the previous run.
   */
  runs: readonly number[];
  /** New events a later run sees from a time span: proportional to it, bounded by the profile. */
  newCount(fromMs: number, toMs: number): number;
}

/** One input of a demo run. */
export interface DemoInput {
  scheme: string;
  /** Shown in the progress lines and the summary table, e.g. "… audit". */
  label: string;
  /** The input's name in the standalone collector's config (unique across vendors). */
  name: string;
  /** Stanza parameters as the admin types them in Splunk's form: secrets in clear. */
  params: Record<string, string>;
  /** Runs only under splunkd (it writes the app's KV store): the standalone demo leaves it out. */
  splunkdOnly?: boolean;
}

/** What a demo counted of one input's run, for a vendor's summary lines. */
export interface DemoRunCounts {
  scheme: string;
  /** Events by their `change_kind` field (new or updated), where the events carry one. */
  changes: ReadonlyMap<string, number>;
}

/** A connection the demo's inputs name (src/core/account.ts), as an admin types it: secrets in clear. */
export interface DemoAccount {
  kind: string;
  name: string;
  params: Record<string, string>;
}

export interface RunningDemo {
  /** URL and contents, shown after the vendor's title on the demo's "simulators:" line. */
  line: string;
  inputs: readonly DemoInput[];
  /** Connections the inputs name (ta_zerotrust_events_accounts.conf, collector.json accounts). */
  accounts?: readonly DemoAccount[];
  /** Lines printed under the summary table about this vendor's runs (none by default). */
  summary?(runs: readonly DemoRunCounts[]): string[];
  stop(): Promise<void>;
}

export interface DemoPart {
  /**
   * Per profile, what the first run holds: `text` for `npm start -- --help` (e.g. "300 events"),
   * `events` the exact count a first run delivers per scheme, where it is known in advance.
   */
  firstRun: Record<DemoProfileName, { text: string; events: Record<string, number> }>;
  start(ctx: DemoContext): Promise<RunningDemo>;
}

/** One input measured by `npm run bench -- launchers` through bin/<scheme>.sh against the floor. */
export interface LauncherBenchInput {
  scheme: string;
  /** The vendor field holding the event time (the floor writes it as <time>). */
  timeField: string;
  /** Stanza parameters on top of the simulator's. */
  params?: Record<string, string>;
}

export interface LauncherBench {
  input: LauncherBenchInput;
  /** Events of the measured run at BENCH_SCALE 1. */
  events: number;
  /** How the figures' label names the run after vendor and count, e.g. "async" or "bulk". */
  mode: string;
  /** Whether wall and CPU within the ratio of the floor's are targets (otherwise only reported). */
  ratioTargets?: boolean;
  /** Events per second the launcher must reach. */
  minRate?: number;
  /** A second, larger run whose peak RSS has a target. */
  rss?: { events: number; maxMB: number };
  /** Other inputs run once against the same simulator: their module load (a target) and CPU. */
  alsoRun?: readonly { label: string; input: LauncherBenchInput }[];
  /** The simulator variant holding this input's data (SourceSimulator.start), when not the first input's. */
  simulator?: string;
}

export interface SourceBenches {
  /** In-process benches: `npm run bench -- <module name>`. */
  benches: readonly Bench[];
  /** How `npm run bench -- launchers` measures the vendor's launchers (the first also serves `hec`). */
  launchers: readonly LauncherBench[];
}

/**
 * A fact table a vendor derives from its reference or seed documents (`npm run facts`, which is
 * handed those folders on its command line): names and numbers the tests check the vendor's code
 * against, committed under src/sources/<name>/facts/<file> so a clone needs nothing beside it.
 */
export interface SourceFactTable {
  /** File name under the vendor's facts/ folder. */
  file: string;
  /** Which folder of the command line it reads: the reference facts or the vendor API seeds. */
  from: 'reference' | 'seeds';
  /** The table's body (the script adds the `_generated` header); throws naming what it cannot read. */
  build(dir: string): object;
}

/**
 * A raw event as the vendor sends it, with what an analyst must see at search time: the eventtypes
 * and tags, and fields the eventtypes or renames rely on (test/catalog/golden.test.ts runs each
 * through `npm run preview`).
 */
export interface AnalystSample {
  title: string;
  sourcetype: string;
  source?: string;
  raw: string;
  eventtypes: string[];
  tags: string[];
  /** Fields the renames or the eventtypes rely on, with their expected values. */
  fields?: Record<string, string>;
}
