import { ConfFile, parseConf } from '../../src/core/conf/parse';
import { loadSpec } from '../../src/build/lint/confs';
import { allowsKey, formatProblem, lintConf, matchStanzas, parseSpec } from '../../src/build/lint/spec';
import { shippedConfKeys } from '../../src/facts';

function splunkSpec(conf: string) {
  const spec = loadSpec(conf);
  if (!spec) throw new Error(`no spec for ${conf}`);
  return spec;
}

/** A shipped default conf as the lint sees it: its stanzas and keys (src/facts/shipped-confs.json). */
function shippedConf(keys: Record<string, string[]>): ConfFile {
  return { stanzas: Object.entries(keys).map(([name, ks]) => ({ name, line: 0, entries: ks.map((key) => ({ key, value: '', line: 0 })) })), errors: [] };
}

/**
 * Places where Splunk's own shipped defaults use what its specs do not declare. Each is matched
 * by file and message, and each must still occur, so the list cannot hide a regression.
 */
const SPLUNK_EXCEPTIONS: { file: string; re: RegExp; reason: string }[] = [
  { file: 'collections.conf', re: /unknown key "disabled"/, reason: 'system collections are switched off with a key collections.conf.spec does not list' },
  { file: 'federated.conf', re: /unknown stanza \[provider:splunk\]/, reason: 'the spec heads the provider section [provider] although providers are named [provider:<name>]' },
  { file: 'limits.conf', re: /unknown stanza \[(tcpin_connections|thruput:\w+|queue|dutycycle|search_concurrency|searchscheduler|executor|jobs|search_pool|smartbus|pipeline[_:][\w:-]+|workload_management:[\w-]+|version_control:stats)\]/, reason: 'metrics.log group intervals; limits.conf.spec only mentions them in prose (e.g. "[thruput:thruput]" in a bullet)' },
  { file: 'limits.conf', re: /unknown key "enabled" in stanza \[search_optimization::replace_chart_cmds_with_tstats\]/, reason: 'optimizer switch missing from the spec' },
  { file: 'metric_alerts.conf', re: /unknown key "disabled" in stanza \[default\]/, reason: 'undocumented key in the shipped default' },
  { file: 'props.conf', re: /unknown key "TRANSFORMS" in stanza/, reason: 'Splunk uses a bare TRANSFORMS key; the spec documents only TRANSFORMS-<class>' },
  { file: 'restmap.conf', re: /unknown key "(dynamic|path|untar|disabled|handlertype)"/, reason: 'internal endpoint keys not in restmap.conf.spec' },
  { file: 'server.conf', re: /(unknown key "disabled" in stanza \[introspection:generator:\w+\]|unknown stanza \[introspection:generator:resource_usage__iowait\])/, reason: 'introspection generators are undocumented' },
  { file: 'visualizations.conf', re: /unknown key "data_sources\.primary\.params\.show_metadata"/, reason: 'parameter missing from the spec' },
];

