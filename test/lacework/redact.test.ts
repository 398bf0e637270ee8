import fc from 'fast-check';
import { isSensitiveKey, redactBody, redactPath, redactValue } from '../../src/sources/lacework/redact';

const M = '********';

describe('isSensitiveKey', () => {
  it.each([
    'password', 'Password', 'new_password', 'oldPassword', 'passwd', 'pwd', 'passphrase', 'client_secret',
    'clientSecret', 'secret', 'api_key', 'apiKey', 'X-Api-Key', 'api-key', 'private_key', 'privateKey',
    'access_token', 'refreshToken', 'token', 'id_token', 'credentials', 'Authorization', 'auth', 'basic_auth',
    'cookie', 'otp', 'secret_access_key', 'aws_secret_access_key', 'private_key_encrypted', 'pass', 'user_pass',
  ])('masks %s', (k) => expect(isSensitiveKey(k)).toBe(true));

  it.each([
    'username', 'user_login', 'email', 'name', 'description', 'token_type', 'token_required', 'password_policy',
    'auth_type', 'auth_uuid', 'auth_account_name', 'public_key', 'key', 'bypass_notifications', 'passenger',
    'api_key_id', 'token_ttl_sec', 'secret_name', 'uuid', 'path', 'keyboard', 'author',
  ])('keeps %s', (k) => expect(isSensitiveKey(k)).toBe(false));
});

describe('redactBody on JSON', () => {
  it('masks nested objects and arrays and keeps everything else byte for byte', () => {
    const body = '{"user":"alice", "settings": {"password": "hunter2!", "theme":"dark"},\n'
      + ' "keys":[{"name":"ci","api_key":"AKIA1234567890"},{"name":"cd","token":12345678}],'
      + ' "credentials": {"user":"bob","pass":"s3cr3t"}, "count": 12345678901234567890, "ok": true, "note": null}';
    const out = redactBody(body);
    expect(out).not.toMatch(/hunter2|AKIA1234567890|12345678\b|s3cr3t/);
    const parsed = JSON.parse(out);
    expect(parsed.settings).toEqual({ password: M, theme: 'dark' });
    expect(parsed.keys).toEqual([{ name: 'ci', api_key: M }, { name: 'cd', token: M }]);
    expect(parsed.credentials).toBe(M);
    expect(parsed.user).toBe('alice');
    // Untouched parts keep their exact text: the big number keeps its digits.
    expect(out).toContain('"count": 12345678901234567890');
    expect(out.startsWith('{"user":"alice", "settings": {"password": "********", "theme":"dark"},\n')).toBe(true);
  });

  it('leaves booleans, nulls and empty strings alone', () => {
    const out = JSON.parse(redactBody('{"password":"","token":null,"secret":false,"token_required":true}'));
    expect(out).toEqual({ password: '', token: null, secret: false, token_required: true });
  });

  it('masks inside JSON serialized into a string value and tokens in URLs', () => {
    const inner = JSON.stringify({ client_secret: 'abcdef123456', region: 'eu' });
    const body = JSON.stringify({ config: inner, callback: 'https://x.example/cb?token=tok_987654321&x=1' });
    const out = redactBody(body);
    expect(out).not.toContain('abcdef123456');
    expect(out).not.toContain('tok_987654321');
    const parsed = JSON.parse(out);
    expect(JSON.parse(parsed.config)).toEqual({ client_secret: M, region: 'eu' });
    expect(parsed.callback).toBe(`https://x.example/cb?token=${M}&x=1`);
  });

  it('returns a body without secrets unchanged', () => {
    const body = '{ "name" : "web", "hosts": ["a","b"], "port": 443 }';
    expect(redactBody(body)).toBe(body);
  });

  it('never lets a generated secret through and keeps the JSON valid', () => {
    const secretKey = fc.constantFrom('password', 'apiKey', 'client_secret', 'access_token', 'private_key', 'Authorization');
    const plainKey = fc.constantFrom('name', 'id', 'region', 'description', 'hosts', 'user_login');
    const secret = fc.stringMatching(/^[A-Za-z0-9]{10,24}$/).map((s) => `SEC${s}`);
    const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('plain text', 42, true, null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(plainKey, tie('node'), { maxKeys: 3 }),
        fc.tuple(secretKey, secret, fc.dictionary(plainKey, tie('node'), { maxKeys: 2 }))
          .map(([k, s, rest]) => ({ ...rest, [k]: s })),
      ),
    })).node;
    fc.assert(
      fc.property(tree, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null';
        const out = redactBody(text);
        expect(out).not.toMatch(/SEC[A-Za-z0-9]{10}/);
        JSON.parse(out);
        if (!/SEC[A-Za-z0-9]{10}/.test(text)) expect(out).toBe(text);
      }),
    );
  });
});

describe('redactBody on text', () => {
  it('masks form bodies and keeps other fields', () => {
    expect(redactBody('username=alice&password=p%40ss%26word&remember=1'))
      .toBe(`username=alice&password=${M}&remember=1`);
    expect(redactBody('grant_type=client_credentials&client_id=abc&client_secret=xyz987'))
      .toBe(`grant_type=client_credentials&client_id=abc&client_secret=${M}`);
  });

  it('masks truncated JSON and JSON-looking prose', () => {
    const out = redactBody('{"user":"alice","password":"hunter2","token":"abc12');
    expect(out).toBe(`{"user":"alice","password":"${M}","token":"${M}"`);
    expect(redactBody(`reset for bob: {'secret': 'x9y8z7'} done`)).toBe(`reset for bob: {'secret': '${M}'} done`);
    expect(redactBody('payload={\\"api_key\\":\\"AKIAXYZ\\"}')).toBe(`payload={\\"api_key\\":\\"${M}\\"}`);
  });

  it('masks header dumps, bearer tokens and PEM private keys', () => {
    expect(redactBody('Authorization: Bearer eyJhbGciOi.abc.def\nAccept: */*'))
      .not.toMatch(/eyJhbGciOi/);
    const pem = 'key=-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend';
    expect(redactBody(pem)).toBe(`key=${M}\nend`);
    expect(redactBody('password: hunter2 and more')).toBe(`password: ${M} and more`);
  });

  it('keeps ordinary text', () => {
    const s = 'name=web&region=eu-west-1&hosts=a,b';
    expect(redactBody(s)).toBe(s);
    expect(redactBody('GET /api/v1/users took 12ms')).toBe('GET /api/v1/users took 12ms');
  });
});

describe('redactPath and redactValue', () => {
  it('masks only the query string of a path', () => {
    expect(redactPath('/api/v1/token/refresh?refresh_token=abc123&x=1')).toBe(`/api/v1/token/refresh?refresh_token=${M}&x=1`);
    expect(redactPath('/api/v1/tokens/123')).toBe('/api/v1/tokens/123');
  });

  it('masks parsed values (investigation history)', () => {
    const v = { mfa_details: { token: 'T0KEN123', factor_type: 1 }, token_required: true, private_key_encrypted: 'ENC', text: 'password=abc' };
    expect(redactValue(v)).toEqual({ mfa_details: { token: M, factor_type: 1 }, token_required: true, private_key_encrypted: M, text: `password=${M}` });
  });
});
