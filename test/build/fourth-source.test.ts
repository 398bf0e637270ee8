/**
 * Issue 17's promise: a fourth vendor is one new folder and one line in src/sources/index.ts.
 * A temporary copy of the repository gets a copy of the last module's folder under a new name
 * (scheme, sourcetypes, macros, eventtypes and titles renamed by a script), one entry in the list,
 * and then the repository's own tools run on it as they would on a fresh clone: the generators
 * (launchers, inputs.conf/.spec, web.conf, props, eventtypes, macros, saved searches), the lint of
 * confs, references and the built package, and the generated launcher as splunkd runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SOURCE_MODULES } from '../../src/sources';
import { itemsXml } from '../support/modinput-xml';

const REPO = path.resolve(__dirname, '..', '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const FROM = SOURCE_MODULES[SOURCE_MODULES.length - 1];
const TO = 'acme';

/** `from` → `to` in lower, Title and UPPER case, in names and contents of every file under dir. */
function renameVendor(dir: string, from: string, to: string): void {
  const cases = (w: string) => [w.toLowerCase(), w[0].toUpperCase() + w.slice(1).toLowerCase(), w.toUpperCase()];
  const pairs = cases(from).map((f, i) => [f, cases(to)[i]] as const);
  const swap = (s: string) => pairs.reduce((acc, [f, t]) => acc.split(f).join(t), s);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) renameVendor(file, from, to);
    else fs.writeFileSync(file, swap(fs.readFileSync(file, 'utf8')));
    if (swap(e.name) !== e.name) fs.renameSync(file, path.join(dir, swap(e.name)));
  }
}

/** The tracked files of the checkout (tests aside), with node_modules linked. */
function copyRepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-fourth-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter((f) => f && !f.startsWith('test/'));
  for (const f of files) {
    if (!fs.existsSync(path.join(REPO, f))) continue;
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO, f), path.join(root, f));
    fs.chmodSync(path.join(root, f), fs.statSync(path.join(REPO, f)).mode & 0o777);
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

function tool(root: string, script: string, ...args: string[]): string {
  const r = spawnSync(TSX, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test(`a copy of src/sources/${FROM.name} under a new name plus one line in the list is accepted by the generators, lint and launchers`, () => {
  const root = copyRepo();
  try {
    fs.cpSync(path.join(root, 'src', 'sources', FROM.name), path.join(root, 'src', 'sources', TO), { recursive: true });
    renameVendor(path.join(root, 'src', 'sources', TO), FROM.name, TO);
    const index = path.join(root, 'src', 'sources', 'index.ts');
    const list = fs.readFileSync(index, 'utf8');
    // The one line (and its import).
    fs.writeFileSync(index, list.replace(/(\[[^\]]*)\];/, `$1, ${TO}];`).replace(/^(import [^\n]*\n)(?!import )/m, `$1import { ${TO} } from './${TO}/module';\n`));
    expect(fs.readFileSync(index, 'utf8')).toContain(`${FROM.name}, ${TO}];`);
    const schemes = FROM.inputs.map((i) => i.description.scheme.split(FROM.name).join(TO));

    expect(tool(root, 'src/build/generate.ts')).toMatch(/^Wrote /);
    expect(tool(root, 'src/build/generate.ts', '--check')).toContain('up to date');
    for (const scheme of schemes) {
      expect(fs.statSync(path.join(root, 'bin', `${scheme}.sh`)).mode & 0o111).toBe(0o111);
      expect(fs.readFileSync(path.join(root, 'README', 'inputs.conf.spec'), 'utf8')).toContain(`[${scheme}://<name>]`);
      expect(fs.readFileSync(path.join(root, 'default', 'web.conf'), 'utf8')).toContain(`pattern = data/inputs/${scheme}\n`);
    }
    const macros = fs.readFileSync(path.join(root, 'default', 'macros.conf'), 'utf8');
    expect(macros).toContain(`[ta_zerotrust_${TO}_index]`);
    expect(macros).toMatch(new RegExp(`\\[ta_zerotrust_health\\]\\ndefinition = \\(.*\`ta_zerotrust_${TO}_index\`\\)`));

    // Confs against Splunk's specs, knowledge references, and the package built with the new bundles.
    expect(tool(root, 'src/build/lint.ts')).toContain('lint: confs, package and references OK');

    // The generated launcher as splunkd runs it: the scheme from modinput.js, a validation from
    // the new input's own run bundle (its parser names the first required argument).
    const env: NodeJS.ProcessEnv = { ...process.env, SPLUNK_HOME: root };
    delete env.TA_ZEROTRUST_NODE;
    for (const [k, input] of FROM.inputs.entries()) {
      const launcher = path.join(root, 'bin', `${schemes[k]}.sh`);
      const scheme = spawnSync(launcher, ['--scheme'], { env, encoding: 'utf8' });
      expect(scheme.status).toBe(0);
      expect(scheme.stdout).toContain(`<title>${input.description.title.split(FROM.title.split(' ')[0]).join('Acme')}</title>`);
      const check = spawnSync(launcher, ['--validate-arguments'], {
        env, encoding: 'utf8', input: itemsXml({ serverUri: '', sessionKey: '', checkpointDir: root }, 'x', {}),
      });
      expect(check.status).toBe(1);
      expect(check.stdout).toContain(`"${input.description.args.find((a) => a.required)!.name}" (`);
      expect(check.stdout).toContain(`${schemes[k]}://x`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 240_000);
