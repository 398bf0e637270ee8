/**
 * Illumio authentication content on crafted scenarios: PCE events rendered by the simulator's
 * generator (the shapes the PCE sends), with the client address and time set by hand.
 */
import { hostShortEval } from '../../src/sources/illumio/hostkey';
import { makeEvent } from '../../src/sources/illumio/simulator';
import { flowToCef } from '../../src/sources/illumio/formats';
import { healthEvents } from '../../src/sources/illumio/health';
import { healthBody, makeEstate, makeFlow } from '../../src/sources/illumio/simulator/traffic';
import { rowsToObjects } from '../../src/core/spl/engine';
import { enrichedKnowledge, engine, RawEvent, ROLES, rowWith, toRow } from './data';
import { savedSearchRunnables } from './saved';
import { allPanels, loadView, type Panel } from './views';

/** The burst alert runs at NOW (every 15 minutes) over [-20m@m, -5m@m). */
const NOW = 1_800_000_000;
const BURST = savedSearchRunnables().find((s) => s.where === 'savedsearches.conf [Illumio - Authentication failure burst by source]')!;
const panel = (title: string) => allPanels().find((p) => p.view === 'ta_zerotrust_illumio_audit' && p.title === title)!;

/** `n` events of one type with the given outcome, from the generator, client IP and time set. */
function events(type: string, outcome: 'success' | 'failure', n: number, clientIp: string | undefined, atSec: (k: number) => number, indexedSec?: (k: number) => number): RawEvent[] {
  const out: RawEvent[] = [];
  for (let i = 0; out.length < n && i < 5000; i++) {
    const e = makeEvent({ seed: 77, org: 1, pceFqdn: 'pce.example.com', eventTypes: [type] }, i, atSec(out.length) * 1000);
    if (e.status !== outcome) continue;
    if (clientIp !== undefined && e.action && typeof e.action === 'object') (e.action as Record<string, unknown>).src_ip = clientIp;
    const k = out.length;
    out.push({ raw: JSON.stringify(e), sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: atSec(k), indextime: indexedSec ? indexedSec(k) : atSec(k) + 5 });
  }
  if (out.length < n) throw new Error(`the generator gave fewer than ${n} ${outcome} ${type} events`);
  return out;
}

const inWindow = (k: number) => NOW - 12 * 60 + k;

test('a burst of failed logins from one client fires, once, naming that client; logouts and successes do not count', () => {
  const rows = [
    ...events('user.sign_in', 'failure', 12, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'success', 15, '203.0.113.66', inWindow),
    ...events('user.sign_out', 'success', 40, '198.51.100.9', inWindow),
    ...events('user.sign_in', 'failure', 3, '198.51.100.9', inWindow),
  ].map(toRow);
  const fired = rowsToObjects(engine(rows, NOW, ROLES.user).run(BURST.search, BURST).rows);
  expect(fired.map((r) => [r.src, r.failures, r.pce_fqdn])).toEqual([['203.0.113.66', '12', 'pce.example.com']]);
});

test('benign: sign-outs, successful logins and a few failures per client never fire', () => {
  const rows = [
    ...events('user.sign_out', 'success', 60, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'success', 30, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'failure', 9, '203.0.113.66', inWindow),
  ].map(toRow);
  expect(engine(rows, NOW, ROLES.user).run(BURST.search, BURST).rows).toEqual([]);
});

test('"Logins by user" counts sign-ins, not sign-outs; with a FILTERED client IP no row names the PCE as the source', () => {
  const rows = [
    ...events('user.sign_in', 'success', 7, '203.0.113.66', inWindow),
    ...events('user.sign_out', 'success', 25, '203.0.113.66', inWindow),
    ...events('user.sign_in', 'failure', 12, 'FILTERED', inWindow),
    ...events('request.authentication_failed', 'failure', 4, 'FILTERED', inWindow),
  ].map(toRow);
  const en = engine(rows, NOW, ROLES.user);
  const logins = panel('Logins by user');
  const byUser = rowsToObjects(en.run(logins.search, logins).rows);
  expect(byUser.reduce((n, r) => n + Number(r.succeeded), 0)).toBe(7);
  expect(byUser.map((r) => r.user)).not.toContain('system');
  const failed = panel('Failed authentications by source address');
  const bySrc = rowsToObjects(en.run(failed.search, failed).rows);
  expect(bySrc.map((r) => r.src)).toEqual(['(no client address)']);
  expect(bySrc[0].failures).toBe('16');
  // The burst of FILTERED failures fires as one unattributed row, not as the PCE.
  const fired = rowsToObjects(en.run(BURST.search, BURST).rows);
  expect(fired.map((r) => r.src)).toEqual(['(no client address)']);
});

