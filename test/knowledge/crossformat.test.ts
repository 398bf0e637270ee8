/**
 * One PCE event, four ways in (events API JSON, syslog JSON, CEF, LEEF 1.0/2.0 with several
 * delimiters): the normalised Illumio fields and the CIM fields must come out identical.
 * Events: the seed's documented examples (src/sources/illumio/samples) and the simulator's
 * events for every event type in the catalog, success and failure, current and pre-18.2 names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toJsonObject } from '../../src/core/knowledge';
import { makeEvent } from '../../src/sources/illumio/simulator/generate';
import { CEF_RC_LIMIT, LeefOptions, toCef, toLeef, toSyslogJson } from '../../src/sources/illumio/formats';
import { appKnowledge, ROOT } from './support';

const NORMALISED = [
  'event_type', 'event_type_original', 'status', 'vendor_severity', 'severity', 'event_href', 'pce_fqdn', 'src', 'user', 'dvc',
  'dest', 'action', 'app', 'vendor_product', 'object', 'object_category', 'object_id', 'object_attrs', 'change_type', 'command',
  'result', 'signature', 'signature_id', 'description', 'id', 'type', 'src_user', 'notification_type', 'eventtype', 'tag',
];

const LEEF_VARIANTS: LeefOptions[] = [{ version: '1.0' }, { version: '2.0' }, { version: '2.0', delimiter: '^' }, { version: '2.0', delimiter: 'x7C' }, { version: '2.0', delimiter: '0x5E' }, { version: '2.0', delimiter: '~' }];

function normalised(raw: string, sourcetype: string): Record<string, unknown> {
  const o = toJsonObject(appKnowledge().evaluate(raw, { sourcetype }));
  const out: Record<string, unknown> = { _time_s: typeof o._time === 'string' ? o._time.slice(0, 19) : o._time };
  for (const k of NORMALISED) out[k] = o[k];
  return out;
}

function renderings(e: Record<string, unknown>, i: number): [string, string, string][] {
  return [
    ['json', 'illumio:pce:event', JSON.stringify(e)],
    ['syslog', 'illumio:pce:syslog', toSyslogJson(e)],
    ['cef', 'illumio:pce:cef', toCef(e)],
    ['leef', 'illumio:pce:leef', toLeef(e, LEEF_VARIANTS[i % LEEF_VARIANTS.length])],
  ];
}

const samples = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/sources/illumio/samples/events.json'), 'utf8')) as Record<string, unknown>[];
const catalog = fs.readFileSync(path.join(ROOT, 'lookups', 'illumio_event_types.csv'), 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]).filter(Boolean);

describe('cross-format normalisation', () => {
  it.each(samples.map((e, i) => [String(e.event_type), e, i] as const))('seed example %s yields the same fields in all formats', (_t, e, i) => {
    const [json, ...others] = renderings(e, i).map(([f, st, raw]) => ({ f, v: normalised(raw, st) }));
    expect(json.v.event_type).toBe(e.event_type);
    expect(json.v.event_href).toBe(e.href);
    for (const o of others) expect({ format: o.f, ...o.v }).toEqual({ format: o.f, ...json.v });
  });

  it('holds for every catalog event type from the simulator, with legacy names and failures', () => {
    expect(catalog.length).toBeGreaterThan(100);
    const diffs: string[] = [];
    catalog.forEach((t, i) => {
      for (const legacyNames of [false, true]) {
        const e = makeEvent({ seed: 3, org: 7, pceFqdn: 'pce.example.net', eventTypes: [t], legacyNames }, i, Date.UTC(2026, 5, 1) + i * 7);
        const [json, ...others] = renderings(e, i).map(([f, st, raw]) => ({ f, v: normalised(raw, st) }));
        for (const o of others) {
          for (const k of Object.keys(json.v)) {
            if (JSON.stringify(o.v[k]) !== JSON.stringify(json.v[k])) diffs.push(`${e.event_type} ${o.f} ${k}: ${JSON.stringify(o.v[k])} != json ${JSON.stringify(json.v[k])}`);
          }
        }
      }
    });
    expect(diffs.slice(0, 20)).toEqual([]);
  });

  // src is a client address or absent: FILTERED and the PCE's own name are neither.
  it('never yields FILTERED (or the PCE) as src and maps pre-18.2 names to current ones', () => {
    const e: Record<string, unknown> = { ...samples[1], event_type: 'activation_failure', status: null, action: { ...(samples[1].action as object), src_ip: 'FILTERED' } };
    for (const [, st, raw] of renderings(e, 2)) {
      const v = normalised(raw, st);
      expect({ st, src: v.src, event_type: v.event_type, original: v.event_type_original, status: v.status }).toEqual({
        st, src: undefined, event_type: 'agent.activate', original: 'activation_failure', status: 'failure',
      });
    }
  });

  it('joins resource_changes_2 back onto resource_changes when CEF overflows', () => {
    const rc = Array.from({ length: 40 }, (_, i) => ({ uuid: `u${i}`, resource: { label: { href: `/orgs/1/labels/${i}`, key: 'env', value: `v=${i} x` } }, changes: { value: { before: null, after: `v=${i} x` } }, change_type: 'create' }));
    const e = { ...samples[2], resource_changes: rc };
    const line = toCef(e);
    expect(line).toContain('cs3Label=resource_changes_2');
    const ev = appKnowledge().evaluate(line, { sourcetype: 'illumio:pce:cef' });
    expect(ev.fields.get('resource_changes_2')?.[0].length).toBe(JSON.stringify(rc).length - CEF_RC_LIMIT);
    expect(JSON.parse(ev.fields.get('resource_changes')![0])).toEqual(rc);
  });
});
