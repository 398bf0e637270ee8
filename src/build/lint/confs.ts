/**
 * Part (a) of the lint: every stanza and key of the app's confs against Splunk's specs plus the
 * app's own README/*.conf.spec, read with the same parser.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseConf } from '../../core/conf/parse';
import { lintConf, LintProblem, mergeSpecs, parseSpec, Spec } from './spec';

export const SPLUNK_SPEC_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'splunk', '10.2.3');

/**
 * Keys Splunk reads although its spec places them where our reader cannot attribute them.
 * inputs.conf.spec declares python.version, python.required and run_introspection under a
 * "Modular Inputs" banner that follows [remote_queue:<name>], so they look like remote_queue keys.
 */
const EXTRA_KEYS: Record<string, readonly string[]> = {
  'inputs.conf': ['python.version', 'python.required', 'run_introspection'],
};

export function loadSpec(conf: string, specDirs: readonly string[]): Spec | undefined {
  let spec: Spec | undefined;
  for (const dir of specDirs) {
    const file = path.join(dir, `${conf}.spec`);
    if (!fs.existsSync(file)) continue;
    const parsed = parseSpec(fs.readFileSync(file, 'utf8'), file, conf);
    // default.meta.spec shows example stanzas ([views/index_status]); any object path is valid.
    if (conf === 'default.meta') parsed.exampleStanzas = true;
    spec = mergeSpecs(spec, parsed);
  }
  return spec;
}

export function lintAppConfs(root: string, splunkSpecDir = SPLUNK_SPEC_DIR): LintProblem[] {
  const problems: LintProblem[] = [];
  const specDirs = [splunkSpecDir, path.join(root, 'README')];
  const targets: { rel: string; conf: string }[] = [];
  const defaultDir = path.join(root, 'default');
  if (fs.existsSync(defaultDir)) {
    for (const f of fs.readdirSync(defaultDir).sort()) {
      if (f.endsWith('.conf')) targets.push({ rel: `default/${f}`, conf: f });
    }
  }
  if (fs.existsSync(path.join(root, 'metadata', 'default.meta'))) {
    targets.push({ rel: 'metadata/default.meta', conf: 'default.meta' });
  }
  for (const { rel, conf } of targets) {
    const spec = loadSpec(conf, specDirs);
    if (!spec) {
      problems.push({
        file: rel,
        line: 1,
        message: `no spec for ${conf}: neither Splunk (${path.basename(splunkSpecDir)}) nor README/${conf}.spec declares it, so splunkd would read settings nobody can check. Add README/${conf}.spec.`,
      });
      continue;
    }
    const parsed = parseConf(fs.readFileSync(path.join(root, rel), 'utf8'), rel);
    problems.push(...lintConf(parsed, spec, rel, { extraKeys: EXTRA_KEYS[conf] }));
  }
  return problems;
}
