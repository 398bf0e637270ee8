/**
 * A regex outside the PCRE2 subset the evaluator and its match-limit model support. Its own
 * module so that regex.ts and pcre-model.ts both throw it without importing each other.
 */
export class RegexSubsetError extends Error {
  constructor(
    readonly pattern: string,
    readonly position: number,
    readonly construct: string,
  ) {
    super(
      `regex ${JSON.stringify(pattern)}: ${construct} at offset ${position} is outside the supported PCRE2 subset ` +
        '(see src/core/knowledge/README.md); rewrite it with the allowed constructs',
    );
    this.name = 'RegexSubsetError';
  }
}
