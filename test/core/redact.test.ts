import { displayUrl, makeRedactor } from '../../src/core/log/redact';

test('known secrets go in every shape they travel in', () => {
  const secret = 'p@ss word/+=1';
  const r = makeRedactor([secret, 'ab']);
  const shapes = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64')];
  for (const s of shapes) expect(r(`x ${s} y`)).toBe('x <redacted> y');
  // Two-character "secrets" are not worth mangling every message for.
  expect(r('about')).toBe('about');
});

test('credentials recognised by position are removed without being registered', () => {
  const r = makeRedactor();
  expect(r('GET https://svc:Hunter2x@pce.example.com:8443/api')).toBe('GET https://svc:<redacted>@pce.example.com:8443/api');
  expect(r('Authorization: Bearer eyJhbGciOi.J9x1')).toBe('Authorization: <redacted>');
  expect(r('{"authorization":"Splunk 0123abcd4567"}')).toBe('{"authorization":"<redacted>"}');
  expect(r('sent Basic c3ZjOnBhc3M= to proxy')).toBe('sent Basic <redacted> to proxy');
  expect(r('password=abc123&user=x')).toBe('password=<redacted>&user=x');
});

test('prose survives', () => {
  const r = makeRedactor(['s3cr3t-value']);
  const text = 'Splunk Enterprise uses Basic authentication; "api_secret" (API secret) is required. Set it in the input\'s settings.';
  expect(r(text)).toBe(text);
});

test('displayUrl drops credentials and the query', () => {
  expect(displayUrl('https://u:p@host:8443/a/b?token=x#f')).toBe('https://host:8443/a/b');
});
