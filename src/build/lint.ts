/**
 * `npm run lint` (after the typecheck): (a) every default/*.conf and metadata/default.meta against
 * Splunk's specs (as committed in src/facts/) and our README/*.spec, (b) the §4 vetting checks on the built package,
 * (c) knowledge references that must resolve. Prints every problem as file:line: message and
 * exits 1 if there is any.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lintAppConfs } from './lint/confs';
import { specConfs } from '../facts';
import { checkPackage, JS_EXCEPTIONS, JsException, JsFinding } from './lint/package-checks';
import { lintReferences } from './lint/references';
import { lintKnowledge } from '../core/knowledge/lint';
import { formatProblem, LintProblem } from './lint/spec';
import { readTarball } from './lint/tarball';
import { APP_ID, buildPackage, readVersion, REPO_ROOT } from './package';

export interface LintAppOptions {
  root?: string;
  /** Bundle before packaging (default true). */
  bundle?: boolean;
  jsExceptions?: readonly JsException[];
}

export interface LintAppResult {
  problems: LintProblem[];
  jsFindings: (JsFinding & { accepted?: string })[];
  packageFile?: string;
}

export async function lintApp(opts: LintAppOptions = {}): Promise<LintAppResult> {
  const root = opts.root ?? REPO_ROOT;
  const problems = [...lintAppConfs(root), ...lintReferences(root), ...lintKnowledge(root)];

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-lint-'));
  try {
    const pkg = await buildPackage({ root, outDir, bundle: opts.bundle });
    const checked = checkPackage(await readTarball(pkg.file), {
      appId: APP_ID,
      version: readVersion(root),
      jsExceptions: opts.jsExceptions,
      splunkConfs: new Set(specConfs().filter((c) => c.endsWith('.conf'))),
    });
    const inPackage = checked.problems.map((p) => ({ ...p, file: `${path.basename(pkg.file)}:${p.file}` }));
    return { problems: [...problems, ...inPackage], jsFindings: checked.jsFindings };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const bundle = !process.argv.includes('--no-bundle');
  const rootArg = process.argv.find((a) => a.startsWith('--root='));
  lintApp({ bundle, root: rootArg ? path.resolve(rootArg.slice('--root='.length)) : undefined }).then(
    ({ problems, jsFindings }) => {
      const accepted = jsFindings.filter((f) => f.accepted);
      if (accepted.length) {
        console.log(`.js scan: ${accepted.length} accepted finding(s), each with its reason (JS_EXCEPTIONS):`);
        for (const f of accepted) console.log(`  ${f.file}:${f.line}: ${f.rule} (${f.accepted})`);
      }
      // A stale exception is harmless but should be removed, so the list stays a true account.
      const unused = JS_EXCEPTIONS.filter((e) => !accepted.some((f) => f.accepted === e.reason));
      for (const e of unused) console.log(`.js scan: exception no longer needed: ${e.rule} "${e.snippet}" (${e.reason})`);
      if (problems.length) {
        console.error(`lint: ${problems.length} problem(s):`);
        for (const p of problems) console.error(`  ${formatProblem(p)}`);
        process.exit(1);
      }
      console.log('lint: confs, package and references OK');
    },
    (e: Error) => {
      console.error(`lint: ${e.message}`);
      process.exit(1);
    },
  );
}
