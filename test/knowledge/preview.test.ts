/**
 * `npm run preview` as a user runs it: events on stdin, JSON lines out, and a clear exit 2 with
 * the known sourcetypes for an unknown one.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { appKnowledge, goldenLines, ROOT } from './support';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const run = (args: string[], input: string) => spawnSync(TSX, [path.join(ROOT, 'src', 'cli', 'preview.ts'), ...args], { input, encoding: 'utf8', cwd: ROOT });

describe('preview', () => {
  it('prints one JSON object per input line with _time, fields, eventtype and tag', () => {
    const lines = goldenLines('illumio:pce:cef').slice(0, 5);
    const r = run(['--sourcetype', 'illumio:pce:cef'], `${lines.join('\n')}\n\n`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(5);
    const kb = appKnowledge();
    out.forEach((o, i) => {
      const e = kb.evaluate(lines[i], { sourcetype: 'illumio:pce:cef' });
      expect(o._time).toBe(new Date(e.time!).toISOString());
      expect(Array.isArray(o.eventtype) && Array.isArray(o.tag)).toBe(true);
      expect(o.event_type).toBe(e.fields.get('event_type')?.[0]);
      expect(o.event_type).not.toMatch(/\.(success|failure)$/);
    });
  });

  it('refuses an unknown sourcetype with exit 2 and the list of known ones', () => {
    const r = run(['--sourcetype', 'illumio:pce:csv'], '');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown sourcetype "illumio:pce:csv"');
    for (const st of ['illumio:pce:event', 'illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef', 'pan:prisma_saas', 'lacework:edge:audit', 'lacework:edge:alert']) {
      expect(r.stderr).toContain(st);
    }
  });

  it('requires --sourcetype', () => {
    const r = run([], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--sourcetype is required');
  });

  it('--kv enriches from KV store data (one <collection>.json each); a folder that is not there is a clear error', () => {
    const kv = path.join(ROOT, 'test', 'golden', 'kv');
    const flow = goldenLines('illumio:pce:flow')[0];
    const fields = ['src_workload', 'src_ven_state', 'dest_ven_state'];
    const plain = run(['--sourcetype', 'illumio:pce:flow', '--fields', fields.join(',')], `${flow}\n`);
    const rich = run(['--sourcetype', 'illumio:pce:flow', '--fields', fields.join(','), '--kv', kv], `${flow}\n`);
    expect([plain.status, rich.status, rich.stderr]).toEqual([0, 0, '']);
    const before = JSON.parse(plain.stdout) as Record<string, unknown>;
    const after = JSON.parse(rich.stdout) as Record<string, unknown>;
    expect(before).toMatchObject({ src_ven_state: null, dest_ven_state: null });
    expect(after.src_workload).toBe(before.src_workload);
    expect([after.src_ven_state, after.dest_ven_state].every((s) => ['online', 'offline', 'suspended'].includes(String(s)))).toBe(true);
    const missing = run(['--sourcetype', 'illumio:pce:flow', '--kv', path.join(kv, 'nowhere')], `${flow}\n`);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/KV data folder .*nowhere does not exist; it holds one <collection>\.json per KV store collection/);
  });
});
