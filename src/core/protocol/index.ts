export { sanitizeXmlText, escapeXmlText, escapeXmlAttr, element, REPLACEMENT_CHAR } from './xml';
export { STREAM_OPEN, STREAM_CLOSE, eventXml, eventsXml, formatTime } from './stream';
export { schemeXml, validationErrorXml } from './scheme';
export {
  parseInputXml, parseValidationXml, decodeXmlBytes, InputXmlError,
  type InputDefinition, type ValidationDefinition, type StanzaDefinition, type SplunkdSession, type Params,
} from './input';
