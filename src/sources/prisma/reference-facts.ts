/**
 * The example response bodies printed in the Prisma SaaS log events API page (seeds), one per
 * log_type, as a committed table, ./facts/api-examples.json: `npm run facts` writes it (the
 * module's `facts` hook), tests read it, so a clone needs no seed folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFactTable } from '../../core/source-hooks';

export const prismaFactTables: readonly SourceFactTable[] = [
  {
    file: 'api-examples.json',
    from: 'seeds',
    build(dir) {
      const bodies: Record<string, string> = {};
      for (const line of fs.readFileSync(path.join(dir, 'prisma-saas-log-events-api.txt'), 'utf8').split('\n')) {
        if (!line.startsWith('HTTP/1.1 200 OK')) continue;
        const body = line.slice(line.indexOf('{'));
        const type = /"log_type" : "(\w+)"/.exec(body);
        if (type) bodies[type[1]] = body;
      }
      return { bodies };
    },
  },
];

let bodies: Record<string, string> | undefined;
/** The example bodies by log_type, exactly as printed. */
export function prismaExampleBodies(): Record<string, string> {
  return (bodies ??= (require('./facts/api-examples.json') as { bodies: Record<string, string> }).bodies);
}
