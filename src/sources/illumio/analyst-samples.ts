/**
 * One raw event per way Illumio data reaches the add-on, written the way the PCE sends it (formats
 * in the vendor's reference documents and API examples), with the eventtypes and tags an analyst
 * must see: the module's `analystSamples` hook, run through `npm run preview` by
 * test/catalog/golden.test.ts. Legacy (pre-18.2) names come in through every format; CEF and LEEF
 * lines are rendered by the PCE format writers the simulator uses (./formats.ts).
 */
import type { AnalystSample } from '../../core/source-hooks';
import { toCef, toLeef } from './formats';

const SYSLOG_PREFIX = (program: string) =>
  `<14>1 2026-11-21T10:15:00.000000+00:00 core0.pce.example.com illumio_pce/${program} 12120 - [meta sequenceId="99730"] sec=656349.156 sev=INFO pid=15944 tid=30326360 rid=87a673c4-8a3e-4c37-9d11-0b3b4fdc1a2e `;

/** A PCE events API record: the given fields over a typical agent event. */
export const pceEvent = (fields: Record<string, unknown>) => ({
    href: '/orgs/1/events/5e1c0b9a-5f59-46ab-8f18-3b8c1d2e4f60',
    timestamp: '2026-11-21T10:15:00.731Z',
    pce_fqdn: 'pce.example.com',
    created_by: { agent: { href: '/orgs/1/agents/412', hostname: 'web-prod-0412' } },
    status: 'success',
    severity: 'info',
    action: null,
    resource_changes: [],
    notifications: [],
    version: 2,
    ...fields,
  });
const apiEvent = (fields: Record<string, unknown>) => JSON.stringify(pceEvent(fields));

