/**
 * A generator turns a source of truth in src/ into committed app files. Output is committed so
 * the package needs no build step for knowledge and reviewers see what ships; the drift test
 * fails when the committed files and the sources disagree.
 */
export interface Generator {
  name: string;
  /** Repo-relative path → file content (text, or bytes for binary files such as icons). */
  generate(): Record<string, string | Uint8Array>;
}
