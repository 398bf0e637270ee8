/**
 * The vendor list: the one place that names the add-on's vendors. Everything else (splunkd entry,
 * bundler, generators, configuration page, demo, benches, tests) loops over SOURCE_MODULES.
 * Importing it loads only descriptions (see src/core/source-module.ts).
 */
import type { SourceModule } from '../core/source-module';
import { illumio } from './illumio/module';
import { lacework } from './lacework/module';
import { prisma } from './prisma/module';

export const SOURCE_MODULES: readonly SourceModule[] = [illumio, prisma, lacework];
