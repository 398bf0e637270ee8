/**
 * The PCE connection the Illumio inputs share (src/sources/illumio/description.ts): which settings
 * it holds, and that every Illumio input can name it and still has its own settings.
 */
import { accountNameProblem } from '../../src/core/account';
import { commonBoundArgs, type ArgumentDescription } from '../../src/core/description';
import { illumio } from '../../src/sources/illumio/module';
import { illumioPceAccount } from '../../src/sources/illumio/description';

const ARGS: readonly ArgumentDescription[] = illumioPceAccount.args;

test('the connection holds the PCE, its API key and how to reach it; the bounds stay per input', () => {
  expect(illumioPceAccount).toMatchObject({ kind: 'illumio_pce', title: 'Illumio PCE connection', param: 'pce_connection' });
  expect(ARGS.map((a) => a.name)).toEqual([
    'pce_url', 'org_id', 'api_key_id', 'api_secret', 'verify_tls', 'ca_cert_path', 'proxy_url', 'proxy_username', 'proxy_password', 'timeout',
  ]);
  expect(ARGS.filter((a) => a.secret).map((a) => a.name)).toEqual(['api_secret', 'proxy_password']);
  const bounds: string[] = commonBoundArgs().map((a) => a.name);
  expect(ARGS.some((a) => bounds.includes(a.name))).toBe(false);
  expect(illumio.accounts).toEqual([illumioPceAccount]);
});

test.each(illumio.inputs.map((i) => [i.description.scheme, i.description]))('%s names the connection with pce_connection and keeps every setting of its own', (_scheme, desc) => {
  expect(desc.account).toBe(illumioPceAccount);
  expect(desc.args[0]).toMatchObject({ name: 'pce_connection', type: 'string' });
  expect(desc.args[0].required).toBeFalsy();
  for (const a of ARGS) {
    // Same argument, so an input with its own settings is parsed exactly as before.
    const own = desc.args.find((x) => x.name === a.name)!;
    expect([own.type, !!own.required, !!own.secret, own.default]).toEqual([a.type, !!a.required, !!a.secret, a.default]);
  }
  expect(desc.args[0].check?.('prod', {})).toBeUndefined();
  expect(desc.args[0].check?.('a b', {})).toBe(`must name an Illumio PCE connection: ${accountNameProblem('a b')}`);
});
