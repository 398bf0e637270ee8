/**
 * A generator turns a source of truth in src/ into committed app files. Output is committed so
 * the package needs no build step for knowledge and reviewers see what ships; the drift test
 * fails when the committed files and the sources disagree.
 */
import type { SourceKnowledge } from '../../core/knowledge/spec';
import type { SourceModule } from '../../core/source-module';

/** What every generator reads: the module list and the knowledge each module loaded. */
export interface GeneratorContext {
  modules: readonly SourceModule[];
  /** One per module, in list order. */
  vendors: readonly { module: SourceModule; knowledge: SourceKnowledge }[];
  /** The modules' knowledge, then the add-on's own (its logs and run health). */
  knowledge: readonly SourceKnowledge[];
}

export interface Generator {
  name: string;
  /** Repo-relative path → file content (text, or bytes for binary files such as icons). */
  generate(ctx: GeneratorContext): Record<string, string | Uint8Array>;
  /** Its files are programs (mode 755): splunkd runs them. */
  executable?: boolean;
}
