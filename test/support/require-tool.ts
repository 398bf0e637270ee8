/**
 * Tests that need an outside program (pcre2test for the real PCRE2 engine, a browser) call this
 * so a missing tool fails the run with the command that installs it, instead of skipping: a
 * skipped regex test would let a JavaScript-only regex ship as if Splunk had been checked.
 */
import * as fs from 'fs';
import * as path from 'path';

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Absolute path of `name`, or throws naming the install command. */
export function requireTool(name: string, install: string, envPath?: string): string {
  const found = findOnPath(name, envPath);
  if (!found) {
    throw new Error(`${name} is required by this test but is not on PATH. Install it: ${install} (on Debian/Ubuntu; .ci/run does this).`);
  }
  return found;
}
