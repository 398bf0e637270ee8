/** Wiring for the Prisma tests: the real HTTP client and logger, pointed at loopback. */
import { PassThrough } from 'node:stream';
import { createHttpClient } from '../../src/core/http';
import { createLogger } from '../../src/core/log';
import type { HttpClientOptions, Logger } from '../../src/core/types';

export function testLogger(): { log: Logger; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => { text += c.toString(); });
  const log = createLogger({ input: 'prisma_saas_log_events', stanza: 'prisma_saas_log_events://test', level: 'DEBUG', stderr: out });
  return { log, text: () => text };
}

export function http(baseUrl: string, extra: Partial<HttpClientOptions> = {}) {
  return createHttpClient({ baseUrl, verifyTls: true, timeoutMs: 10_000, ...extra });
}
