/**
 * The entry splunkd reaches through bin/<scheme>.sh. The mode comes from argv:
 *   --scheme               print the scheme XML (no stdin)
 *   --validate-arguments   read <items>, check the single <item>, print <error> and exit 1 if bad
 *   (nothing)              read <input>, run each stanza, write the <stream> of events
 * The --scheme path is kept light: splunkd calls it for every input when it starts, so nothing
 * beyond the descriptions is loaded for it (the rest comes in through dynamic imports, which the
 * bundle evaluates only when reached). Vendor-free: the entry (src/cli/modinput.ts) hands it the
 * module list and the loader of the run modes.
 */
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import { APP_ID } from '../core/app';
import { errorMessage } from '../core/errors';
import { schemeXml, validationErrorXml } from '../core/protocol/scheme';
import { descriptionsOf, findDescription, type SourceModule } from '../core/source-module';

export { APP_ID };

/** Run and validate modes (./modinput-run.ts bound to the module list; a bundle of their own). */
export interface RunModes {
  runValidate(scheme: string, input: Buffer, io: ModinputIo): Promise<string | undefined>;
  runInputs(scheme: string, input: Buffer, io: ModinputIo): Promise<number>;
}

export interface ModinputApp {
  modules: readonly SourceModule[];
  loadRun(scheme: string): Promise<RunModes>;
}

export interface ModinputIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Where default/ and local/ live. */
  appDir: string;
  /**
   * Aborted by the first stop request (SIGTERM/SIGINT) when the process entry installed its
   * handlers before loading anything, so a stop that arrives while the bundles load is honoured
   * too. Without it, runInputs installs its own handlers (in-process callers, tests).
   */
  stop?: AbortSignal;
  /**
   * The run bundle's V8 code cache (src/cli/code-cache.ts), when the entry loaded the run through
   * it: runInputs logs the note once and calls save() when its stanzas are done.
   */
  codeCache?: { note: string; save?(): string | undefined };
}

/** stderr lines land in splunkd.log; splunkd reads the first word as the level. */
function stderrLine(io: ModinputIo, level: string, message: string): void {
  io.stderr.write(`${level} ${APP_ID}: ${message.replace(/[\r\n]+/g, ' ')}\n`);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

export function defaultAppDir(): string {
  // src/app/ in development and bin/lib/ in the bundle are both two levels below the app.
  return process.env.TA_ZEROTRUST_APP_DIR || path.resolve(__dirname, '..', '..');
}

export async function main(app: ModinputApp, argv: string[], io: ModinputIo): Promise<number> {
  const [scheme, mode, ...rest] = argv;
  const desc = scheme ? findDescription(app.modules, scheme) : undefined;
  if (!desc) {
    stderrLine(io, 'ERROR', `unknown input scheme "${scheme ?? ''}"; expected one of ${descriptionsOf(app.modules).map((d) => d.scheme).join(', ')}. Usage: modinput.js <scheme> [--scheme|--validate-arguments]`);
    return 2;
  }
  if (rest.length || (mode !== undefined && mode !== '--scheme' && mode !== '--validate-arguments')) {
    stderrLine(io, 'ERROR', `unexpected arguments "${argv.slice(1).join(' ')}"; splunkd passes --scheme, --validate-arguments or nothing.`);
    return 2;
  }
  if (mode === '--scheme') {
    await write(io.stdout, schemeXml(desc));
    return 0;
  }
  const input = await readAll(io.stdin);
  const { runValidate, runInputs } = await app.loadRun(scheme);
  try {
    if (mode === '--validate-arguments') {
      const message = await runValidate(scheme, input, io);
      if (message === undefined) return 0;
      await write(io.stdout, validationErrorXml(message));
      return 1;
    }
    return await runInputs(scheme, input, io);
  } catch (e) {
    // Only failures before any stanza could log on its own end here (unreadable stdin…).
    stderrLine(io, 'ERROR', errorMessage(e));
    if (mode === '--validate-arguments') await write(io.stdout, validationErrorXml(errorMessage(e)));
    return 1;
  }
}

export function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(text, 'utf8', (e) => (e ? reject(e) : resolve())));
}
