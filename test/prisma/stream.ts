/**
 * Reads the `<stream>` an input wrote the way splunkd does: complete `<event>` elements only. A
 * process killed mid-write leaves a partial element that splunkd never indexes, so it is not
 * counted here either.
 */
import { HEALTH_SOURCETYPE } from '../../src/core/app';
import { SaxesParser } from 'saxes';

export interface StreamEvent {
  stanza?: string;
  time?: string;
  data: string;
  source?: string;
  sourcetype?: string;
  index?: string;
}

export function parseStream(xml: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  const parser = new SaxesParser();
  let current: Record<string, string> | undefined;
  let field: string | undefined;
  parser.on('opentag', (t) => {
    if (t.name === 'event') current = { stanza: String(t.attributes.stanza ?? '') };
    else if (current) { field = t.name; current[field] = ''; }
  });
  parser.on('text', (text) => { if (current && field) current[field] += text; });
  parser.on('closetag', (t) => {
    // Each run ends with its health event (tested in test/soc); callers here count vendor events.
    if (t.name === 'event' && current && current.sourcetype === HEALTH_SOURCETYPE) current = undefined;
    if (t.name === 'event' && current) {
      out.push({ data: '', ...current } as StreamEvent);
      current = undefined;
    }
    field = undefined;
  });
  try {
    parser.write(xml).close();
  } catch {
    // The tail of a killed writer: everything complete before it was collected above.
  }
  return out;
}
