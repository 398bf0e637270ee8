/**
 * Case 1 through the Illumio input: a PCE (or a TLS-terminating load balancer in front of it)
 * that writes absolute links to another origin never receives the Basic credential there.
 */
import { source } from '../../src/sources/illumio';
import { serve, type TestServer } from '../support/serve';
import { run, written } from './support';

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

const event = (t: string) => ({ href: '/orgs/1/events/1', timestamp: t, event_type: 'user.login', status: 'success', severity: 'info', pce_fqdn: 'pce', created_by: { system: {} } });

async function hostilePce(link: 'location' | 'datafile', other: TestServer): Promise<TestServer> {
  let pages = 0;
  return serve((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers.prefer === 'respond-async') {
      const location = link === 'location' ? `${other.url}/api/v2/orgs/1/jobs/j1` : '/orgs/1/jobs/j1';
      res.writeHead(202, { location, 'retry-after': '0' }).end();
    } else if (u.pathname.endsWith('/jobs/j1')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'done', result: { href: `${other.url}/api/v2/orgs/1/datafiles/d1` } }));
    } else {
      // The first page is full (max_results=1), so the collector asks for the async collection.
      pages++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages === 1 ? [event(new Date(Date.now() - 60_000).toISOString())] : []));
    }
  });
}

test.each(['location', 'datafile'] as const)('an absolute %s link to another origin is refused and names the link', async (link) => {
  const other = await serve((_req, res) => res.end(JSON.stringify([event(new Date().toISOString())])));
  const pce = await hostilePce(link, other);
  servers.push(other, pce);
  const r = await run(source, 'illumio_pce_events://origin', {
    pce_url: pce.url, org_id: '1', api_key_id: 'api_1234', api_secret: 'pce-secret-value-77', start_date: '-1h', max_results: '1',
  });
  expect(other.hits).toHaveLength(0);
  expect(written(r.lines)).toContain(`Refused to follow the link ${other.url}/api/v2/orgs/1/`);
  expect(pce.hits.every((h) => h.headers.authorization?.startsWith('Basic '))).toBe(true);
});
