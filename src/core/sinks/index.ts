/** Where events go: splunkd's XML stream on stdout, HEC, or NDJSON files. */
export { XmlStreamSink } from './xml';
export { HecSink, hecEventJson, type HecSinkOptions, type HecStats } from './hec';
export { NdjsonSink } from './ndjson';
