/**
 * Every REGEX, EXTRACT and TIME_PREFIX under real PCRE2 (pcre2test) on events of about 1 MB (just
 * under TRUNCATE), with
 * Splunk's limits: run with transforms.conf MATCH_LIMIT (100000) and DEPTH_LIMIT (1000) set, PCRE2
 * must never give up (past them Splunk extracts nothing); for single-match regexes `find_limits`
 * also reports the match() calls and depth the match needed. The evaluator must then give the same fields as it does on small
 * events: raw JSON whole, event_href after a bulk change, Lacework keys after a large body.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConf } from '../../src/core/conf/parse';
import { DEFAULT_REGEX_LIMITS } from '../../src/core/knowledge/limits';
import { toCef, toLeef, toSyslogJson } from '../../src/sources/illumio/formats';
import { requireTool } from '../support/require-tool';
import { patternLine, subjectLine } from './pcre2test';
import { appKnowledge, ROOT } from './support';

const samples = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/sources/illumio/samples/events.json'), 'utf8')) as Record<string, unknown>[];

/** ~1 MB of resource_changes: label values with spaces, `=`, ` dst=` and backslashes, as admins write them. */
const bulk: Record<string, unknown> = {
  ...samples[2],
  href: '/orgs/1/events/1a1a1a1a-0000-4000-8000-00000000b16b',
  resource_changes: Array.from({ length: 3900 }, (_, i) => ({
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resource: { label: { href: `/orgs/1/labels/${i}`, key: 'env', value: `v=${i} tier a\\b` } },
    changes: { value: { before: null, after: `zone ${i} dst=10.0.0.${i % 250} mode=sso` } },
    change_type: 'create',
  })),
};
const bigBody = {
  account_name: 'acme', auth_account_name: 'acme', auth_uuid: 'u-1', client_ip: '198.51.100.9', create_time: 1795251600123, matched_path: '/api/v1/apps', method: 'POST', op: 'CreateApp', path: '/api/v1/apps',
  request_body: JSON.stringify({ rules: Array.from({ length: 9000 }, (_, i) => ({ id: i, note: `"user_login":"x${i}", "response_status":500` })) }),
  response_status: 201, response_status_text: 'Created', trace: 'abc', user_display_name: 'Alice, Admin', user_login: 'alice@example.com', uuid: 'u-big',
};

const EVENTS: { sourcetype: string; raw: string }[] = [
  { sourcetype: 'illumio:pce:event', raw: JSON.stringify(bulk) },
  { sourcetype: 'illumio:pce:syslog', raw: toSyslogJson(bulk) },
  { sourcetype: 'illumio:pce:cef', raw: toCef(bulk) },
  { sourcetype: 'illumio:pce:leef', raw: toLeef(bulk, { version: '2.0', delimiter: '^' }) },
  { sourcetype: 'illumio:pce:leef', raw: toLeef(bulk, { version: '1.0' }) },
  { sourcetype: 'lacework:edge:audit', raw: JSON.stringify(bigBody) },
];

