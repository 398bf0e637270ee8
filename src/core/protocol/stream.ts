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

/** One `<event>` element, newline-terminated. Fields follow the fixture's order. */
export function eventXml(stanza: string, ev: OutEvent): string {
  let out = `<event stanza="${escapeXmlAttr(stanza)}" unbroken="1">`;
  const time = ev.time === undefined ? undefined : formatTime(ev.time);
  if (time !== undefined) out += `<time>${time}</time>`;
  if (ev.source) out += element('source', ev.source);
  if (ev.sourcetype) out += element('sourcetype', ev.sourcetype);
  if (ev.index) out += element('index', ev.index);
  if (ev.host) out += element('host', ev.host);
  out += element('data', ev.data);
  return `${out}<done/></event>\n`;
}

export function eventsXml(stanza: string, events: readonly OutEvent[]): string {
  let out = '';
  for (const ev of events) out += eventXml(stanza, ev);
  return out;
}
