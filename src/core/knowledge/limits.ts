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

/**
 * TRUNCATE for sourcetypes that carry JSON documents (whole, or as CEF/LEEF/syslog payload) of up
 * to 1 MB (1 048 576 bytes): Splunk cuts a longer line, and a cut document gives no JSON fields.
 */
export const JSON_EVENT_TRUNCATE = 1_048_576;
