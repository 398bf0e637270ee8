/** Where the page sends REST calls and with which form key, from the page URL and cookies. */
import { webContext } from '../../src/ui/rest';
import { launchChromium } from './harness';

test('the proxy root is everything before /app/ (root endpoint and locale)', () => {
  expect(webContext('/en-US/app/TA-zerotrust-events/configuration', '8000', '').root).toBe('/en-US');
  expect(webContext('/splunk/de-DE/app/TA-zerotrust-events/configuration', '443', '').root).toBe('/splunk/de-DE');
});

test('the form key is the CSRF cookie of this Splunk Web port, else any, else $C.FORM_KEY', () => {
  const cookie = 'splunkd_8000=abc; splunkweb_csrf_token_9000=other; splunkweb_csrf_token_8000=mine%3D';
  expect(webContext('/en-US/app/x/configuration', '8000', cookie).formKey).toBe('mine=');
  expect(webContext('/en-US/app/x/configuration', '', 'splunkweb_csrf_token_8000=behind-proxy').formKey).toBe('behind-proxy');
  (globalThis as { $C?: unknown }).$C = { FORM_KEY: 'from-config' };
  try {
    expect(webContext('/en-US/app/x/configuration', '8000', 'splunkd_8000=abc').formKey).toBe('from-config');
  } finally {
    delete (globalThis as { $C?: unknown }).$C;
  }
});

test('without the browser the UI tests fail saying what to install (never skip)', async () => {
  await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow('/nonexistent/chromium not found: install chromium (apt-get install chromium)');
});
