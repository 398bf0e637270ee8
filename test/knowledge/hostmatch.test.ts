/**
 * VEN reports find their workload whatever the VEN calls itself: the exact hostname first, then
 * the normalised key (hostkey.ts: short name, any case), which the objects input writes into each
 * workload record (host_short) and props.conf computes from src_host (EVAL-src_host_short). The
 * key is checked three ways on the same names: the records' function, the app's EVAL through the
 * evaluator, and the regex under real PCRE2. Then the lookups on a small estate: exact wins, short
 * name and case match, an address is no short name, a shared short name gives every namesake, and
 * a workload found exactly never takes a field from its namesake.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KnowledgeBase, toJsonObject } from '../../src/core/knowledge';
import { loadAppFiles } from '../../src/core/knowledge/conf-load';
import { HOST_SHORT_RE, hostShort } from '../../src/sources/illumio/hostkey';
import { OBJECT_KINDS, type ObjectRecord } from '../../src/sources/illumio/objects';
import { makeEvent } from '../../src/sources/illumio/simulator/generate';
import { requireTool } from '../support/require-tool';
import { patternLine, subjectLine } from './pcre2test';
import { appKnowledge, ROOT } from './support';

const NAMES: [string, string | null][] = [
  ['web01', 'web01'],
  ['WEB01', 'web01'],
  ['web01.corp.example', 'web01'],
  ['Web01.Corp.Example.', 'web01'],
  ['web01.', 'web01'],
  ['web01..corp', 'web01'],
  ['db-02.eu.corp.example', 'db-02'],
  ['a1.b', 'a1'],
  ['10.0.1.15', '10.0.1.15'],
  ['10.0.1.15.', '10.0.1.15'],
  ['FE80::1', 'fe80::1'],
  ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
  ['123.corp.example', '123.corp.example'],
  ['.corp', '.corp'],
  ['...', null],
  ['', null],
];

/** An audit event in which the VEN of `host` reports (REST JSON; src_host is that name). */
function venReport(host: string): string {
  const e = makeEvent({ seed: 9, org: 1, pceFqdn: 'pce.example.com', eventTypes: ['agent.goodbye'] }, 1, Date.UTC(2026, 10, 21));
  e.created_by = { agent: { href: '/orgs/1/agents/7', hostname: host } };
  return JSON.stringify(e).replace(/"hostname":"[^"]*"/g, `"hostname":${JSON.stringify(host)}`);
}

const META = { sourcetype: 'illumio:pce:event', host: 'hf-01' };

describe('the key', () => {
  test.each(NAMES)('%j → %j in the objects records and in EVAL-src_host_short', (name, key) => {
    expect(hostShort(name)).toBe(key);
    const fields = appKnowledge().evaluate(venReport(name), META).fields;
    expect({ src_host: fields.get('src_host')?.[0] ?? null, key: fields.get('src_host_short')?.[0] ?? null }).toEqual({ src_host: name || null, key });
  });

  test('every Illumio sourcetype whose VEN reports are matched by hostname computes the key', () => {
    const props = loadAppFiles(ROOT).props!;
    const withHostLookup = props.stanzas.filter((s) => s.entries.some((e) => e.key === 'LOOKUP-illumio_k5_src_host'));
    expect(withHostLookup.length).toBe(4);
    for (const s of withHostLookup) {
      expect({ st: s.name, k6: s.entries.some((e) => e.key === 'LOOKUP-illumio_k6_src_host_short'), eval: s.entries.some((e) => e.key === 'EVAL-src_host_short') }).toEqual({ st: s.name, k6: true, eval: true });
    }
  });

  test('the regex means the same under real PCRE2 as in the records\' function', () => {
    const pcre2test = requireTool('pcre2test', 'apt-get update && apt-get install -y pcre2-utils');
    // rtrim(…, ".") runs before the regex in both; a subject pcre2test cannot take empty is left out.
    const subjects = NAMES.map(([n]) => n.replace(/\.+$/, '')).filter((s) => s !== '').concat(['web01.corp\nexample']);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hostkey-')), 'in.txt');
    fs.writeFileSync(file, `${patternLine(HOST_SHORT_RE, '', false)}\n${subjects.map(subjectLine).join('\n')}\n`);
    const out = execFileSync(pcre2test, ['-q', file], { encoding: 'utf8' });
    expect(out).not.toMatch(/^(?:Failed: |\*\* )/m);
    // Per subject: the echoed subject, then "No match" or " 0: …" and " 1: <the short name>".
    const lines = out.split('\n').slice(1);
    const pcre: (string | null)[] = [];
    for (let i = 0; i < lines.length && pcre.length < subjects.length; i++) {
      if (lines[i + 1] === 'No match') { pcre.push(null); i++; } else if (/^ 0: /.test(lines[i + 1] ?? '')) { pcre.push(/^ 1: (.*)$/.exec(lines[i + 2])![1]); i += 2; }
    }
    const js = subjects.map((s) => { const m = new RegExp(HOST_SHORT_RE.replace('(?s)', ''), 's').exec(s); return m ? m[1] : null; });
    expect(pcre).toEqual(js);
    expect(js.filter((x) => x !== null).length).toBeGreaterThan(4);
  });
});

