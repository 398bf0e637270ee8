import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { lintApp } from '../../src/build/lint';
import { checkPackage, scanJs } from '../../src/build/lint/package-checks';
import { eventtypeRefs, lookupRefs, macroCalls } from '../../src/build/lint/references';
import { formatProblem } from '../../src/build/lint/spec';
import type { TarEntry } from '../../src/build/lint/tarball';
import { makeAppRoot, removeRoot, write } from './fixture';

describe('npm run lint on an app copy', () => {
  let root: string;
  beforeEach(() => {
    root = makeAppRoot();
  });
  afterEach(() => removeRoot(root));

  it('passes on the app as committed', async () => {
    const r = await lintApp({ root, bundle: false });
    expect(r.problems.map(formatProblem)).toEqual([]);
  });

  it('exits 1 and lists the problems on stderr as the npm script', () => {
    write(root, 'default/props.conf', '[illumio:pce:event]\nSHOUD_LINEMERGE = false\n');
    const tsx = require.resolve('tsx/cli');
    const r = spawnSync(process.execPath, [tsx, path.join(__dirname, '../../src/build/lint.ts'), '--no-bundle', `--root=${root}`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('lint: 1 problem(s):\n  default/props.conf:2: unknown key "SHOUD_LINEMERGE" in stanza [illumio:pce:event] (not in props.conf.spec)');
  });

  it('reports each kind of breakage with file, line and what to fix', async () => {
    write(root, 'default/props.conf', [
      '[illumio:pce:event]',
      'KV_MOD = json',
      'SHOUD_LINEMERGE = false',
      'REPORT-fields = illumio_kv, missing_transform',
      'LOOKUP-types = no_such_lookup event_type OUTPUT category',
      'LOOKUP-ok = illumio_types event_type OUTPUT category',
      '',
    ].join('\n'));
    write(root, 'default/transforms.conf', '[illumio_kv]\nREGEX = (\\w+)=(\\w+)\nFORMAT = $1::$2\n\n[illumio_types]\nfilename = missing.csv\n');
    write(root, 'default/eventtypes.conf', '[illumio_auth]\nsearch = `illumio_index` `illumio_sev(high)` sourcetype=illumio:pce:event eventtype=nope | lookup gone x\n');
    write(root, 'default/macros.conf', '[illumio_index]\ndefinition = index=main\n');
    write(root, 'default/tags.conf', '[eventtype=illumio_auth]\nauthentication = enabled\n\n[eventtype=illumio_missing]\nchange = enabled\n');
    write(root, 'default/frobnicate.conf', '[x]\ny = 1\n');
    write(root, 'README/frobnicate2.conf.spec', '[x]\ny = <string>\n');
    write(root, 'default/data/ui/views/v.xml', '<dashboard><row><panel><table><search><query>eventtype=&quot;illumio_auth&quot; OR eventtype=&quot;gone_et&quot; | `illumio_index`</query></search></table></panel></row></dashboard>\n');
    const app = fs.readFileSync(path.join(root, 'default/app.conf'), 'utf8');
    write(root, 'default/app.conf', `${app.replace(/version = [\d.]+/g, 'version = 2.0')}\n[ui]\nlable = Oops\n`.replace('is_configured = false', 'is_configured = true'));
    write(root, 'default/ta_zerotrust_events_settings.conf', '[proxy]\nproxy_password = hunter2\nproxy_pasword = x\n');
    write(root, 'bin/lib/modinput.js', 'const k="AKIAABCDEFGHIJKLMNOP";eval(x);fetch("http://api.example.com/v1");require("crypto").createHash("md5");console.log(req.body);https.get({rejectUnauthorized:false});\n');

    const { problems } = await lintApp({ root, bundle: false });
    const text = problems.map(formatProblem);
    const pkg = (m: string) => expect.stringMatching(new RegExp(`^TA-zerotrust-events-[\\d.]+\\.tgz:${m}`));
    expect(text).toEqual(expect.arrayContaining([
      'default/props.conf:2: unknown key "KV_MOD" in stanza [illumio:pce:event] (not in props.conf.spec)',
      'default/props.conf:3: unknown key "SHOUD_LINEMERGE" in stanza [illumio:pce:event] (not in props.conf.spec)',
      expect.stringMatching(/^default\/app\.conf:\d+: unknown key "lable" in stanza \[ui\] \(not in app\.conf\.spec\)$/),
      expect.stringMatching(/^default\/frobnicate\.conf:1: no spec for frobnicate\.conf/),
      'default/ta_zerotrust_events_settings.conf:3: unknown key "proxy_pasword" in stanza [proxy] (not in README/ta_zerotrust_events_settings.conf.spec)',
      'default/props.conf:4: REPORT-fields in [illumio:pce:event] names transform "missing_transform", which default/transforms.conf does not define',
      'default/props.conf:5: LOOKUP-types in [illumio:pce:event] uses lookup "no_such_lookup", which is neither a default/transforms.conf stanza nor a file in lookups/',
      'default/transforms.conf:6: [illumio_types] filename = missing.csv: no such file in lookups/',
      'default/eventtypes.conf:2: [illumio_auth] search refers to eventtype "nope", which default/eventtypes.conf does not define',
      'default/eventtypes.conf:2: [illumio_auth] search uses lookup "gone", which is neither a default/transforms.conf stanza nor a file in lookups/',
      'default/eventtypes.conf:2: [illumio_auth] search calls macro `illumio_sev(1)`, which default/macros.conf does not define',
      'default/data/ui/views/v.xml:1: search refers to eventtype "gone_et", which default/eventtypes.conf does not define',
      'default/tags.conf:4: [eventtype=illumio_missing] tags eventtype "illumio_missing", which default/eventtypes.conf does not define',
      pkg('default/app.conf: \\[launcher\\] version "2.0" is not Major.Minor.Patch'),
      pkg('default/app.conf: \\[launcher\\] version 2.0 differs from package.json version'),
      pkg('app.manifest: info.id.version 1.0.0 differs from \\[launcher\\] version 2.0'),
      pkg('default/app.conf: \\[install\\] is_configured is true'),
      pkg('default/app.conf: \\[triggers\\] has no reload.frobnicate2 for our own frobnicate2.conf'),
      pkg('default/ta_zerotrust_events_settings.conf:2: \\[proxy\\] proxy_password has a value'),
      pkg('bin/lib/modinput.js: contains what looks like an AWS access key id'),
      pkg('bin/lib/modinput.js:1: eval: '),
      pkg('bin/lib/modinput.js:1: insecure http: '),
      pkg('bin/lib/modinput.js:1: weak hash: '),
      pkg('bin/lib/modinput.js:1: console.log: '),
      pkg('bin/lib/modinput.js:1: tls verification off: '),
    ]));
    // The macro that exists resolves, the transform that exists resolves.
    expect(text.filter((t) => t.includes('"illumio_auth"') || t.includes('illumio_index') || t.includes('"illumio_kv"') || t.includes('"illumio_types"'))).toEqual([]);
  });
});

function entry(p: string, mode = 0o644, data = '', type = 'File'): TarEntry {
  return { path: p, type, mode, uid: 0, gid: 0, uname: '', gname: '', mtime: undefined, data: Buffer.from(data) };
}

describe('package checks', () => {
  it('reject what AppInspect rejects', () => {
    const entries = [
      entry('TA-zerotrust-events/', 0o755, '', 'Directory'),
      entry('TA-zerotrust-events/local/inputs.conf'),
      entry('TA-zerotrust-events/metadata/local.meta'),
      entry('TA-zerotrust-events/default/.hidden'),
      entry('TA-zerotrust-events/default/props.conf', 0o666),
      entry('TA-zerotrust-events/default/run.sh', 0o755),
      entry('TA-zerotrust-events/bin/link', 0o777, '', 'SymbolicLink'),
      entry('other-app/x.conf'),
      entry('TA-zerotrust-events/README/inputs.conf.spec', 0o644, '[a_scheme://<name>]\n* doc\nk = <string>\nk = <string>\n\n[empty://<name>]\n* nothing\n\n[a_scheme://<name>]\nj = <string>\n'),
      entry('TA-zerotrust-events/bin/a_scheme.sh', 0o644, '#!/bin/sh\n'),
      entry('TA-zerotrust-events/lookups/key.pem', 0o644, '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n'),
    ];
    const msgs = checkPackage(entries, { appId: 'TA-zerotrust-events', version: '1.0.0' }).problems.map((p) => `${p.file}: ${p.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^TA-zerotrust-events\/local\/inputs\.conf: local\/ must not ship/),
      expect.stringMatching(/^TA-zerotrust-events\/metadata\/local\.meta: metadata\/local\.meta must not ship/),
      'TA-zerotrust-events/default/.hidden: hidden file or folder (AppInspect rejects dotfiles)',
      'TA-zerotrust-events/default/props.conf: world-writable (mode 666)',
      'TA-zerotrust-events/default/run.sh: executable (mode 755) outside bin/: only launchers may carry execute bits',
      'TA-zerotrust-events/bin/link: entry of type SymbolicLink: only files and directories belong in an app',
      'other-app/x.conf: outside the top folder TA-zerotrust-events/: the app folder must be named TA-zerotrust-events',
      'README/inputs.conf.spec: duplicate stanza [a_scheme://<name>]',
      'README/inputs.conf.spec: duplicate setting k in [a_scheme://<name>]',
      'README/inputs.conf.spec: stanza [empty://<name>] declares no settings',
      'README/inputs.conf.spec: modular input empty has no bin/empty.sh',
      'bin/a_scheme.sh: mode 644: launchers must be 755',
      'lookups/key.pem: contains a PEM private key',
      'default/app.conf: missing',
      'app.manifest: missing',
      'appserver/static/appIcon.png: missing app icon',
      'bin/lib/: no bundled JavaScript: the launchers would have nothing to run (npm run build)',
    ]));
  });

  it('accepts a reviewed .js finding only where its snippet is, and lists it', () => {
    const js = 'a();var f=new Function("return this")();b();var g=new Function(userInput);';
    const entries = [entry('TA-zerotrust-events/bin/lib/modinput.js', 0o644, js)];
    const exceptions = [{ rule: 'new Function', file: /^bin\/lib\/modinput\.js$/, snippet: 'new Function("return this")', reason: 'global-object lookup in a polyfill' }];
    const r = checkPackage(entries, { appId: 'TA-zerotrust-events', version: '1.0.0', jsExceptions: exceptions });
    expect(r.jsFindings.map((f) => [f.rule, f.accepted])).toEqual([
      ['new Function', 'global-object lookup in a polyfill'],
      ['new Function', undefined],
    ]);
    expect(r.problems.filter((p) => p.message.startsWith('new Function')).length).toBe(1);
  });

  it('does not flag loopback URLs, XML namespaces or words that merely contain eval', () => {
    const src = 'x="http://127.0.0.1:8089/";y="http://localhost/";z="http://www.w3.org/2000/svg";retrieval(1);o.eval(2)';
    expect(scanJs('a.js', src)).toEqual([]);
  });
});

describe('reference extraction from SPL', () => {
  it('finds macro calls with their arity, eventtypes and lookups', () => {
    expect(macroCalls('`a` | search `b(1, "x,y")` `c()`')).toEqual([{ name: 'a', arity: 0 }, { name: 'b', arity: 2 }, { name: 'c', arity: 0 }]);
    expect(eventtypeRefs('eventtype=a OR eventtype="b c" (eventtype=d*)')).toEqual(['a', 'b c', 'd*']);
    expect(lookupRefs('| lookup local=t tbl f | inputlookup "x.csv" | outputlookup append=true out')).toEqual(['tbl', 'x.csv', 'out']);
  });
});
