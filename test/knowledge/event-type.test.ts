/**
 * Illumio `event_type` is a short EVAL (outcome suffix dropped, 18.2 renames applied), not a lookup
 * OUTPUT: an automatic lookup with OUTPUT would clear it for any type missing from the table. An
 * event type the catalog does not know yet keeps its name; the lookup only adds what it knows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConf } from '../../src/core/conf/parse';
import { appKnowledge, goldenLines, ROOT } from './support';

describe('Illumio event_type', () => {
  const kb = appKnowledge();
  const base = JSON.parse(goldenLines('illumio:pce:event')[0]) as Record<string, unknown>;
  const fields = (event_type: string) => kb.evaluate(JSON.stringify({ ...base, event_type }), { sourcetype: 'illumio:pce:event' }).fields;

  it('keeps a type the catalog does not know, without lookup outputs', () => {
    const f = fields('brand_new.thing.success');
    expect({ event_type: f.get('event_type'), signature_id: f.get('signature_id'), family: f.get('illumio_family') }).toEqual({ event_type: ['brand_new.thing'], signature_id: undefined, family: undefined });
  });

  it('renames a pre-18.2 type and lets the lookup describe it', () => {
    const f = fields('fw_config_change');
    expect({ event_type: f.get('event_type'), signature_id: f.get('signature_id'), family: f.get('illumio_family') }).toEqual({ event_type: ['agent.firewall_config'], signature_id: ['agent.firewall_config'], family: ['agent'] });
  });

  it('is not written by any LOOKUP- OUTPUT', () => {
    const props = parseConf(fs.readFileSync(path.join(ROOT, 'default', 'props.conf'), 'utf8'));
    const lookups = props.stanzas.flatMap((s) => s.entries.filter((e) => e.key.startsWith('LOOKUP-')).map((e) => `[${s.name}] ${e.key}`));
    const writers = props.stanzas.flatMap((s) =>
      s.entries.filter((e) => e.key.startsWith('LOOKUP-') && /\bOUTPUT(?:NEW)?\b.*\bevent_type\b(?!_)/.test(e.value.replace(/\bAS event_type_\w+/g, ''))).map((e) => `[${s.name}] ${e.key}`),
    );
    expect(lookups.length).toBeGreaterThan(0);
    expect(writers).toEqual([]);
  });
});
