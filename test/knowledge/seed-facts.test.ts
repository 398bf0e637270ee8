/**
 * Facts stated by the seeds' documented examples (REST API guide pages 401-408, written out in
 * src/sources/illumio/samples/events.json), checked in every Illumio format: these expectations
 * come from the vendor's text, not from our evaluator's output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toJsonObject } from '../../src/core/knowledge';
import { lintKnowledge } from '../../src/core/knowledge/lint';
import { flowToCef, toCef, toLeef, toSyslogJson } from '../../src/sources/illumio/formats';
import { appKnowledge, ROOT } from './support';

const samples = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/sources/illumio/samples/events.json'), 'utf8')) as Record<string, unknown>[];
const byType = (t: string, status?: string) => samples.find((e) => e.event_type === t && (status === undefined || e.status === status))!;

function allFormats(e: Record<string, unknown>) {
  const kb = appKnowledge();
  return [
    toJsonObject(kb.evaluate(JSON.stringify(e), { sourcetype: 'illumio:pce:event' })),
    toJsonObject(kb.evaluate(toSyslogJson(e), { sourcetype: 'illumio:pce:syslog' })),
    toJsonObject(kb.evaluate(toCef(e), { sourcetype: 'illumio:pce:cef' })),
    toJsonObject(kb.evaluate(toLeef(e, { version: '1.0' }), { sourcetype: 'illumio:pce:leef' })),
  ];
}

describe('seed examples', () => {
  it('failed password update: a failure by the system from 10.3.6.116, a CIM change of a user account', () => {
    for (const o of allFormats(byType('user.update_password'))) {
      expect(o).toMatchObject({ event_type: 'user.update_password', status: 'failure', src: '10.3.6.116', user: 'system', vendor_severity: 'info', pce_fqdn: 'pce1.bigco.com', object_category: 'user' });
      expect(o.notification_type).toEqual(['user.pw_complexity_not_met', 'user.pw_change_failure']);
      expect(o.tag).toEqual(expect.arrayContaining(['change', 'account']));
    }
  });

  it('rule set renamed rule_set_2 → rule_set_3 by albert.einstein@bigco.com', () => {
    for (const o of allFormats(byType('rule_set.update'))) {
      expect(o).toMatchObject({ event_type: 'rule_set.update', status: 'success', action: 'modified', object: 'rule_set_3', object_id: '/orgs/1/sec_policy/draft/rule_sets/6', object_attrs: 'name', user: 'albert.einstein@bigco.com', command: 'PUT /api/v2/orgs/1/sec_policy/draft/rule_sets/6' });
    }
  });

  it('security rule created', () => {
    for (const o of allFormats(byType('sec_rule.create'))) expect(o).toMatchObject({ action: 'created', object_category: 'sec_rule', src: '10.6.1.156', pce_fqdn: 'pce24.bigco.com' });
  });

  it('sign in succeeded / failed for the supplied user name; authentication tagged', () => {
    for (const o of allFormats(byType('user.sign_in', 'success'))) expect(o).toMatchObject({ action: 'success', user: expect.stringMatching(/@/), tag: ['authentication'] });
    for (const o of allFormats(byType('user.sign_in', 'failure'))) expect(o).toMatchObject({ action: 'failure', status: 'failure', tag: ['authentication'], notification_type: 'user.login_failed' });
  });

  it('clone detected: no status, an alert about the agent host', () => {
    for (const o of allFormats(byType('agent.clone_detected'))) {
      expect(o).not.toHaveProperty('status');
      expect(o).toMatchObject({ event_type: 'agent.clone_detected', tag: ['alert'], type: 'alert', severity: 'informational', vendor_severity: 'info' });
      expect(o.dest).toBe(((byType('agent.clone_detected').created_by as Record<string, Record<string, string>>).agent).hostname);
    }
  });

  it('a flow summary gives the same Network_Traffic fields from syslog JSON and from CEF', () => {
    const flow = { interval_sec: 600, count: 4, tbi: 100, tbo: 200, src_ip: '10.1.1.1', dst_ip: '10.2.2.2', dir: 'I', time: '2026-01-02T03:04:05.000Z', proto: 17, dst_port: 53, state: 'T', src_hostname: 'a', dst_hostname: 'b', pd: 1, version: 4 };
    const kb = appKnowledge();
    const keys = ['action', 'src', 'dest', 'src_ip', 'dest_ip', 'dest_port', 'transport', 'bytes', 'bytes_in', 'bytes_out', 'direction', 'dvc', 'vendor_product', 'protocol', 'tag', 'eventtype'];
    const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, o[k]]));
    const json = pick(toJsonObject(kb.evaluate(toSyslogJson(flow, { host: 'pce.example.net', program: 'illumio_pce/collector' }), { sourcetype: 'illumio:pce:syslog' })));
    const cef = pick(toJsonObject(kb.evaluate(flowToCef(flow, { pceFqdn: 'pce.example.net' }), { sourcetype: 'illumio:pce:cef' })));
    expect(json).toEqual(cef);
    // pd 1 = allowed now, blocked once policy is enforced (seed page 430).
    expect(json).toMatchObject({ action: 'allowed', transport: 'udp', direction: 'inbound', bytes: '300', tag: ['communicate', 'network'] });
  });
});

describe('knowledge lint', () => {
  it('reports a regex outside the PCRE2 subset and an unknown eval function with their stanza', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-lint-'));
    fs.mkdirSync(path.join(dir, 'default'));
    fs.writeFileSync(path.join(dir, 'default', 'props.conf'), '[x]\nEXTRACT-a = (?<v>\\d++)\nEVAL-b = levenshtein(a, b)\n');
    const problems = lintKnowledge(dir).map((p) => p.message).join('\n');
    expect(problems).toMatch(/sourcetype=x.*EXTRACT-a.*possessive quantifier/);
    expect(problems).toMatch(/EVAL-b.*unsupported function levenshtein/);
    expect(lintKnowledge(ROOT)).toEqual([]);
  });
});

describe('PCE syslog records that are neither events nor flow summaries', () => {
  it('get the syslog and PCE prefix fields but no CIM fields and no tags', () => {
    const line = '<14>1 2026-11-21T12:00:00.000000+00:00 core0.pce.example.net illumio_pce/system_health 4242 - - sec=1.5 sev=INFO pid=4242 tid=1 rid=0 {"disk":{"free_pct":42}}';
    const o = toJsonObject(appKnowledge().evaluate(line, { sourcetype: 'illumio:pce:syslog' }));
    expect(o).toMatchObject({ dvc: 'core0.pce.example.net', syslog_host: 'core0.pce.example.net', syslog_app: 'illumio_pce/system_health', pce_sev: 'INFO', vendor: 'Illumio', tag: [] });
    for (const k of ['action', 'app', 'src', 'dest', 'user', 'severity', 'type', 'event_type', 'status', 'object']) expect(o).not.toHaveProperty(k);
  });
});
