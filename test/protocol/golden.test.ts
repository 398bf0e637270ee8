/**
 * Our output against Splunk's SDK fixtures, compared as parsed XML: same element names, order and
 * attribute sets, with values we choose checked for meaning rather than against our own strings.
 */
import { SPLUNK_PARAMS } from '../../src/core/description';
import { eventXml, schemeXml, STREAM_CLOSE, STREAM_OPEN, validationErrorXml } from '../../src/core/protocol';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';

import { fixtureText } from './fixtures';
import { child, parseXml, shape, type XmlNode } from './xml-tree';

const descriptions = descriptionsOf(SOURCE_MODULES);

const schemeFixture = parseXml(fixtureText('scheme_without_defaults_and_argument_title.xml'));
// The fixture's fullest <arg> gives the element order splunkd's own SDK writes.
const fixtureArgOrder = child(child(schemeFixture, 'endpoint')!, 'args')!.children
  .map((a) => a.children.map((c) => c.name))
  .sort((a, b) => b.length - a.length)[0];

function args(doc: XmlNode): XmlNode[] {
  return child(child(doc, 'endpoint')!, 'args')!.children;
}

/** True when `names` appear in `order` in the same relative order. */
function inOrder(names: string[], order: string[]): boolean {
  const idx = names.map((n) => order.indexOf(n));
  return idx.every((v, i) => v >= 0 && (i === 0 || v > idx[i - 1]));
}

describe.each(descriptions.map((d) => [d.scheme, d]))('scheme XML for %s', (_, desc) => {
  const doc = parseXml(schemeXml(desc));

  test('top level elements match the fixture, in order', () => {
    expect(doc.name).toBe(schemeFixture.name);
    expect(doc.children.map((c) => c.name)).toEqual(schemeFixture.children.map((c) => c.name));
    expect(child(doc, 'endpoint')!.children.map((c) => c.name)).toEqual(['args']);
  });

  test('every arg has the fixture\'s attribute set and element order', () => {
    const fixtureArgAttrs = shape(args(schemeFixture)[1]) as { attributes: string[] };
    for (const arg of args(doc)) {
      expect(arg.name).toBe('arg');
      expect(Object.keys(arg.attributes).sort()).toEqual(fixtureArgAttrs.attributes);
      const names = arg.children.map((c) => c.name);
      expect(inOrder(names, fixtureArgOrder)).toBe(true);
      for (const required of ['title', 'description', 'data_type', 'required_on_edit', 'required_on_create']) {
        expect(names).toContain(required);
      }
    }
  });

  test('values mean what splunkd expects', () => {
    expect(child(doc, 'title')!.text).toBe(desc.title);
    expect(child(doc, 'description')!.text).toBe(desc.description);
    expect(child(doc, 'use_external_validation')!.text).toBe('true');
    expect(child(doc, 'use_single_instance')!.text).toBe('false');
    expect(child(doc, 'streaming_mode')!.text).toBe('xml');
    const declared = args(doc);
    expect(declared.map((a) => a.attributes.name)).toEqual(desc.args.map((a) => a.name));
    for (const a of declared) {
      const d = desc.args.find((x) => x.name === a.attributes.name)!;
      expect(child(a, 'title')!.text).toBe(d.title);
      expect(child(a, 'description')!.text).toBe(d.description);
      expect(child(a, 'data_type')!.text).toBe(d.type);
      // A setting the input's connection (pce_connection) can supply may be left empty in the form.
      const required = Boolean(d.required) && !desc.account?.args.some((x) => x.name === d.name);
      expect(child(a, 'required_on_create')!.text).toBe(String(required));
      // An edit that leaves a masked secret alone must not fail for the missing secret.
      expect(child(a, 'required_on_edit')!.text).toBe(String(required && !d.secret));
    }
  });

  test('an input that can name a connection declares its argument, and requires none of what the connection supplies', () => {
    if (!desc.account) return;
    const declared = args(doc);
    expect(declared.map((a) => a.attributes.name)).toContain(desc.account.param);
    const supplied = declared.filter((a) => desc.account!.args.some((x) => x.name === a.attributes.name));
    // The input declares every setting the connection holds, so own settings keep working.
    expect(supplied.map((a) => a.attributes.name)).toEqual(desc.account.args.map((x) => x.name));
    for (const a of supplied) expect(child(a, 'required_on_create')!.text).toBe('false');
  });

  test('declares none of the parameters splunkd adds itself (index, interval, …)', () => {
    const names = args(doc).map((a) => a.attributes.name);
    expect(names).not.toContain('index');
    expect(names).not.toContain('interval');
    for (const n of names) expect(SPLUNK_PARAMS.has(n)).toBe(false);
  });

  test('secrets are declared so splunkd\'s form has a field for them', () => {
    for (const d of desc.args.filter((a) => a.secret)) {
      expect(args(doc).map((a) => a.attributes.name)).toContain(d.name);
    }
  });
});

describe('stream and event XML', () => {
  const ev = { time: 1372274622.493, source: 'hilda', sourcetype: 'misc', index: 'main', host: 'localhost', data: 'This is a test of the emergency broadcast system.' };

  test('a maximal event has the fixture\'s shape and values', () => {
    const fixture = parseXml(fixtureText('event_maximal.xml'));
    const ours = parseXml(eventXml('fubar', ev));
    expect(shape(ours)).toEqual(shape(fixture));
    expect(ours.attributes).toEqual(fixture.attributes);
    for (const c of fixture.children) expect(child(ours, c.name)!.text).toBe(c.text.trim());
  });

  test('a minimal event has the fixture\'s shape', () => {
    const fixture = parseXml(fixtureText('event_minimal.xml'));
    const ours = parseXml(eventXml('fubar', { time: 1372187084, data: ev.data }));
    expect(shape(ours)).toEqual(shape(fixture));
    expect(child(ours, 'time')!.text).toBe(child(fixture, 'time')!.text);
  });

  test('a stream of two events has the fixture\'s shape', () => {
    const fixture = parseXml(fixtureText('stream_with_two_events.xml'));
    const ours = parseXml(STREAM_OPEN + eventXml('fubar', { ...ev, time: 1372275124.466 }).repeat(2) + STREAM_CLOSE);
    expect(shape(ours)).toEqual(shape(fixture));
  });

  test('the validation error matches the fixture', () => {
    const fixture = parseXml(fixtureText('validation_error.xml'));
    const ours = parseXml(validationErrorXml('Big fat validation error!'));
    expect(shape(ours)).toEqual(shape(fixture));
    expect(child(ours, 'message')!.text).toBe(child(fixture, 'message')!.text);
  });

  test('a validation message with markup stays one message', () => {
    const msg = 'x: "pce_url" must start with https://, got "</message></error><error>&"';
    expect(child(parseXml(validationErrorXml(msg)), 'message')!.text).toBe(msg);
  });
});
