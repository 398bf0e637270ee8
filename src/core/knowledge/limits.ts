/**
 * Splunk's search-time limits the evaluator applies (transforms.conf MATCH_LIMIT/DEPTH_LIMIT,
 * limits.conf [spath] extraction_cutoff). The numbers are the shipped defaults of Splunk 10.2.3,
 * the same as the committed fact tables (src/facts, `searchTimeLimits()`); a transform's own
 * MATCH_LIMIT/DEPTH_LIMIT overrides them.
 */
export interface RegexLimits {
  matchLimit: number;
  depthLimit: number;
}

export const DEFAULT_REGEX_LIMITS: RegexLimits = { matchLimit: 100000, depthLimit: 1000 };
export const SPATH_EXTRACTION_CUTOFF = 5000;