export const illumioAnalystSamples: readonly AnalystSample[] = [
  {
    title: 'events API: agent.activate (current name)',
    sourcetype: 'illumio:pce:event',
    raw: apiEvent({ event_type: 'agent.activate' }),
    eventtypes: ['illumio_pce_event', 'illumio_agent.activate', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.activate', status: 'success' },
  },
  {
    title: 'events API: activation_failure (pre-18.2 name)',
    sourcetype: 'illumio:pce:event',
    raw: apiEvent({ event_type: 'activation_failure', status: null, severity: 'err', timestamp: '2018-03-01T10:00:00.000Z' }),
    eventtypes: ['illumio_pce_event', 'illumio_legacy_event_name', 'illumio_agent.activate', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.activate', event_type_original: 'activation_failure', status: 'failure' },
  },
  {
    title: 'syslog JSON: deactivation_success (pre-18.2 name)',
    sourcetype: 'illumio:pce:syslog',
    raw: SYSLOG_PREFIX('agent') + apiEvent({ event_type: 'deactivation_success', status: null }),
    eventtypes: ['illumio_pce_event', 'illumio_legacy_event_name', 'illumio_agent.deactivate', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.deactivate', event_type_original: 'deactivation_success', status: 'success' },
  },
  {
    title: 'syslog JSON: fw_config_change (pre-18.2 name)',
    sourcetype: 'illumio:pce:syslog',
    raw: SYSLOG_PREFIX('agent') + apiEvent({ event_type: 'fw_config_change' }),
    eventtypes: ['illumio_pce_event', 'illumio_legacy_event_name', 'illumio_agent.firewall_config', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.firewall_config', event_type_original: 'fw_config_change', status: 'success' },
  },
  {
    title: 'syslog JSON: agent.tampering',
    sourcetype: 'illumio:pce:syslog',
    raw: SYSLOG_PREFIX('agent') + apiEvent({ event_type: 'agent.tampering', severity: 'warning', status: null }),
    eventtypes: ['illumio_pce_event', 'illumio_agent.tampering', 'illumio_family_agent', 'illumio_cim_alert'],
    tags: ['alert'],
    fields: { event_type: 'agent.tampering' },
  },
  {
    title: 'CEF: user.logout.success (seed page 408)',
    sourcetype: 'illumio:pce:cef',
    raw: 'CEF:0|Illumio|PCE|19.3.0|user.logout.success|User Logout Success|1|rt=Mar 06 2020 18:49:47.802 +0000 dvchost=pce.example.com duid=12 duser=alice@example.com dst=10.3.6.116 outcome=success cat=audit_events request=/login/logout requestMethod=GET reason=302 cs2=[] cs2Label=resource_changes cs4=[] cs4Label=notifications cn2=2 cn2Label=schema-version cs1Label=event_href cs1=/orgs/1/events/0a7e4b22-39bd-43f1-a680-cc17c6984925',
    eventtypes: ['illumio_pce_event', 'illumio_user.logout', 'illumio_family_user'],
    // A logout ends a session; it is not an authentication (counted as one, it reads as a login).
    tags: [],
    fields: { event_type: 'user.logout', status: 'success' },
  },
  {
    title: 'CEF: request.authentication_failed.failure',
    sourcetype: 'illumio:pce:cef',
    raw: 'CEF:0|Illumio|PCE|26.2.0|request.authentication_failed.failure|Request Authentication Failed|4|rt=Nov 21 2026 10:15:00.000 +0000 dvchost=pce.example.com duid=0 duser=system dst=203.0.113.9 outcome=failure cat=audit_events request=/api/v2/orgs/1/workloads requestMethod=GET reason=401 cs2=[] cs2Label=resource_changes cs4=[] cs4Label=notifications cn2=2 cn2Label=schema-version cs1Label=event_href cs1=/orgs/1/events/7c1e4b22-39bd-43f1-a680-cc17c6984925',
    eventtypes: ['illumio_pce_event', 'illumio_request.authentication_failed', 'illumio_family_request', 'illumio_cim_authentication'],
    tags: ['authentication'],
    fields: { event_type: 'request.authentication_failed', status: 'failure' },
  },
  {
    title: 'CEF: activation_success (pre-18.2 name)',
    sourcetype: 'illumio:pce:cef',
    raw: toCef(pceEvent({ event_type: 'activation_success', status: null })),
    eventtypes: ['illumio_pce_event', 'illumio_legacy_event_name', 'illumio_agent.activate', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.activate', event_type_original: 'activation_success', status: 'success' },
  },
  {
    title: 'LEEF 2.0: deactivation_failure (pre-18.2 name)',
    sourcetype: 'illumio:pce:leef',
    raw: toLeef(pceEvent({ event_type: 'deactivation_failure', status: null }), { version: '2.0', delimiter: '^' }),
    eventtypes: ['illumio_pce_event', 'illumio_legacy_event_name', 'illumio_agent.deactivate', 'illumio_family_agent', 'illumio_cim_change', 'illumio_cim_change_endpoint'],
    tags: ['change', 'endpoint'],
    fields: { event_type: 'agent.deactivate', event_type_original: 'deactivation_failure', status: 'failure' },
  },
  {
    title: 'LEEF 1.0: api_key.create',
    sourcetype: 'illumio:pce:leef',
    raw: toLeef(pceEvent({ event_type: 'api_key.create', created_by: { user: { href: '/users/4', username: 'ops@example.com' } } }), { version: '1.0' }),
    eventtypes: ['illumio_pce_event', 'illumio_api_key.create', 'illumio_family_api_key', 'illumio_cim_change'],
    tags: ['change'],
    fields: { event_type: 'api_key.create', status: 'success' },
  },
  {
    title: 'CEF: flow summary',
    sourcetype: 'illumio:pce:cef',
    raw: 'CEF:0|Illumio|PCE|26.2.0|flow_blocked|Flow Blocked|1|act=blocked deviceDirection=0 dpt=445 src=10.0.1.5 dst=10.0.2.9 proto=6 cnt=3 in=0 out=180 rt=Nov 21 2026 10:15:00 suser=root sproc=smbclient duser=root dproc=smbd cn1=600 cn2=0 cn3=180 cs2=T shost=app-01 cs5=/orgs/1/workloads/1 cs3=[] dhost=db-01 cs6=/orgs/1/workloads/2 cs4=[] dvchost=pce.example.com cat=flow_summary',
    eventtypes: ['illumio_flow_summary'],
    tags: ['network', 'communicate'],
  },
  {
    title: 'syslog JSON: flow summary (version 4)',
    sourcetype: 'illumio:pce:syslog',
    raw: SYSLOG_PREFIX('collector') + JSON.stringify({ interval_sec: 600, count: 3, tbi: 0, tbo: 180, src_ip: '10.0.1.5', dst_ip: '10.0.2.9', class: 'U', dir: 'O', time: '2026-11-21T10:15:00.000Z', proto: 6, dst_port: 445, state: 'T', pd: 2, version: 4 }),
    eventtypes: ['illumio_flow_summary'],
    tags: ['network', 'communicate'],
  },
];
