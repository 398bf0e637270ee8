/**
 * Builds bin/lib/ once per jest run, so spawn tests exercise the real launcher and the real
 * bundle rather than the TypeScript sources.
 */
import { bundle } from '../../src/build/bundle';

export default async function globalSetup(): Promise<void> {
  await bundle();
}
