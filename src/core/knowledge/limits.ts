/**
 * The regex limits the evaluator applies (transforms.conf MATCH_LIMIT/DEPTH_LIMIT), from the
 * committed fact tables (src/facts, derived from Splunk 10.2.3's shipped files by `npm run
 * facts`). A transform's own MATCH_LIMIT overrides them.
 */
import { searchTimeLimits } from '../../facts';

export interface RegexLimits {
  matchLimit: number;
  depthLimit: number;
}

const facts = searchTimeLimits();

export const DEFAULT_REGEX_LIMITS: RegexLimits = { matchLimit: facts.matchLimit, depthLimit: facts.depthLimit };
