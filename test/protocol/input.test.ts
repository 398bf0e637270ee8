import { decodeXmlBytes, InputXmlError, parseInputXml, parseValidationXml } from '../../src/core/protocol';
import { fixtureBytes } from './fixtures';

const SESSION = { serverHost: 'tiny', serverUri: 'https://127.0.0.1:8089', sessionKey: '123102983109283019283' };

describe('<input> from splunkd', () => {
  test('conf_with_2_inputs.xml (UTF-16 BE with BOM): every stanza, param and param_list', () => {
    const raw = fixtureBytes('conf_with_2_inputs.xml');
    expect([raw[0], raw[1]]).toEqual([0xfe, 0xff]);
    expect(parseInputXml(raw)).toEqual({
      ...SESSION,
      checkpointDir: '/some/dir',
      stanzas: [
        { name: 'foobar://aaa', app: 'search', params: { param1: 'value1', param2: 'value2', disabled: '0', index: 'default' } },
        {
          name: 'foobar://bbb', app: 'my_app',
          params: {
            param1: 'value11', param2: 'value22', disabled: '0', index: 'default',
            multiValue: ['value1', 'value2'], multiValue2: ['value3', 'value4'],
          },
        },
      ],
    });
  });

  test('conf_with_0_inputs.xml: no stanzas', () => {
    expect(parseInputXml(fixtureBytes('conf_with_0_inputs.xml'))).toEqual({ ...SESSION, checkpointDir: '/some/dir', stanzas: [] });
  });

  test('the same document in UTF-16 LE, UTF-8 with BOM and plain UTF-8 reads the same', () => {
    const text = decodeXmlBytes(fixtureBytes('conf_with_2_inputs.xml'));
    const expected = parseInputXml(fixtureBytes('conf_with_2_inputs.xml'));
    const utf8 = text.replace('encoding="utf-16"', 'encoding="utf-8"');
    expect(parseInputXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toEqual(expected);
    expect(parseInputXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)]))).toEqual(expected);
    expect(parseInputXml(Buffer.from(utf8))).toEqual(expected);
  });

  test('conf_with_invalid_inputs.xml: refused, naming the unexpected element and stanza', () => {
    expect(() => parseInputXml(fixtureBytes('conf_with_invalid_inputs.xml'))).toThrow(InputXmlError);
    expect(() => parseInputXml(fixtureBytes('conf_with_invalid_inputs.xml'))).toThrow(/<editor>.*foobar:\/\/aaa/);
  });

  test('values keep entities, CDATA, spaces and non-ASCII exactly', () => {
    const xml = `<input><checkpoint_dir> /d </checkpoint_dir><configuration><stanza name="s://a &amp; b">
      <param name="p">&lt;x&gt; &amp; "q" ü</param><param name="c"><![CDATA[a]]>b<![CDATA[<c>]]></param>
      <param name="sp">  padded  </param><param name="empty"/></stanza></configuration></input>`;
    const def = parseInputXml(xml);
    expect(def.checkpointDir).toBe('/d');
    expect(def.stanzas[0]).toEqual({ name: 's://a & b', params: { p: '<x> & "q" ü', c: 'ab<c>', sp: '  padded  ', empty: '' } });
  });

  test('malformed XML or the wrong root fails with a message saying what splunkd sent', () => {
    expect(() => parseInputXml('<input><configuration>')).toThrow(/does not parse/);
    expect(() => parseInputXml('<items><item name="a"/></items>')).toThrow(/expected <input>/);
    expect(() => parseInputXml('')).toThrow(InputXmlError);
  });
});

describe('<items> for --validate-arguments', () => {
  test('validation.xml (UTF-16 BE with BOM): the single item, comments ignored', () => {
    expect(parseValidationXml(fixtureBytes('validation.xml'))).toEqual({
      ...SESSION,
      checkpointDir: '/opt/splunk/var/lib/splunk/modinputs',
      item: {
        name: 'aaa',
        params: {
          param1: 'value1', param2: 'value2', disabled: '0', index: 'default',
          multiValue: ['value1', 'value2'], multiValue2: ['value3', 'value4'],
        },
      },
    });
  });

  test('zero or several items are refused', () => {
    expect(() => parseValidationXml('<items></items>')).toThrow(/one <item>.*got 0/);
    expect(() => parseValidationXml('<items><item name="a"/><item name="b"/></items>')).toThrow(/got 2/);
    expect(() => parseValidationXml('<input/>')).toThrow(/expected <items>/);
  });
});