// The burst alert reads what was indexed in [-20m@m, -5m@m), whatever the events' _time: a late
// event is searched by the run whose slice holds its index time, and only by that one.
test('a late event is seen: failures that happened 40 minutes ago but were indexed 8 minutes ago fire the burst alert', () => {
  const late = events('user.sign_in', 'failure', 12, '203.0.113.66', (k) => NOW - 40 * 60 + k, () => NOW - 8 * 60);
  const en = engine(late.map(toRow), NOW, ROLES.user);
  const fired = rowsToObjects(en.run(BURST.search, BURST).rows);
  expect(fired.map((r) => r.src)).toEqual(['203.0.113.66']);
});

test('the same late failures indexed 21 minutes ago, in the previous run\'s slice, do not fire again', () => {
  const earlier = events('user.sign_in', 'failure', 12, '203.0.113.66', (k) => NOW - 40 * 60 + k, () => NOW - 21 * 60);
  expect(engine(earlier.map(toRow), NOW, ROLES.user).run(BURST.search, BURST).rows).toEqual([]);
});

test('"PCE request errors" fires at the threshold per PCE and not below it', () => {
  const s = savedSearchRunnables().find((x) => x.where === 'savedsearches.conf [Illumio - PCE request errors]')!;
  const five = events('request.internal_server_error', 'failure', 5, undefined, inWindow);
  expect(rowsToObjects(engine(five.map(toRow), NOW, ROLES.user).run(s.search, s).rows).map((r) => [r.pce_fqdn, r.errors])).toEqual([['pce.example.com', '5']]);
  expect(engine(five.slice(0, 4).map(toRow), NOW, ROLES.user).run(s.search, s).rows).toEqual([]);
});

test('"Illumio syslog feed silent" names the PCE whose syslog stopped, not one that is sending', () => {
  const s = savedSearchRunnables().find((x) => x.where === 'savedsearches.conf [Add-on - Illumio syslog feed silent]')!;
  const raw = (h: string, at: number): RawEvent => ({
    raw: JSON.stringify(makeEvent({ seed: 5, org: 1, pceFqdn: `${h}.example.com`, eventTypes: ['user.sign_in'] }, at, at * 1000)),
    sourcetype: 'illumio:pce:syslog', source: 'udp:514', host: h, index: 'main', time: at,
  });
  const rows = [raw('pce-quiet', NOW - 3 * 3600), raw('pce-busy', NOW - 3 * 3600), raw('pce-busy', NOW - 120)].map(toRow);
  expect(rowsToObjects(engine(rows, NOW, ROLES.user).run(s.search, s).rows).map((r) => [r.host, r.sourcetype, r.minutes_quiet])).toEqual([['pce-quiet', 'illumio:pce:syslog', '180']]);
});