describe('spec parser on Splunk 10.2.3', () => {
  it("lints Splunk's own shipped default confs clean, except the documented exceptions", () => {
    const unexplained: string[] = [];
    const used = new Set<number>();
    let linted = 0;
    // Every shipped default conf with a spec, except searchbnf.conf (SPL grammar with prose
    // continuation lines) and sourcetypes.conf (a trained classifier whose keys are tokens).
    for (const [f, keys] of Object.entries(shippedConfKeys())) {
      linted++;
      const problems = lintConf(shippedConf(keys), splunkSpec(f), f);
      for (const p of problems) {
        const idx = SPLUNK_EXCEPTIONS.findIndex((e) => e.file === f && e.re.test(p.message));
        if (idx < 0) unexplained.push(formatProblem(p));
        else used.add(idx);
      }
    }
    expect(linted).toBeGreaterThan(40);
    expect(unexplained).toEqual([]);
    expect(SPLUNK_EXCEPTIONS.filter((_, i) => !used.has(i)).map((e) => e.reason)).toEqual([]);
  });

  it('catches misspelt keys in props.conf, with file, line and spec', () => {
    const conf = parseConf('[illumio:pce:event]\nKV_MOD = json\nSHOUD_LINEMERGE = false\nKV_MODE = json\nEXTRACT-src = (?<src>\\S+)\nEVAL-action = "allowed"\nREPORT-x = y\nFIELDALIAS-a = b AS c\nLOOKUP-l = t f\nTRANSFORMS-t = u\nSEDCMD-s = s/a/b/\n');
    const problems = lintConf(conf, splunkSpec('props.conf'), 'default/props.conf').map(formatProblem);
    expect(problems).toEqual([
      'default/props.conf:2: unknown key "KV_MOD" in stanza [illumio:pce:event] (not in props.conf.spec)',
      'default/props.conf:3: unknown key "SHOUD_LINEMERGE" in stanza [illumio:pce:event] (not in props.conf.spec)',
    ]);
  });

  it('knows which stanza family a key belongs to', () => {
    const inputs = splunkSpec('inputs.conf');
    expect(allowsKey(inputs, 'monitor:///var/log/x.log', 'followTail')).toBe(true);
    expect(allowsKey(inputs, 'tcp://:514', 'followTail')).toBe(false);
    // global settings (before the first header) apply everywhere
    expect(allowsKey(inputs, 'tcp://:514', 'sourcetype')).toBe(true);
    // [tcp] is the default stanza of [tcp://...] inputs
    expect(allowsKey(inputs, 'tcp', 'connection_host')).toBe(true);
    expect(matchStanzas(inputs, 'tcp').map((s) => s.header)).toContain('tcp://<remote server>:<port>');
    const saved = splunkSpec('savedsearches.conf');
    expect(allowsKey(saved, 'Any name', 'action.email.to')).toBe(true);
    expect(allowsKey(saved, 'Any name', 'dispatch.earliest_time')).toBe(true);
    expect(allowsKey(saved, 'Any name', 'dispatch.earliest_tme')).toBe(false);
    const app = splunkSpec('app.conf');
    expect(allowsKey(app, 'launcher', 'version')).toBe(true);
    expect(allowsKey(app, 'ui', 'versoin')).toBe(false);
  });

  it('reports unknown stanzas where the spec lists them', () => {
    const conf = parseConf('[launcher]\nversion = 1.0.0\n[lancher]\nversion = 1.0.0\n');
    expect(lintConf(conf, splunkSpec('app.conf'), 'default/app.conf').map(formatProblem)).toEqual([
      'default/app.conf:3: unknown stanza [lancher] (not in app.conf.spec)',
    ]);
  });

  it('layers an app spec over Splunk\'s: a modular input scheme and its default stanza', () => {
    const ours = parseSpec('[my_scheme://<name>]\n* doc\napi_url = <string>\n* doc\n', 'README/inputs.conf.spec', 'inputs.conf');
    const spec = loadSpec('inputs.conf');
    const merged = { ...spec!, files: [...spec!.files, ...ours.files], stanzas: [...spec!.stanzas, ...ours.stanzas] };
    const conf = parseConf('[my_scheme]\napi_url = https://x\n\n[my_scheme://a]\napi_url = https://x\nindex = main\napi_ulr = y\n\n[other_scheme://b]\napi_url = z\n');
    expect(lintConf(conf, merged, 'default/inputs.conf').map((p) => p.message)).toEqual([
      'unknown key "api_ulr" in stanza [my_scheme://a] (not in inputs.conf.spec + README/inputs.conf.spec)',
      'unknown stanza [other_scheme://b] (not in inputs.conf.spec + README/inputs.conf.spec)',
    ]);
  });

  it('reads settings, not prose that happens to contain "="', () => {
    const spec = parseSpec(
      '# comment = x\nglobal_key = <string>\n[<stanza>]\n* a bullet = with equals\nkey_a = <int>\nsearch a large event set with the expression company_id = 5\nPREFIX-<class> = <x>\n',
      'x.conf.spec',
    );
    expect(spec.global.map((s) => s.name)).toEqual(['global_key']);
    expect(spec.stanzas[0].settings.map((s) => s.name)).toEqual(['key_a', 'PREFIX-<class>']);
    expect(allowsKey(spec, 'anything', 'PREFIX-foo')).toBe(true);
    expect(allowsKey(spec, 'anything', 'PREFIXfoo')).toBe(false);
  });
});
