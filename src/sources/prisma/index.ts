/** The Prisma SaaS log-events input. */
import { TransientError, ConfigError } from '../../core/errors';
import type { Source } from '../../core/types';
import { collectPrisma, makeDataHttp, makeTokens, PrismaCheckpoint, PrismaConfig } from './collector';
import { prismaDescription } from './description';

const VALIDATE_TIMEOUT_MS = 10_000;

export const source: Source<PrismaConfig, PrismaCheckpoint> = {
  description: prismaDescription,
  /** Fetches a token and nothing else: a log-events read would dequeue events and lose them. */
  async validate(config, ctx) {
    const http = makeDataHttp(config, ctx, VALIDATE_TIMEOUT_MS);
    try {
      await makeTokens(config, ctx, http, VALIDATE_TIMEOUT_MS).refresh();
    } catch (e) {
      if (e instanceof TransientError) {
        throw new ConfigError(`${e.message} Prisma SaaS did not issue a token; try again, or check region/base_url and proxy_url.`);
      }
      throw e;
    } finally {
      await http.close().catch(() => undefined);
    }
  },
  collect: collectPrisma,
};