describe('the lookups', () => {
  type W = { n: number; hostname: string; labels: [string, string][]; mode?: string };
  const ESTATE: W[] = [
    { n: 1, hostname: 'web01.corp.example', labels: [['role', 'web'], ['env', 'prod']], mode: 'full' },
    // The namesake in another domain, with a label dimension web01.corp.example lacks.
    { n: 2, hostname: 'web01.lab.example', labels: [['role', 'test'], ['app', 'lab'], ['env', 'dev']], mode: 'idle' },
    { n: 3, hostname: 'DB02.corp.example', labels: [['role', 'db'], ['app', 'crm']], mode: 'selective' },
    { n: 4, hostname: 'app03', labels: [['role', 'app']], mode: 'full' },
    { n: 5, hostname: '10.1.2.3', labels: [['role', 'appliance']], mode: 'visibility_only' },
  ];
  const href = (n: number) => `/orgs/1/workloads/${n}`;
  const kinds = OBJECT_KINDS.find((k) => k.kind === 'workloads')!;
  const pce = ESTATE.map((w) => ({
    href: href(w.n), name: `w${w.n}`, hostname: w.hostname, online: true, enforcement_mode: w.mode,
    interfaces: [{ name: 'eth0', address: `10.9.0.${w.n}` }],
    labels: w.labels.map(([key, value], i) => ({ href: `/orgs/1/labels/${w.n * 10 + i}`, key, value })),
    ven: { href: `/orgs/1/vens/${w.n}`, status: 'active' },
  }));
  const records = pce.map((o) => kinds.record(o)!);
  const kv = new Map<string, ObjectRecord[]>([
    ['illumio_workloads', records],
    ['illumio_workload_interfaces', records.flatMap((r, i) => kinds.derived!.records(r, pce[i]))],
  ]);
  const kb = new KnowledgeBase({ ...loadAppFiles(ROOT), kv }).assertValid();
  const enrich = (host: string) => {
    const f = toJsonObject(kb.evaluate(venReport(host), META));
    return { src_host: f.src_host, src_workload: f.src_workload, src_labels: f.src_labels, src_label_app: f.src_label_app, src_enforcement_mode: f.src_enforcement_mode };
  };

  test('the records carry the key', () => {
    expect(records.map((r) => r.host_short)).toEqual(['web01', 'web01', 'db02', 'app03', '10.1.2.3']);
  });

  test('an FQDN the PCE stores as reported matches exactly: that workload only, no field from its namesake', () => {
    expect(enrich('web01.corp.example')).toEqual({ src_host: 'web01.corp.example', src_workload: href(1), src_labels: ['web', 'prod'], src_label_app: undefined, src_enforcement_mode: 'full' });
  });

  test('a short name or another case finds the workload; the event keeps the name its VEN reported', () => {
    const db = { src_workload: href(3), src_labels: ['db', 'crm'], src_label_app: 'crm', src_enforcement_mode: 'selective' };
    expect(enrich('db02')).toEqual({ src_host: 'db02', ...db });
    expect(enrich('DB02.CORP.EXAMPLE')).toEqual({ src_host: 'DB02.CORP.EXAMPLE', ...db });
    expect(enrich('db02.corp.example.')).toEqual({ src_host: 'db02.corp.example.', ...db });
    // The PCE stores the short name, the VEN reports its FQDN.
    expect(enrich('App03.corp.example')).toMatchObject({ src_workload: href(4), src_labels: 'app' });
  });

  test('a short name two workloads share gives both (multivalue), as an address two workloads share does', () => {
    expect(enrich('WEB01')).toEqual({ src_host: 'WEB01', src_workload: [href(1), href(2)], src_labels: ['web', 'prod', 'test', 'lab', 'dev'], src_label_app: 'lab', src_enforcement_mode: ['full', 'idle'] });
    // Any domain: the key is the first label.
    expect(enrich('web01.other.example').src_workload).toEqual([href(1), href(2)]);
  });

  test('an address is matched whole, never by its first number; an unknown host gets nothing', () => {
    expect(enrich('10.1.2.3').src_workload).toBe(href(5));
    expect(enrich('10.1.2.9').src_workload).toBeUndefined();
    expect(enrich('10').src_workload).toBeUndefined();
    expect(enrich('web011').src_workload).toBeUndefined();
  });
});
