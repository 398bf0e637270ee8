/**
 * The `<stream>` splunkd reads from a modular input in xml streaming mode
 * (shape: modinput-fixtures/stream_with_two_events.xml). Each event is complete on its own
 * (`unbroken="1"` + `<done/>`), so splunkd never glues two events together.
 */
import type { OutEvent } from '../types';
import { element, escapeXmlAttr } from './xml';

export const STREAM_OPEN = '<stream>\n';
export const STREAM_CLOSE = '</stream>\n';

/** Epoch seconds with millisecond precision, as splunkd expects in `<time>`. */
export function formatTime(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return (Math.round(seconds * 1000) / 1000).toFixed(3);
}

/**
 * The escaped stanza and metadata of the last event: every event of a batch carries the same,
 * and escaping them again per event was five regex passes per event (issue 16).
 */
interface Escaped {
  stanza?: string;
  head: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  host?: string;
  meta: string;
}
const last: Escaped = { head: '', meta: '' };

/** One `<event>` element, newline-terminated. Fields follow the fixture's order. */
export function eventXml(stanza: string, ev: OutEvent): string {
  if (stanza !== last.stanza) {
    last.head = `<event stanza="${escapeXmlAttr(stanza)}" unbroken="1">`;
    last.stanza = stanza;
  }
  if (ev.source !== last.source || ev.sourcetype !== last.sourcetype || ev.index !== last.index || ev.host !== last.host) {
    let meta = '';
    if (ev.source) meta += element('source', ev.source);
    if (ev.sourcetype) meta += element('sourcetype', ev.sourcetype);
    if (ev.index) meta += element('index', ev.index);
    if (ev.host) meta += element('host', ev.host);
    last.meta = meta;
    last.source = ev.source;
    last.sourcetype = ev.sourcetype;
    last.index = ev.index;
    last.host = ev.host;
  }
  const time = ev.time === undefined ? undefined : formatTime(ev.time);
  return `${last.head}${time !== undefined ? `<time>${time}</time>` : ''}${last.meta}${element('data', ev.data)}<done/></event>\n`;
}

export function eventsXml(stanza: string, events: readonly OutEvent[]): string {
  let out = '';
  for (const ev of events) out += eventXml(stanza, ev);
  return out;
}
