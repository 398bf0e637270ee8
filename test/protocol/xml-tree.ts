/** A tiny DOM built with saxes (the same reader npm run facts uses), so tests compare what a real XML parser reads. */
import { FactXmlNode, xmlTree } from '../../src/build/facts';

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

function elements(n: FactXmlNode): XmlNode {
  return { name: n.name, attributes: n.attributes, text: n.text, children: n.children.flatMap((c) => ('comment' in c ? [] : [elements(c)])) };
}

/** The element tree of a document; comments are left out. */
export function parseXml(xml: string): XmlNode {
  return elements(xmlTree(xml));
}

export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** Element names and attribute names, no text: the "shape" two documents must share. */
export function shape(node: XmlNode): unknown {
  return {
    name: node.name,
    attributes: Object.keys(node.attributes).sort(),
    children: node.children.map(shape),
  };
}
