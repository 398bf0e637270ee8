/**
 * Part (a) of the lint: every stanza and key of the app's confs against Splunk's specs (the names
 * and patterns src/facts/conf-specs.json holds, derived by npm run facts from Splunk's .spec
 * files) plus the app's own README/*.conf.spec, read with the spec parser.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseConf } from '../../core/conf/parse';
import { confSpec, splunkVersion } from '../../facts';
import { lintConf, LintProblem, mergeSpecs, parseSpec, Spec, specSetting, specStanza } from './spec';

/**
 * Keys Splunk reads although its spec places them where our reader cannot attribute them.
 * inputs.conf.spec declares python.version, python.required and run_introspection under a
 * "Modular Inputs" banner that follows [remote_queue:<name>], so they look like remote_queue keys.
 */
const EXTRA_KEYS: Record<string, readonly string[]> = {
  'inputs.conf': ['python.version', 'python.required', 'run_introspection'],
};

/** Splunk's own spec for a conf, from the committed facts; undefined when Splunk has none. */
export function splunkSpec(conf: string): Spec | undefined {
  const facts = confSpec(conf);
  if (!facts) return undefined;
  return {
    conf,
    files: [`${conf}.spec`],
    global: facts.global.map((n) => specSetting(n, 0)),
    stanzas: facts.stanzas.map((s) => specStanza(s.header, 0, s.settings.map((n) => specSetting(n, 0)))),
    // default.meta.spec shows example stanzas ([views/index_status]); any object path is valid.
    exampleStanzas: conf === 'default.meta' || undefined,
  };
}

/** Splunk's spec for `conf` from the facts, layered with the app's specs found in `appSpecDirs`. */
export function loadSpec(conf: string, appSpecDirs: readonly string[] = []): Spec | undefined {
  let spec: Spec | undefined = splunkSpec(conf);
  for (const dir of appSpecDirs) {
    const file = path.join(dir, `${conf}.spec`);
    if (!fs.existsSync(file)) continue;
    spec = mergeSpecs(spec, parseSpec(fs.readFileSync(file, 'utf8'), file, conf));
  }
  return spec;
}

export function lintAppConfs(root: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const specDirs = [path.join(root, 'README')];
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
        message: `no spec for ${conf}: neither Splunk (${splunkVersion()}) nor README/${conf}.spec declares it, so splunkd would read settings nobody can check. Add README/${conf}.spec.`,
      });
      continue;
    }
    const parsed = parseConf(fs.readFileSync(path.join(root, rel), 'utf8'), rel);
    problems.push(...lintConf(parsed, spec, rel, { extraKeys: EXTRA_KEYS[conf] }));
  }
  return problems;
}
