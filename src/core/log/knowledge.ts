/**
 * Search-time knowledge of the add-on's own logs ($SPLUNK_HOME/var/log/splunk/
 * ta_zerotrust_events_<input>.log, indexed into _internal by Splunk's monitor): the format
 * written by ./index.ts. Generated into default/ by src/build/generators.
 */
import { HEALTH_SOURCETYPE } from '../app';
import { line, type SourceKnowledge } from '../knowledge/spec';

export const ADDON_LOG_SOURCETYPE = 'ta_zerotrust_events:log';

export const addonLogKnowledge: SourceKnowledge = {
  name: 'add-on logs and run health',
  origin: 'src/core/log/knowledge.ts',
  props: [
    { name: 'source::...ta_zerotrust_events_*.log', comment: 'The add-on\'s own logs.', lines: [line('sourcetype', ADDON_LOG_SOURCETYPE)] },
    {
      name: ADDON_LOG_SOURCETYPE,
      lines: [
        line('SHOULD_LINEMERGE', 'false'),
        line('LINE_BREAKER', '([\\r\\n]+)'),
        line('TRUNCATE', '20000'),
        line('TIME_PREFIX', '^'),
        line('TIME_FORMAT', '%Y-%m-%d %H:%M:%S.%3N %z'),
        line('MAX_TIMESTAMP_LOOKAHEAD', '30'),
        line('TZ', 'UTC'),
        line('KV_MODE', 'none'),
        line('AUTO_KV_JSON', 'false'),
        line('EXTRACT-header', '^\\S+ \\S+ [+-]\\d{4} (?<log_level>[A-Z]+) pid=(?<pid>\\d+) input=(?<input>\\S+)(?: stanza="(?<stanza>[^"\\\\]*(?:\\\\.[^"\\\\]*)*)")? (?<message>.*?)(?= [A-Za-z0-9_]+=|$)'),
        line('REPORT-pairs', 'ta_zerotrust_events_log_pairs'),
      ],
    },
    {
      name: HEALTH_SOURCETYPE,
      comment: 'One event per input run (stanza, status, error_kind, events, batches, errors, duration_ms,\nnewest_event_time, lag_seconds, interval_seconds, last_error), written by the add-on as JSON into\nthe input\'s own index, so analysts whose roles cannot search _internal see the add-on\'s health.\nThe launcher writes one too (error_kind=launcher) when it cannot start Node.js. The input sets\n<time>; the JSON carries no timestamp of its own.',
      lines: [
        line('SHOULD_LINEMERGE', 'false'),
        line('LINE_BREAKER', '([\\r\\n]+)'),
        line('TRUNCATE', '20000'),
        line('DATETIME_CONFIG', 'CURRENT'),
        line('KV_MODE', 'json'),
        line('AUTO_KV_JSON', 'true'),
      ],
    },
  ],
  transforms: [
    {
      name: 'ta_zerotrust_events_log_pairs',
      comment: 'key="quoted value" (with \\" and \\\\ escapes) or key=bare; quoted values are consumed whole, so\na `k=v` inside one is not taken for a pair.',
      lines: [line('REGEX', '(?<=\\s)(?<_KEY_1>[A-Za-z0-9_]+)="(?<_VAL_1>[^"\\\\]*(?:\\\\.[^"\\\\]*)*)"|(?<=\\s)(?<_KEY_2>[A-Za-z0-9_]+)=(?<_VAL_2>[^\\s"]*)')],
    },
  ],
  lookups: [],
  eventtypes: [],
};
