/**
 * Reads what splunkd writes to a modular input's stdin: `<input>` in run mode
 * (modinput-fixtures/conf_with_2_inputs.xml) and `<items>` for --validate-arguments
 * (validation.xml). splunkd may send UTF-16 with a byte-order mark, so bytes are decoded here
 * rather than trusted to be UTF-8.
 */
import { SaxesParser } from 'saxes';

export type Params = Record<string, string | string[]>;

export interface StanzaDefinition {
  /** `<scheme>://<name>` in run mode; the bare `<name>` of an `<item>` in validation mode. */
  name: string;
  app?: string;
  params: Params;
}

export interface SplunkdSession {
  serverHost?: string;
  serverUri?: string;
  sessionKey?: string;
  checkpointDir?: string;
}

export interface InputDefinition extends SplunkdSession {
  stanzas: StanzaDefinition[];
}

export interface ValidationDefinition extends SplunkdSession {
  item: StanzaDefinition;
}

export class InputXmlError extends Error {
  override name = 'InputXmlError';
}

/** Decodes stdin bytes by their byte-order mark (UTF-8 when there is none). */
export function decodeXmlBytes(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    // Node has no utf16be codec without full ICU; swapping to LE is exact.
    const body = Buffer.from(buf.subarray(2));
    swapInPlace(body);
    return body.toString('utf16le');
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  return buf.toString('utf8');
}

function swapInPlace(b: Buffer): void {
  // An odd trailing byte cannot be UTF-16; drop it rather than fail the whole swap.
  const even = b.length - (b.length % 2);
  b.subarray(0, even).swap16();
}

const SESSION_FIELDS: Record<string, keyof SplunkdSession> = {
  server_host: 'serverHost',
  server_uri: 'serverUri',
  session_key: 'sessionKey',
  checkpoint_dir: 'checkpointDir',
};

interface Parsed {
  root: string;
  session: SplunkdSession;
  stanzas: StanzaDefinition[];
}

function parse(xml: string | Buffer): Parsed {
  const text = typeof xml === 'string' ? xml.replace(/^\uFEFF/, '') : decodeXmlBytes(xml);
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  const out: Parsed = { root: '', session: {}, stanzas: [] };
  let current: StanzaDefinition | undefined;
  let paramName: string | undefined;
  let listName: string | undefined;
  let buf = '';
  const fail = (why: string): never => {
    throw new InputXmlError(`splunkd sent unexpected XML on stdin (line ${parser.line}): ${why}`);
  };

  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    stack.push(tag.name);
    buf = '';
    const nameAttr = typeof tag.attributes.name === 'string' ? tag.attributes.name : undefined;
    if (stack.length === 1) {
      out.root = tag.name;
      return;
    }
    if ((tag.name === 'stanza' && parent === 'configuration') || (tag.name === 'item' && parent === 'items')) {
      if (nameAttr === undefined) fail(`<${tag.name}> without a name attribute`);
      const app = typeof tag.attributes.app === 'string' ? tag.attributes.app : undefined;
      current = { name: nameAttr!, params: {}, ...(app ? { app } : {}) };
      out.stanzas.push(current);
      return;
    }
    if (parent === 'stanza' || parent === 'item') {
      if (tag.name !== 'param' && tag.name !== 'param_list') {
        fail(`<${tag.name}> inside <${parent} name="${current?.name}">; expected <param> or <param_list>`);
      }
      if (nameAttr === undefined) fail(`<${tag.name}> without a name attribute in "${current?.name}"`);
      if (tag.name === 'param') paramName = nameAttr;
      else {
        listName = nameAttr;
        current!.params[nameAttr!] = [];
      }
      return;
    }
    if (parent === 'param_list' && tag.name !== 'value') fail(`<${tag.name}> inside <param_list>; expected <value>`);
  });
  parser.on('text', (t) => {
    buf += t;
  });
  parser.on('cdata', (t) => {
    buf += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    const parent = stack[stack.length - 1];
    if (tag.name === 'param' && paramName !== undefined && current) {
      current.params[paramName] = buf;
      paramName = undefined;
    } else if (tag.name === 'value' && parent === 'param_list' && listName !== undefined && current) {
      (current.params[listName] as string[]).push(buf);
    } else if (tag.name === 'param_list') {
      listName = undefined;
    } else if (tag.name === 'stanza' || tag.name === 'item') {
      current = undefined;
    } else if (stack.length === 1 && SESSION_FIELDS[tag.name]) {
      out.session[SESSION_FIELDS[tag.name]] = buf.trim();
    }
    buf = '';
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof InputXmlError) throw e;
    throw new InputXmlError(`splunkd sent XML that does not parse: ${(e as Error).message}`);
  }
  return out;
}

/** Run mode: `<input>` with zero or more `<stanza>` elements. */
export function parseInputXml(xml: string | Buffer): InputDefinition {
  const p = parse(xml);
  if (p.root !== 'input') throw new InputXmlError(`expected <input> on stdin, got <${p.root || 'nothing'}>`);
  return { ...p.session, stanzas: p.stanzas };
}

/** --validate-arguments: `<items>` with exactly one `<item>`. */
export function parseValidationXml(xml: string | Buffer): ValidationDefinition {
  const p = parse(xml);
  if (p.root !== 'items') throw new InputXmlError(`expected <items> on stdin, got <${p.root || 'nothing'}>`);
  if (p.stanzas.length !== 1) throw new InputXmlError(`expected one <item> in <items>, got ${p.stanzas.length}`);
  return { ...p.session, item: p.stanzas[0] };
}
