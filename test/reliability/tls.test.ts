/**
 * TLS against each input's simulator serving a self-signed certificate: refused by default with
 * a message naming ca_cert_path, accepted with that certificate as ca_cert_path, and with
 * verify_tls = 0 accepted with a WARN on every run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBundle, inputXml, logFileText, runLauncher } from '../support/launcher';
import { startSplunkd } from '../support/splunkd';
import { makeTestPki, type TestPki } from '../support/tls';
import { INPUTS, MIN } from './inputs';
import { runInput } from './matrix';

let pki: TestPki;
beforeAll(async () => {
  pki = makeTestPki();
  await ensureBundle();
}, 120_000);
afterAll(() => pki.cleanup());

describe.each(INPUTS.map((i) => [i.scheme, i] as const))('%s over HTTPS with a self-signed certificate', (_scheme, input) => {
  test('refused by default naming ca_cert_path; accepted with it; verify_tls = 0 warns on every run', async () => {
    const sim = await input.start({ tls: pki.selfSigned });
    const cp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-tls-'));
    try {
      expect(sim.url.startsWith('https://')).toBe(true);
      sim.add(6, Date.now() - 30 * MIN);
      const ca = sim.caPath ?? pki.selfSignedCert;

      const refused = await runInput(input, sim.params(), path.join(cp, 'a'), undefined, sim.kvstore);
      expect(refused.summary.status).toBe('failed');
      expect(refused.datas).toEqual([]);
      const said = refused.logs.filter((l) => l.level === 'ERROR').map((l) => l.message).join('\n');
      expect(said).toContain('ca_cert_path');

      const trusted = await runInput(input, sim.params({ ca_cert_path: ca }), path.join(cp, 'b'), undefined, sim.kvstore);
      expect(trusted.summary.status).toBe('ok');
      expect(trusted.datas.length).toBeGreaterThan(0);
      expect(trusted.logs.filter((l) => /verify_tls/.test(l.message))).toEqual([]);

      const off = sim.params({ verify_tls: '0' });
      const warned: number[] = [];
      for (const dir of ['c', 'c']) {
        const run = await runInput(input, off, path.join(cp, dir), undefined, sim.kvstore);
        expect(run.summary.status).toBe('ok');
        warned.push(run.logs.filter((l) => l.level === 'WARN' && /verify_tls/.test(l.message)).length);
      }
      expect(warned).toEqual([1, 1]);
    } finally {
      await sim.stop();
      fs.rmSync(cp, { recursive: true, force: true });
    }
  }, 120_000);
});

test.each(INPUTS.map((i) => [i.scheme, i] as const))('%s launcher: verify_tls = 0 puts a WARN in splunkd.log (stderr) and the log file on each run', async (_scheme, input) => {
  const sim = await input.start({ tls: pki.selfSigned });
  const splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: [...(input.collections ?? [])] });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-tls-home-'));
  const cp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-rel-tls-cp-'));
  try {
    sim.add(4, Date.now() - 30 * MIN);
    const xml = inputXml({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: cp, stanza: input.stanza, params: sim.params({ verify_tls: '0' }) });
    const runs = [await runLauncher(input.scheme, xml, home), await runLauncher(input.scheme, xml, home)];
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs.map((r) => (r.stderr.match(/^WARN .*verify_tls/gm) ?? []).length)).toEqual([1, 1]);
    expect((logFileText(home, input.scheme).match(/ WARN .*verify_tls/g) ?? []).length).toBe(2);
  } finally {
    await sim.stop();
    await splunkd.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(cp, { recursive: true, force: true });
  }
}, 120_000);