test('VEN panels agree on what removes a VEN, and "offline" names hosts, not event types', () => {
  const vens = allPanels().filter((p) => p.view === 'ta_zerotrust_illumio_vens');
  const removal = vens.filter((p) => /illumio_agents\.unpair/.test(p.search));
  expect(removal.length).toBeGreaterThan(1);
  for (const p of removal) expect({ title: p.title, workloadsUnpair: /illumio_workloads\.unpair/.test(p.search) }).toEqual({ title: p.title, workloadsUnpair: true });
  const offline = vens.find((p) => p.title.startsWith('VENs reported offline'))!;
  const ev = (type: string, host: string, at: number): RawEvent => {
    const e = makeEvent({ seed: 9, org: 1, pceFqdn: 'pce.example.com', eventTypes: [type] }, at, at * 1000);
    e.created_by = { agent: { href: '/orgs/1/agents/7', hostname: host } };
    // The VEN reporting is the one its notification names.
    return { raw: JSON.stringify(e).replace(/"hostname":"[^"]*"/g, `"hostname":"${host}"`), sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: at };
  };
  const rows = [ev('agent.goodbye', 'web-01', NOW - 3000), ev('agent.activate', 'web-01', NOW - 600), ev('agent.service_not_available', 'db-02', NOW - 900)].map(toRow);
  expect(rowsToObjects(engine(rows, NOW, ROLES.user).run(offline.search, offline).rows).map((r) => [r.ven, r.state])).toEqual([['db-02', 'service not available']]);
});

test('the Family filter applies to every Audit panel, and event types the catalog does not know are under "(uncatalogued)"', () => {
  const audit = loadView('ta_zerotrust_illumio_audit', { family: '(uncatalogued)' }).filter((p) => p.viz !== 'input');
  for (const p of audit) expect({ title: p.title, filtered: p.search.includes('search family="(uncatalogued)"') }).toEqual({ title: p.title, filtered: true });
  const e = makeEvent({ seed: 3, org: 1, pceFqdn: 'pce.example.com', eventTypes: ['workload.update'] }, 1, (NOW - 600) * 1000);
  const raw = JSON.stringify({ ...e, event_type: 'workload.brand_new_verb', status: 'success' });
  const rows = [toRow({ raw, sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: NOW - 600 })];
  const changes = audit.find((p) => p.title === 'Changes by family and type')!;
  const en = engine(rows, NOW, ROLES.user);
  const all = rowsToObjects(en.run('`ta_zerotrust_illumio_index` eventtype="illumio_pce_event" | table event_type tag', { earliest: '-1h' }).rows);
  expect(all).toHaveLength(1);
  // Uncatalogued types carry no CIM tag of their own; the panel that lists them by type still must.
  const listed = rowsToObjects(en.run(changes.search.replace('search tag=change | ', ''), changes).rows);
  expect(listed.map((r) => [r.family, r.event_type])).toEqual([['(uncatalogued)', 'workload.brand_new_verb']]);
});

test('traffic: a source probing 25 ports is a port scan candidate; ordinary talkers are not; blocked flows are listed', () => {
  const flow = (i: number, src: string, port: number, pd: number) => flowToCef({
    interval_sec: 600, count: 1, tbi: 60, tbo: 60, src_ip: src, dst_ip: `10.0.2.${20 + (i % 3)}`, dir: 'I', time: new Date((NOW - 1800 + i) * 1000).toISOString(),
    proto: 6, dst_port: port, state: 'S', src_hostname: src === '10.0.9.9' ? 'app-stg-03' : 'web-prod-01', dst_hostname: 'db-prod-01', pd, version: 4,
  }, { pceFqdn: 'pce.example.com' });
  const raws = [
    ...Array.from({ length: 25 }, (_, i) => flow(i, '10.0.9.9', 1000 + i, 2)),
    ...Array.from({ length: 30 }, (_, i) => flow(100 + i, '10.0.1.15', 5432, 0)),
  ];
  const rows = raws.map((raw, i) => toRow({ raw, sourcetype: 'illumio:pce:cef', source: 'udp:514', host: 'pce01', index: 'main', time: NOW - 1800 + i }));
  const en = engine(rows, NOW, ROLES.user);
  const traffic = loadView('ta_zerotrust_illumio_traffic');
  const scan = traffic.find((p) => p.title.startsWith('Port scan candidates'))!;
  expect(rowsToObjects(en.run(scan.search, scan).rows).map((r) => [r.src, r.ports, r.decisions])).toEqual([['10.0.9.9', '25', 'blocked']]);
  const blocked = traffic.find((p) => p.title === 'Blocked and potentially blocked flows')!;
  expect(rowsToObjects(en.run(blocked.search, blocked).rows).map((r) => r.src)).toEqual(['10.0.9.9', '10.0.9.9', '10.0.9.9']);
});

test('"VENs offline now" names the managed workloads the PCE reports offline or suspended, by hostname, from the objects input\'s KV lookup', () => {
  const p = allPanels().find((x) => x.view === 'ta_zerotrust_illumio_vens' && x.title.startsWith('VENs offline now'))!;
  const estate = makeEstate(1).workloads as { hostname: string; online: boolean; ven: { status: string } }[];
  const want = estate.filter((w) => w.online === false || w.ven.status === 'suspended').map((w) => [w.hostname, w.ven.status === 'suspended' ? 'suspended' : 'offline']).sort();
  expect(want.length).toBeGreaterThan(1);
  expect(rowsToObjects(engine([], NOW, ROLES.user).run(p.search, p).rows).map((r) => [r.hostname, r.ven_state])).toEqual(want);
});

test('"VENs reported offline" says whether each VEN is offline now by its hostname in the PCE\'s workloads, and which the PCE does not list', () => {
  const p = allPanels().find((x) => x.view === 'ta_zerotrust_illumio_vens' && x.title.startsWith('VENs reported offline'))!;
  const estate = makeEstate(1).workloads as { hostname: string; online: boolean }[];
  const down = estate.find((w) => !w.online)!.hostname;
  const back = estate.find((w) => w.online)!.hostname;
  const ev = (type: string, host: string, at: number): RawEvent => {
    const e = makeEvent({ seed: 9, org: 1, pceFqdn: 'pce.example.com', eventTypes: [type] }, at, at * 1000);
    e.created_by = { agent: { href: '/orgs/1/agents/7', hostname: host } };
    return { raw: JSON.stringify(e).replace(/"hostname":"[^"]*"/g, `"hostname":"${host}"`), sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: at };
  };
  // A VEN that calls itself by its upper-case short name still finds its FQDN workload, by the
  // same key as the automatic lookups (the panel's eval is hostShortEval's, tested under PCRE2).
  expect(p.search).toContain(`eval ven_short = ${hostShortEval('ven')} |`);
  const other = estate.find((w) => w.hostname !== down && w.hostname !== back && w.hostname.includes('.'))!;
  const shortUpper = other.hostname.split('.')[0].toUpperCase();
  const rows = [ev('agent.goodbye', down, NOW - 900), ev('agent.service_not_available', back, NOW - 600), ev('agent.goodbye', 'gone-01', NOW - 300), ev('agent.suspend', shortUpper, NOW - 200)].map(toRow);
  const got = rowsToObjects(engine(rows, NOW, ROLES.user).run(p.search, p).rows).map((r) => [r.ven, r.state, r.state_now]);
  expect(got).toEqual([
    [down, 'went offline (goodbye)', 'offline'],
    [back, 'service not available', 'online'],
    ['gone-01', 'went offline (goodbye)', 'no workload record'],
    [shortUpper, 'suspended', other.online ? 'online' : 'offline'],
  ].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
});

test('"PCE service degraded or failed" fires for the degraded service and its node as last reported, not for one that recovered', () => {
  const s = savedSearchRunnables().find((x) => x.where === 'savedsearches.conf [Illumio - PCE service degraded or failed]')!;
  const report = (at: number, degraded?: { node: string; service: string }): RawEvent[] => healthEvents(healthBody('pce.example.com', degraded ? { degraded } : {}), at * 1000)
    .map((e) => ({ raw: e.data, sourcetype: 'illumio:pce:health', source: 'illumio_pce_health://prod', index: 'main', time: at }));
  const fired = (rows: RawEvent[]) => rowsToObjects(engine(rows.map(toRow), NOW, ROLES.user).run(s.search, s).rows).map((r) => [r.kind, r.hostname, r.service, r.status]);
  expect(fired([...report(NOW - 900), ...report(NOW - 300, { node: 'core1', service: 'traffic_worker' })])).toEqual([['node', 'core1.pce.example.com', '-', 'degraded'], ['service', 'core1.pce.example.com', 'traffic_worker', 'degraded']]);
  expect(fired([...report(NOW - 900, { node: 'core1', service: 'traffic_worker' }), ...report(NOW - 300)])).toEqual([]);
});

test('traffic by workload labels and VEN state: syslog/CEF flows get their labels and state from the objects input by address, REST flows keep their own', () => {
  const estate = makeEstate(1);
  const ws = estate.workloads as { hostname: string; online: boolean; interfaces: { address: string }[]; labels: { key: string; value: string }[] }[];
  const ip = (w: (typeof ws)[0]) => w.interfaces[0].address;
  const label = (w: (typeof ws)[0], k: string) => w.labels.find((l) => l.key === k)!.value;
  const web = ws.find((w) => w.online)!;
  const down = ws.find((w) => !w.online)!;
  const cef = (src: string, dst: string, count: number, i: number) => flowToCef({
    interval_sec: 600, count, tbi: 60, tbo: 60, src_ip: src, dst_ip: dst, dir: 'I', time: new Date((NOW - 1800 + i) * 1000).toISOString(), proto: 6, dst_port: 5432, state: 'S', pd: 2, version: 4,
  }, { pceFqdn: 'pce.example.com' });
  const raws: RawEvent[] = [cef(ip(web), ip(down), 5, 0), cef('203.0.113.7', ip(web), 2, 1)]
    .map((raw, i) => ({ raw, sourcetype: 'illumio:pce:cef', source: 'udp:514', host: 'pce01', index: 'main', time: NOW - 1800 + i }));
  const rest = makeFlow(estate, 7, 0, (NOW - 900) * 1000);
  raws.push({ raw: JSON.stringify({ ...rest, num_connections: 3 }), sourcetype: 'illumio:pce:flow', source: 'illumio_pce_traffic://prod', index: 'main', time: NOW - 900 });
  const traffic = loadView('ta_zerotrust_illumio_traffic');
  const byApp = traffic.find((p) => p.title.startsWith('Flows between applications'))!;
  const stale = traffic.find((p) => p.title.startsWith('Flows to or from workloads whose VEN'))!;
  const run = (p: Panel, rows: ReturnType<typeof toRow>[]) => rowsToObjects(engine(rows, NOW, ROLES.user).run(p.search, p).rows);
  const appEnv = (w: (typeof ws)[0]) => `${label(w, 'app')} (${label(w, 'env')})`;
  const restLabels = (side: 'src' | 'dst') => {
    const wl = (rest[side] as { workload?: { labels: { key: string; value: string }[] } }).workload;
    return wl ? `${wl.labels.find((l) => l.key === 'app')!.value} (${wl.labels.find((l) => l.key === 'env')!.value})` : 'unlabelled or outside the PCE';
  };
  const rows = run(byApp, raws.map(rowWith(enrichedKnowledge())));
  const flows = (s: string, d: string) => rows.filter((r) => r.src_app_env === s && r.dest_app_env === d).reduce((n, r) => n + Number(r.flows), 0);
  expect(flows(appEnv(web), appEnv(down))).toBeGreaterThanOrEqual(5);
  expect(flows('unlabelled or outside the PCE', appEnv(web))).toBeGreaterThanOrEqual(2);
  expect(flows(restLabels('src'), restLabels('dst'))).toBeGreaterThanOrEqual(3);
  expect(rows.reduce((n, r) => n + Number(r.flows), 0)).toBe(10);
  // Without the objects input the syslog/CEF flows have no labels: only the REST flow is labelled.
  const plain = run(byApp, raws.map(toRow));
  expect(plain.filter((r) => r.src_app_env === appEnv(web)).length).toBe(restLabels('src') === appEnv(web) ? 1 : 0);
  // The VEN of `down` is offline now: its flow is listed with the state, by hostname.
  const offline = run(stale, raws.map(rowWith(enrichedKnowledge())));
  expect(offline.map((r) => [r.dest, r.dest_host, r.dest_ven_state, r.flows]).filter((r) => r[0] === ip(down))).toEqual([[ip(down), down.hostname, 'offline', '5']]);
  expect(run(stale, raws.map(toRow))).toEqual([]);
});

test('the demo\'s VEN reports name their host short (web-prod-01) while its PCE stores FQDNs: an analyst\'s search still sees each VEN\'s workload state', () => {
  const estate = makeEstate(1).workloads as { href: string; name: string; hostname: string; online: boolean; ven: { status: string } }[];
  const down = estate.find((w) => !w.online)!;
  expect(down.hostname).toBe(`${down.name}.corp.example`);
  const report = (host: string, at: number): RawEvent => {
    const e = makeEvent({ seed: 9, org: 1, pceFqdn: 'pce.example.com', eventTypes: ['agent.goodbye'] }, at, at * 1000);
    e.created_by = { agent: { href: '/orgs/1/agents/7', hostname: host } };
    return { raw: JSON.stringify(e).replace(/"hostname":"[^"]*"/g, `"hostname":"${host}"`), sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://prod', index: 'main', time: at };
  };
  const rows = [report(down.name, NOW - 600), report(down.name.toUpperCase(), NOW - 500), report('gone-01', NOW - 400)].map(rowWith(enrichedKnowledge()));
  const search = '`ta_zerotrust_illumio_index` eventtype="illumio_family_agent" | fillnull value="-" src_workload src_ven_state | stats count BY src_host src_workload src_ven_state | sort src_host';
  expect(rowsToObjects(engine(rows, NOW, ROLES.user).run(search, { earliest: '-1h', latest: 'now' }).rows).map((r) => [r.src_host, r.src_workload, r.src_ven_state, r.count])).toEqual([
    [down.name.toUpperCase(), down.href, 'offline', '1'],
    ['gone-01', '-', '-', '1'],
    [down.name, down.href, 'offline', '1'],
  ].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
});
