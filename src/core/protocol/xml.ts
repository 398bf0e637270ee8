/**
 * XML text rules for everything we print to splunkd. Event data is arbitrary vendor text, so
 * the output must stay well-formed whatever it carries, and no event may be dropped for it:
 *
 * - invalid UTF-8 (data arriving as a Buffer) decodes to U+FFFD;
 * - lone UTF-16 surrogates and characters XML 1.0 forbids (C0 controls other than TAB, LF and
 *   CR; U+FFFE; U+FFFF) become U+FFFD — XML has no way to carry them, not even as references;
 * - `&`, `<` and `>` are escaped, so `</data>` and `]]>` inside data are plain text;
 * - CR is written as `&#13;` because XML parsers turn a literal CR (and CRLF) into LF, and the
 *   indexed text must be the text the vendor sent;
 * - in attributes, `"` and TAB/LF/CR are escaped too, since parsers normalise attribute
 *   whitespace.
 *
 * `sanitizeXmlText` is the documented transformation: parsing our output gives back exactly
 * `sanitizeXmlText(input)`.
 */

// eslint-disable-next-line no-control-regex
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
// One plain character class that finds anything needing work (surrogates included, paired or
// not): most event text has none, and this test is far cheaper than the look-around above.
// eslint-disable-next-line no-control-regex
const TEXT_CLEAN = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F&<>\r\uD800-\uDFFF\uFFFE\uFFFF]*$/;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export const REPLACEMENT_CHAR = '\uFFFD';

/** The text a parser reads back from our output for `input`. */
export function sanitizeXmlText(input: string | Buffer): string {
  const s = typeof input === 'string' ? input : input.toString('utf8');
  // test() before replace(): most event text is clean and this keeps the common case cheap.
  ILLEGAL.lastIndex = 0;
  if (!ILLEGAL.test(s)) return s;
  ILLEGAL.lastIndex = 0;
  return s.replace(ILLEGAL, REPLACEMENT_CHAR);
}

/** Character data for an element's content. */
export function escapeXmlText(input: string | Buffer): string {
  if (typeof input === 'string' && TEXT_CLEAN.test(input)) return input;
  const s = sanitizeXmlText(input);
  TEXT_SPECIAL.lastIndex = 0;
  if (!TEXT_SPECIAL.test(s)) return s;
  TEXT_SPECIAL.lastIndex = 0;
  return s.replace(TEXT_SPECIAL, (c) => ENTITIES[c]);
}

/** A double-quoted attribute value. */
export function escapeXmlAttr(input: string | Buffer): string {
  const s = sanitizeXmlText(input);
  ATTR_SPECIAL.lastIndex = 0;
  if (!ATTR_SPECIAL.test(s)) return s;
  ATTR_SPECIAL.lastIndex = 0;
  return s.replace(ATTR_SPECIAL, (c) => ENTITIES[c]);
}

/** `<name>text</name>` */
export function element(name: string, text: string | Buffer): string {
  return `<${name}>${escapeXmlText(text)}</${name}>`;
}
