export { XmlStreamSink } from './xml';