describe('regexes under PCRE2 limits on 1 MB events', () => {
  const pcre2test = requireTool('pcre2test', 'apt-get update && apt-get install -y pcre2-utils');
  const kb = appKnowledge();
  const evaluated = EVENTS.map((e) => ({ ...e, ev: kb.evaluate(e.raw, { sourcetype: e.sourcetype }) }));
  const props = parseConf(fs.readFileSync(path.join(ROOT, 'default', 'props.conf'), 'utf8'));

  it('the events are about 1 MB', () => {
    // Just under each sourcetype's TRUNCATE: a longer event is cut, and cut JSON has no automatic fields.
    for (const e of EVENTS) {
      const max = Number(props.stanzas.find((s) => s.name === e.sourcetype)!.entries.find((x) => x.key === 'TRUNCATE')!.value);
      expect({ st: e.sourcetype, ok: Buffer.byteLength(e.raw) > max * 0.75 && Buffer.byteLength(e.raw) <= max }).toEqual({ st: e.sourcetype, ok: true });
    }
  });

  // Which sourcetypes run a regex: its own props.conf stanza, or the stanzas whose REPORT- lists the transform.
  const users = (where: string): Set<string> => {
    const stanza = /^props\.conf \[([^\]]+)\]/.exec(where)?.[1];
    if (stanza) return new Set([stanza]);
    const t = /^transforms\.conf \[([^\]]+)\]/.exec(where)?.[1];
    return new Set(props.stanzas.filter((s) => s.entries.some((e) => /^REPORT-/.test(e.key) && e.value.split(/\s*,\s*/).includes(t ?? ''))).map((s) => s.name));
  };

  it.each(kb.regexes().filter((r) => r.kind !== 'EVAL' && r.kind !== 'LINE_BREAKER').map((r) => [r.where, r] as const))('%s', (_w, r) => {
    const sts = users(r.where);
    const subjects = [...new Set(evaluated.filter((e) => sts.has(e.sourcetype)).flatMap((e) => (r.inField ? (e.ev.fields.get(r.inField) ?? []) : [e.raw])))].filter((s) => s.length > 0);
    if (!subjects.length) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcre2-limits-'));
    const file = path.join(dir, 'in.txt');
    const limits = `match_limit=${DEFAULT_REGEX_LIMITS.matchLimit},depth_limit=${DEFAULT_REGEX_LIMITS.depthLimit}`;
    // find_limits re-runs every match many times: only for single-match regexes (repeated ones
    // run once under the limits, which is what decides whether Splunk extracts).
    fs.writeFileSync(file, `#subject ${r.repeat ? limits : 'find_limits'}\n${patternLine(r.source, r.flags, r.repeat)}\n${subjects.map(subjectLine).join('\n')}\n`);
    const out = execFileSync(pcre2test, ['-q', file], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(out).not.toMatch(/^(?:Failed: |\*\* )/m);
    expect(out).not.toMatch(/[Ee]rror -4[67]|[Ee]rror -5[23]|limit exceeded/);
    const calls = [...out.matchAll(/^Minimum match limit = (\d+)$/gm)].map((m) => Number(m[1]));
    const depth = [...out.matchAll(/^Minimum depth limit = (\d+)$/gm)].map((m) => Number(m[1]));
    expect({ where: r.where, maxCalls: Math.max(0, ...calls) <= DEFAULT_REGEX_LIMITS.matchLimit, maxDepth: Math.max(0, ...depth) <= DEFAULT_REGEX_LIMITS.depthLimit })
      .toEqual({ where: r.where, maxCalls: true, maxDepth: true });
  });

  it('the evaluator keeps every field on them: raw JSON whole, event_href after the bulk change', () => {
    for (const { sourcetype, ev } of evaluated.filter((e) => e.sourcetype.startsWith('illumio:'))) {
      const f = (k: string) => ev.fields.get(k)?.[0];
      expect({ sourcetype, event_type: f('event_type'), event_href: f('event_href'), user: f('user') }).toEqual({ sourcetype, event_type: bulk.event_type, event_href: bulk.href, user: 'albert.einstein@bigco.com' });
      if (sourcetype !== 'illumio:pce:event' && sourcetype !== 'illumio:pce:syslog') expect(JSON.parse(f('resource_changes')!)).toEqual(bulk.resource_changes);
      expect(ev.cost.jsonParses).toBeLessThanOrEqual(5);
    }
    const lw = evaluated.find((e) => e.sourcetype === 'lacework:edge:audit')!.ev.fields;
    expect({ status: lw.get('status'), user: lw.get('user'), response_status: lw.get('response_status'), user_display_name: lw.get('user_display_name') })
      .toEqual({ status: ['success'], user: ['alice@example.com'], response_status: ['201'], user_display_name: ['Alice, Admin'] });
  });
});
