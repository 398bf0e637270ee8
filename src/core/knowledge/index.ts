/**
 * A faithful evaluator of Splunk's search-time pipeline for the settings this app uses.
 * Load an app's `default/` + `lookups/` once; `evaluate(raw, meta)` returns `_time` (index-time
 * timestamp recognition) and the fields in Splunk's documented order (props.conf.spec):
 * EXTRACT- → REPORT- → KV_MODE → FIELDALIAS- → EVAL- (in parallel) → LOOKUP- → eventtypes → tags.
 * Everything is compiled at load, so a bad regex, eval or search is an error there (with the
 * file and stanza), not a silently missing field.
 *
 * The stages live in their own modules: conf-load (parse files), compile (transforms, eventtypes,
 * tags, pipelines), evaluate (one event), lookups (CSV tables, LOOKUP-), eval + functions (the
 * eval language and its one function table). This class holds one app's compiled state.
 */
import { AppFiles, loadAppFiles } from './conf-load';
import { CompiledApp, compileApp, compilePipeline, Pipeline, splitExtract } from './compile';
import { regexesOf } from './eval';
import { EvaluatedEvent, evaluateEvent, truncateRaw } from './evaluate';
import { EventMeta, resolveSettings } from './props';

export type { EventMeta } from './props';
export type { SearchCost } from './eval';
export type { AppFiles } from './conf-load';
export type { EvaluatedEvent, Fields } from './evaluate';
export { loadKvDir, parseCsv } from './conf-load';
export { splitExtract } from './compile';
export { breakLines, cleanKey, toJsonObject } from './evaluate';
export { parseTime } from './time';

export class KnowledgeError extends Error {
  constructor(readonly problems: string[]) {
    super(`knowledge configuration has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'KnowledgeError';
  }
}

/** How many event metas (sourcetype, source, host) keep their resolved pipeline; more only re-resolve. */
export const META_CACHE_LIMIT = 1024;

export class KnowledgeBase {
  private readonly app: CompiledApp;
  /** Pipelines by the settings they were compiled from: bounded by the confs, not by the events. */
  private readonly pipelines = new Map<string, Pipeline>();
  /** The pipeline of recently seen event metas, so most events skip resolving props.conf stanzas. */
  private readonly byMeta = new Map<string, Pipeline>();
  readonly problems: string[];

  constructor(files: AppFiles) {
    this.app = compileApp(files);
    this.problems = this.app.problems;
    // Compile every stanza's pipeline now so configuration errors surface at load.
    for (const s of this.app.props) {
      if (s.kind !== 'rule') this.pipelineFor({ sourcetype: s.kind === 'sourcetype' ? s.name : '__none__', source: s.kind === 'source' ? s.pattern : undefined }, true);
    }
  }

  /** `kvDir`: the stand-in KV store, one `<collection>.json` per collection (conf-load.ts). */
  static loadApp(appDir: string, opts: { kvDir?: string } = {}): KnowledgeBase {
    return new KnowledgeBase(loadAppFiles(appDir, opts));
  }

  /** Sourcetypes with their own [<sourcetype>] stanza, plus those assigned by [source::] stanzas. */
  sourcetypes(): string[] {
    const out = new Set<string>();
    for (const s of this.app.props) {
      if (s.kind === 'sourcetype') out.add(s.name);
      const st = s.settings.get('sourcetype');
      if (s.kind === 'source' && st) out.add(st.trim());
    }
    return [...out].sort();
  }

  /** All REGEX/EXTRACT/TIME_PREFIX/LINE_BREAKER patterns with where they come from (for the PCRE2 check). */
  regexes(): { where: string; kind: 'EXTRACT' | 'REPORT' | 'TIME_PREFIX' | 'LINE_BREAKER' | 'EVAL'; source: string; flags: string; inField?: string; repeat: boolean }[] {
    const out: ReturnType<KnowledgeBase['regexes']> = [];
    for (const s of this.app.props) {
      for (const [k, v] of s.settings) {
        if (k.startsWith('EXTRACT-')) {
          const { regex, inField } = splitExtract(v);
          out.push({ where: `props.conf [${s.name}] ${k}`, kind: 'EXTRACT', source: regex, flags: 'ms', inField, repeat: false });
        } else if (k === 'TIME_PREFIX' || k === 'LINE_BREAKER') out.push({ where: `props.conf [${s.name}] ${k}`, kind: k, source: v, flags: '', repeat: false });
      }
    }
    const evalSources = new Map<string, string>();
    for (const p of this.pipelines.values()) for (const e of p.evals) for (const r of regexesOf(e.expr)) if (!evalSources.has(r)) evalSources.set(r, `props.conf [${p.sourcetype}] EVAL-${e.field}`);
    for (const [source, where] of evalSources) out.push({ where: `${where} regex ${JSON.stringify(source)}`, kind: 'EVAL', source, flags: '', repeat: true });
    for (const t of this.app.transforms.values()) {
      if (t.regex) out.push({ where: `transforms.conf [${t.name}] REGEX`, kind: 'REPORT', source: t.regex.source, flags: '', inField: t.sourceKey === '_raw' ? undefined : t.sourceKey, repeat: t.dynamicKeys });
    }
    return out;
  }

  /**
   * The pipeline for an event's meta. Metas are as many as the events' sources and hosts, so
   * they only map onto pipelines compiled once per distinct set of settings; at load every
   * stanza's pipeline is compiled (and reports its problems) even when another has the same settings.
   */
  private pipelineFor(meta: EventMeta, atLoad = false): Pipeline {
    const metaKey = `${meta.sourcetype}\u0000${meta.source ?? ''}\u0000${meta.host ?? ''}`;
    const cached = this.byMeta.get(metaKey);
    if (cached) return cached;
    const { sourcetype, settings } = resolveSettings(this.app.props, meta);
    const settingsKey = JSON.stringify([sourcetype, ...settings]);
    let p = atLoad ? undefined : this.pipelines.get(settingsKey);
    if (!p) {
      p = compilePipeline(this.app, sourcetype, settings, `props.conf for sourcetype=${sourcetype}${meta.source ? ` source=${meta.source}` : ''}`);
      if (!this.pipelines.has(settingsKey)) this.pipelines.set(settingsKey, p);
    }
    if (this.byMeta.size >= META_CACHE_LIMIT) this.byMeta.delete(this.byMeta.keys().next().value!);
    this.byMeta.set(metaKey, p);
    return p;
  }

  /** How many pipelines are compiled and how many event metas are remembered (both bounded). */
  cacheSizes(): { pipelines: number; metas: number } {
    return { pipelines: this.pipelines.size, metas: this.byMeta.size };
  }

  /** Throws KnowledgeError when anything failed to compile. */
  assertValid(): this {
    if (this.problems.length) throw new KnowledgeError(this.problems);
    return this;
  }

  hasSourcetype(st: string): boolean {
    return this.sourcetypes().includes(st);
  }

  /** TRUNCATE for the event's settings (0 = unlimited), applied by UTF-8 byte length. */
  truncate(raw: string, meta: EventMeta): string {
    return truncateRaw(raw, this.pipelineFor(meta).truncate);
  }

  evaluate(raw: string, meta: EventMeta): EvaluatedEvent {
    return evaluateEvent(this.app, this.pipelineFor(meta), raw, meta);
  }
}
