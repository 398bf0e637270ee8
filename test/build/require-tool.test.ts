import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireTool } from '../support/require-tool';

describe('requireTool', () => {
  it('finds pcre2test, the real PCRE2 engine the regex tests run against', () => {
    const pcre2test = requireTool('pcre2test', 'apt-get install pcre2-utils');
    // (?P<name>...) is PCRE syntax JavaScript rejects: proves this is PCRE2, not a stand-in.
    const r = spawnSync(pcre2test, [], { input: '/(?P<n>ab)c/\nxabc\n', encoding: 'utf8' });
    expect(r.stdout).toMatch(/PCRE2 version 10\./);
    expect(r.stdout).toContain(' 1: ab');
  });

  it('fails with the install command when the tool is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-tools-'));
    try {
      expect(() => requireTool('pcre2test', 'apt-get install pcre2-utils', empty)).toThrow(
        /pcre2test is required .* not on PATH\. Install it: apt-get install pcre2-utils/,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
