/** The Prisma SaaS log-events input. */
import { ConfigError, TransientError } from '../../core/errors';
import { VALIDATE_TIMEOUT_MS, VALIDATION_RETRY } from '../../core/http/options';
import type { Source } from '../../core/types';
import { PRISMA_CHECKPOINT, type PrismaCheckpoint } from './checkpoint';
import { collectPrisma, makeDataHttp, makeTokens, PrismaConfig } from './collector';
import { prismaDescription } from './description';

export const source: Source<PrismaConfig, PrismaCheckpoint> = {
  description: prismaDescription,
  checkpoint: PRISMA_CHECKPOINT,
  /** Fetches a token and nothing else: a log-events read would dequeue events and lose them. */
  async validate(config, ctx) {
    const http = makeDataHttp(config, ctx, VALIDATE_TIMEOUT_MS);
    try {
      await makeTokens(config, ctx, http, VALIDATE_TIMEOUT_MS, VALIDATION_RETRY).refresh();
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
