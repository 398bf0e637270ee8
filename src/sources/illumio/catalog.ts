/**
 * The Illumio PCE event catalog: every event type the add-on knows, the family it belongs to,
 * a short label, its CIM mapping (which decides the tags) and whether it deserves an alert; and
 * the 18.2 renames with the status each old name implies. eventtypes.conf, tags.conf,
 * savedsearches.conf and lookups/illumio_event_*.csv are generated from this file
 * (src/build/generators/knowledge.ts), so a type added here reaches every one of them.
 *
 * Names come from Illumio's published lists and from real PCEs (../shared/reference/
 * illumio-event-types.tsv; a test checks nothing there is missing here). Families, labels, CIM
 * mapping and alert-worthiness are ours.
 *
 * Renames at search time: props.conf's EVAL-event_type of each Illumio sourcetype turns a legacy
 * name into the current one (so `event_type=agent.activate` finds activation_failure), keeps the
 * indexed name in event_type_original, and status follows the old name's suffix; the eventtypes
 * also list the legacy names, so they match even where that EVAL is overridden.
 * test/catalog/golden.test.ts renders every rename below in all four formats and checks both.
 */

export type CimModel = 'Authentication' | 'Change' | 'Alerts';
export type EventStatus = 'success' | 'failure';
export type ChangeType = 'AAA' | 'network' | 'endpoint' | 'audit' | 'configuration';
export type ActionClass = 'authentication' | 'authentication_failed' | 'created' | 'deleted' | 'modified';

export interface IllumioFamily {
  /** Used in eventtype names (`illumio_family_<name>`), so letters, digits and `_` only. */
  name: string;
  title: string;
  /** Event-type prefixes (the part before the first `.`, or the whole name when it has none). */
  prefixes: readonly string[];
}

export interface IllumioEventType {
  /** Current name, `resource.verb`, without the `.success`/`.failure` CEF and LEEF append. */
  name: string;
  family: string;
  label: string;
  cim: CimModel | null;
  /**
   * CIM tags this type carries through the roll-up eventtypes (illumio_cim_*): derived from `cim`
   * and `changeType`, so tags and change_type cannot disagree. The per-type eventtype is untagged.
   */
  tags: readonly string[];
  /** CIM Change `change_type`: AAA (accounts), network, endpoint, audit or configuration; null if not a Change. */
  changeType: ChangeType | null;
  /** CIM `object_category`: `user` exactly when the object is an account, else the resource name. */
  objectCategory: string;
  /** How `action` is decided: by the verb (created/deleted/modified) or, for logins, by status. */
  actionClass: ActionClass;
  alert: boolean;
  /** Names this type had before Illumio renamed it (18.2); events indexed under them still match. */
  legacy: readonly string[];
}

export interface IllumioRename {
  legacy: string;
  current: string;
  /** The status the old name carried in itself; null when the old name did not say. */
  status: EventStatus | null;
  release: string;
}

export const ILLUMIO_SOURCETYPES = ['illumio:pce:event', 'illumio:pce:syslog', 'illumio:pce:cef', 'illumio:pce:leef'] as const;

/** Illumio Core 18.2 "Changed VEN Event Names" (REST API guide, Events, "Differences from Previous Releases"). */
export const ILLUMIO_RENAMES: readonly IllumioRename[] = [
  { legacy: 'fw_config_change', current: 'agent.firewall_config', status: null, release: '18.2' },
  { legacy: 'activation_success', current: 'agent.activate', status: 'success', release: '18.2' },
  { legacy: 'activation_failure', current: 'agent.activate', status: 'failure', release: '18.2' },
  { legacy: 'deactivation_success', current: 'agent.deactivate', status: 'success', release: '18.2' },
  { legacy: 'deactivation_failure', current: 'agent.deactivate', status: 'failure', release: '18.2' },
];

export const ILLUMIO_FAMILIES: readonly IllumioFamily[] = [
  {
    name: 'agent', title: 'VENs (agents)',
    prefixes: ['agent', 'agents', 'lost_agent', 'agent_support_report_request', 'ven_settings', 'ven_software', 'ven_software_release', 'ven_software_releases'],
  },
  { name: 'workload', title: 'Workloads', prefixes: ['workload', 'workloads', 'workload_interface', 'workload_interfaces', 'workload_settings', 'workload_service_report'] },
  { name: 'container', title: 'Container clusters and workloads', prefixes: ['container_cluster', 'container_workload', 'container_workload_profile'] },
  { name: 'user', title: 'Users and sessions', prefixes: ['user', 'users', 'user_local_profile', 'logout_from_jwt'] },
  { name: 'request', title: 'API request errors', prefixes: ['request'] },
  { name: 'api_key', title: 'API keys and service accounts', prefixes: ['api_key', 'service_account'] },
  {
    name: 'access', title: 'Access control and authentication settings',
    prefixes: [
      'auth_security_principal', 'security_principal', 'security_principals', 'permission', 'access_restriction',
      'authentication_settings', 'password_policy', 'ldap_config', 'login_proxy_ldap_config', 'login_proxy_msp_tenants',
      'login_proxy_orgs', 'radius_config', 'saml_acs', 'saml_config', 'saml_sp_config', 'trusted_proxy_ips',
    ],
  },
  { name: 'rule_set', title: 'Rulesets and rules', prefixes: ['rule_set', 'rule_sets', 'sec_rule', 'deny_rule', 'enforcement_boundary', 'ip_tables_rule'] },
  { name: 'sec_policy', title: 'Policy provisioning', prefixes: ['sec_policy', 'sec_policy_pending'] },
  { name: 'label', title: 'Labels', prefixes: ['label', 'labels', 'label_group', 'label_dimension', 'label_mapping_rule'] },
  {
    name: 'policy_object', title: 'Policy objects (IP lists, services, virtual services)',
    prefixes: ['ip_list', 'ip_lists', 'service', 'services', 'service_binding', 'service_bindings', 'virtual_service', 'virtual_services', 'virtual_server', 'domain', 'network', 'group'],
  },
  {
    name: 'network_device', title: 'Network devices and enforcement nodes',
    prefixes: ['network_device', 'network_devices', 'network_endpoint', 'network_enforcement_node', 'network_enforcement_nodes', 'nfc', 'slb', 'secure_connect_gateway'],
  },
  { name: 'pairing_profile', title: 'Pairing profiles', prefixes: ['pairing_profile', 'pairing_profiles'] },
  { name: 'vulnerability', title: 'Vulnerability data', prefixes: ['vulnerability', 'vulnerability_report'] },
  {
    name: 'settings', title: 'PCE, organization and event settings',
    prefixes: ['settings', 'event_settings', 'firewall_settings', 'syslog_destination', 'traffic_collector_setting', 'org', 'license', 'cluster'],
  },
  { name: 'system', title: 'PCE system tasks and maintenance', prefixes: ['system_task', 'database', 'job', 'resource', 'support_report', 'support_report_request', 'support_reports'] },
];

/**
 * Every known current event type. Overrides give the label when deriving it from the name would
 * read badly, and set `alert` for the types a SOC should be told about.
 */
const KNOWN: readonly string[] = `
access_restriction.create access_restriction.delete access_restriction.update
agent.activate agent.activate_clone agent.clone_detected agent.deactivate agent.firewall_config
agent.generate_maintenance_token agent.goodbye agent.machine_identifier agent.refresh_policy
agent.refresh_token agent.reguest_policy agent.request_policy agent.request_upgrade
agent.service_not_available agent.suspend agent.tampering agent.unsuspend agent.update
agent.update_interactive_users agent.update_iptables_href agent.update_running_containers
agent.upgrade_successful agent.upload_existing_ip_table_rules agent.upload_support_report
agent_support_report_request.create agent_support_report_request.delete
agents.clear_conditions agents.unpair
api_key.create api_key.delete api_key.update
auth_security_principal.create auth_security_principal.delete auth_security_principal.update
authentication_settings.update
cluster.create cluster.delete cluster.update
container_cluster.create container_cluster.delete container_cluster.kubernetes_workloads_bulk_create
container_cluster.kubernetes_workloads_bulk_update container_cluster.security_policy_acks
container_cluster.security_policy_applied container_cluster.update container_cluster.update_label_map
container_cluster.update_services container_workload.update
container_workload_profile.create container_workload_profile.delete container_workload_profile.update
database.temp_table_autocleanup_completed database.temp_table_autocleanup_started
deny_rule.create deny_rule.delete deny_rule.update
domain.create domain.delete domain.update
enforcement_boundary.create enforcement_boundary.delete enforcement_boundary.update
event_settings.update firewall_settings.update group.create group.update
ip_list.create ip_list.delete ip_list.update ip_lists.delete
ip_tables_rule.create ip_tables_rule.delete ip_tables_rule.update
job.delete
label.create label.delete label.update
label_dimension.create label_dimension.delete label_dimension.update
label_group.create label_group.delete label_group.update
label_mapping_rule.create label_mapping_rule.delete label_mapping_rule.update
labels.delete
ldap_config.create ldap_config.delete ldap_config.update ldap_config.verify_connection
license.delete license.update
login_proxy_ldap_config.create login_proxy_ldap_config.delete login_proxy_ldap_config.update
login_proxy_ldap_config.verify_connection
login_proxy_msp_tenants.create login_proxy_msp_tenants.delete login_proxy_msp_tenants.update
login_proxy_orgs.create login_proxy_orgs.delete login_proxy_orgs.update
logout_from_jwt lost_agent.found
network.create network.delete network.update
network_device.ack_enforcement_instructions_applied network_device.assign_workload
network_device.create network_device.delete network_device.update
network_devices.ack_multi_enforcement_instructions_applied
network_endpoint.create network_endpoint.delete network_endpoint.update
network_enforcement_node.activate network_enforcement_node.clear_conditions
network_enforcement_node.deactivate network_enforcement_node.degraded
network_enforcement_node.missed_heartbeats network_enforcement_node.missed_heartbeats_check
network_enforcement_node.network_devices_network_endpoints_workloads network_enforcement_node.policy_ack
network_enforcement_node.request_policy network_enforcement_node.update_status
network_enforcement_nodes.clear_conditions
nfc.activate nfc.delete nfc.update_discovered_virtual_servers nfc.update_policy_status nfc.update_slb_state
org.create org.recalc_rules org.update
pairing_profile.create pairing_profile.create_pairing_key pairing_profile.delete
pairing_profile.delete_all_pairing_keys pairing_profile.update pairing_profiles.delete
password_policy.create password_policy.delete password_policy.update
permission.create permission.delete permission.update
radius_config.create radius_config.delete radius_config.update radius_config.verify_shared_secret
request.authentication_failed request.authorization_failed request.internal_server_error
request.service_unavailable request.unknown_server_error
resource.create resource.delete resource.update
rule_set.create rule_set.delete rule_set.update rule_sets.delete
saml_acs.update saml_config.create saml_config.delete saml_config.pce_signing_cert saml_config.update
saml_sp_config.create saml_sp_config.delete saml_sp_config.update
sec_policy.create sec_policy.restore sec_policy_pending.delete
sec_rule.create sec_rule.delete sec_rule.update
secure_connect_gateway.create secure_connect_gateway.delete secure_connect_gateway.update
security_principal.create security_principal.delete security_principal.update security_principals.bulk_create
service.create service.delete service.update
service_account.create service_account.delete service_account.update
service_binding.create service_binding.delete service_bindings.delete services.delete
settings.update
slb.create slb.delete slb.update
support_report.upload support_report_request.create support_report_request.delete support_reports
syslog_destination.create syslog_destination.delete syslog_destination.update
system_task.agent_missed_heartbeats_check system_task.agent_missing_heartbeats_after_upgrade
system_task.agent_offline_check system_task.agent_self_signed_certs_check
system_task.agent_settings_invalidation_error_state_check system_task.agent_uninstall_timeout
system_task.clear_auth_recover_condition system_task.compute_policy_for_unmanaged_workloads
system_task.delete_expired_service_account_api_keys system_task.delete_old_cached_perspectives
system_task.endpoint_offline_check system_task.event_pruning_completed
system_task.expire_service_account_api_keys system_task.hard_limit_recovery_completed
system_task.inactive_ven_cleanup system_task.provision_container_cluster_services
system_task.prune_old_log_events system_task.remove_stale_zone_subsets system_task.set_server_sync_check
system_task.vacuum_deactivated_agent_and_deleted_workloads
traffic_collector_setting.create traffic_collector_setting.delete traffic_collector_setting.update
trusted_proxy_ips.update
user.accept_invitation user.authenticate user.create user.create_session user.delete user.invite
user.login user.login_session_terminated user.logout user.pce_session_terminated user.reset_password
user.sign_in user.sign_out user.update user.update_password user.use_expired_password user.verify_mfa
user_local_profile.create user_local_profile.delete user_local_profile.reinvite user_local_profile.update_password
users.auth_token
ven_settings.update ven_software.upgrade
ven_software_release.create ven_software_release.delete ven_software_release.deploy ven_software_release.update
ven_software_releases.set_default_version
virtual_server.create virtual_server.delete virtual_server.update
virtual_service.create virtual_service.delete virtual_service.update
virtual_services.bulk_create virtual_services.bulk_update
vulnerability.create vulnerability.delete vulnerability.update
vulnerability_report.delete vulnerability_report.update
workload.create workload.delete workload.online workload.recalc_rules workload.redetect_network
workload.soft_delete workload.undelete workload.update workload.upgrade
workload_interface.create workload_interface.delete workload_interface.update workload_interfaces.update
workload_service_report.update workload_settings.update
workloads.apply_policy workloads.bulk_create workloads.bulk_delete workloads.bulk_update
workloads.remove_labels workloads.set_flow_reporting_frequency workloads.set_labels workloads.unpair workloads.update
`.split(/\s+/).filter(Boolean);

const LABELS: Readonly<Record<string, string>> = {
  'agent.activate': 'VEN paired',
  'agent.activate_clone': 'VEN clone activated',
  'agent.clone_detected': 'VEN clone detected',
  'agent.deactivate': 'VEN unpaired',
  'agent.firewall_config': 'VEN firewall configuration changed',
  'agent.generate_maintenance_token': 'VEN maintenance token generated',
  'agent.goodbye': 'VEN disconnected',
  'agent.refresh_policy': 'VEN applied policy',
  'agent.reguest_policy': 'VEN requested policy (name as misspelt in Illumio\'s list)',
  'agent.request_policy': 'VEN requested policy',
  'agent.service_not_available': 'VEN reported a service not running',
  'agent.suspend': 'VEN suspended',
  'agent.tampering': 'VEN firewall tampered',
  'agent.unsuspend': 'VEN unsuspended',
  'agent.update': 'VEN properties updated',
  'agent.upgrade_successful': 'VEN upgraded',
  'agents.unpair': 'Multiple VENs unpaired',
  'agents.clear_conditions': 'Conditions cleared from VENs',
  'lost_agent.found': 'Lost VEN found',
  'logout_from_jwt': 'User logged out (JWT)',
  'request.authentication_failed': 'API request failed authentication',
  'request.authorization_failed': 'API request failed authorization',
  'request.internal_server_error': 'PCE internal server error',
  'request.service_unavailable': 'PCE service unavailable',
  'request.unknown_server_error': 'PCE unknown server error',
  'sec_policy.create': 'Policy provisioned',
  'sec_policy.restore': 'Policy restored',
  'sec_policy_pending.delete': 'Pending policy reverted',
  'support_reports': 'Support reports listed',
  'system_task.agent_offline_check': 'VENs marked offline',
  'system_task.agent_missed_heartbeats_check': 'VENs missed heartbeats',
  'user.authenticate': 'User authenticated',
  'user.create_session': 'User session created',
  'user.login': 'User logged in',
  'user.logout': 'User logged out',
  'user.sign_in': 'User signed in',
  'user.sign_out': 'User signed out',
  'user.use_expired_password': 'User used an expired password',
  'user.verify_mfa': 'User verified MFA',
  'users.auth_token': 'User authentication token issued',
  'workload.online': 'Workload came online',
  'workload.soft_delete': 'Workload soft-deleted',
};

const ALERT_WORTHY: ReadonlySet<string> = new Set([
  'agent.tampering', 'agent.clone_detected', 'agent.activate_clone', 'agent.suspend', 'agent.deactivate',
  'agent.service_not_available', 'agent.generate_maintenance_token', 'agents.unpair', 'workloads.unpair',
  'lost_agent.found', 'system_task.agent_offline_check',
  'api_key.create', 'api_key.delete', 'service_account.create', 'service_account.delete',
  'request.authentication_failed', 'request.authorization_failed', 'request.internal_server_error',
  'request.service_unavailable', 'request.unknown_server_error', 'user.use_expired_password',
  'sec_policy.create', 'sec_policy.restore',
  'authentication_settings.update', 'password_policy.update', 'password_policy.delete',
  'saml_config.create', 'saml_config.update', 'saml_config.delete',
  'ldap_config.create', 'ldap_config.update', 'ldap_config.delete',
  'permission.create', 'auth_security_principal.create', 'access_restriction.delete', 'trusted_proxy_ips.update',
  'event_settings.update', 'syslog_destination.update', 'syslog_destination.delete', 'firewall_settings.update',
]);

/**
 * Attempts to prove an identity (CIM Authentication: action success or failure). Session ends
 * (logout, sign-out, terminated sessions) and token refreshes are not: counted there, every
 * logout would read as one more successful login.
 */
const AUTHENTICATION: ReadonlySet<string> = new Set([
  'user.login', 'user.sign_in', 'user.authenticate', 'user.verify_mfa',
  'user.create_session', 'user.use_expired_password', 'request.authentication_failed',
]);

/** Ends of a session and token issuance: neither an authentication attempt nor a change. */
const SESSION: ReadonlySet<string> = new Set([
  'user.logout', 'user.sign_out', 'user.login_session_terminated', 'user.pce_session_terminated', 'users.auth_token', 'logout_from_jwt',
]);

/** Things the VEN or the PCE reports about itself that a SOC treats as alerts (CIM Alerts). */
const ALERTS: ReadonlySet<string> = new Set(['agent.tampering', 'agent.clone_detected', 'agent.service_not_available']);

/**
 * Verbs that are state reports, heartbeats or housekeeping rather than a change somebody made;
 * everything else in an admin-facing family is a CIM Change.
 */
const NOT_A_CHANGE = /^(goodbye|refresh_token|refresh_policy|reguest_policy|request_policy|request_upgrade|machine_identifier|update_interactive_users|update_iptables_href|update_running_containers|upload_existing_ip_table_rules|upload_support_report|upgrade_successful|online|redetect_network|recalc_rules|policy_ack|update_status|degraded|missed_heartbeats|missed_heartbeats_check|security_policy_acks|security_policy_applied|ack_enforcement_instructions_applied|ack_multi_enforcement_instructions_applied|network_devices_network_endpoints_workloads|update_discovered_virtual_servers|update_policy_status|update_slb_state|verify_connection|verify_shared_secret|found)$/;

/**
 * Resources that are accounts (CIM Change, Account_Management: object_category=user, the model's
 * constraint nulls object_category=user without the account tag and vice versa).
 */
const ACCOUNT_RESOURCES = new Set(['user', 'users', 'user_local_profile', 'security_principal', 'security_principals', 'auth_security_principal', 'service_account']);
/** Families whose changes alter network policy (CIM Change, Network_Changes). */
const NETWORK_FAMILIES = new Set(['rule_set', 'sec_policy', 'policy_object']);
/** Families whose changes are to managed hosts (CIM Change, Endpoint_Changes). */
const ENDPOINT_FAMILIES = new Set(['agent', 'workload', 'container']);
/** Settings that decide what the PCE records and forwards (CIM Change, Auditing_Changes). */
const AUDIT_SETTINGS = new Set(['event_settings.update', 'syslog_destination.create', 'syslog_destination.update', 'syslog_destination.delete']);

const PAST: Readonly<Record<string, string>> = {
  create: 'created', delete: 'deleted', update: 'updated', activate: 'activated', deactivate: 'deactivated',
  upgrade: 'upgraded', undelete: 'restored', deploy: 'deployed', invite: 'invited', reinvite: 're-invited',
  accept_invitation: 'accepted an invitation', reset_password: 'password reset', update_password: 'password updated',
  unpair: 'unpaired', upload: 'uploaded', restore: 'restored', bulk_create: 'created in bulk',
  bulk_update: 'updated in bulk', bulk_delete: 'deleted in bulk', apply_policy: 'policy applied',
};

function humanize(s: string): string {
  return s.replace(/_/g, ' ');
}

function deriveLabel(name: string): string {
  const dot = name.indexOf('.');
  const resource = dot < 0 ? name : name.slice(0, dot);
  const verb = dot < 0 ? '' : name.slice(dot + 1);
  const subject = humanize(resource.replace(/^ven_/, 'VEN_').replace(/^pce_/, 'PCE_'));
  const text = verb ? `${subject} ${PAST[verb] ?? humanize(verb)}` : subject;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function prefixOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

const FAMILY_BY_PREFIX = new Map<string, string>();
for (const f of ILLUMIO_FAMILIES) for (const p of f.prefixes) FAMILY_BY_PREFIX.set(p, f.name);

/** The family of any event type, known or not; undefined when its resource is new to us. */
export function familyOf(name: string): string | undefined {
  const current = ILLUMIO_RENAMES.find((r) => r.legacy === name)?.current ?? name;
  return FAMILY_BY_PREFIX.get(prefixOf(current));
}

function cimOf(name: string, family: string): CimModel | null {
  if (AUTHENTICATION.has(name)) return 'Authentication';
  if (SESSION.has(name)) return null;
  if (ALERTS.has(name)) return 'Alerts';
  const verb = name.includes('.') ? name.slice(name.indexOf('.') + 1) : '';
  if (family === 'system' || family === 'request' || verb === '' || NOT_A_CHANGE.test(verb)) return null;
  return 'Change';
}

function changeTypeOf(name: string, family: string, cim: CimModel | null): ChangeType | null {
  if (cim !== 'Change') return null;
  if (ACCOUNT_RESOURCES.has(prefixOf(name))) return 'AAA';
  if (AUDIT_SETTINGS.has(name)) return 'audit';
  if (NETWORK_FAMILIES.has(family)) return 'network';
  if (ENDPOINT_FAMILIES.has(family)) return 'endpoint';
  return 'configuration';
}

const CHANGE_TAG: Record<ChangeType, string | null> = { AAA: 'account', network: 'network', endpoint: 'endpoint', audit: 'audit', configuration: null };

function tagsOf(cim: CimModel | null, changeType: ChangeType | null): string[] {
  if (cim === 'Authentication') return ['authentication'];
  if (cim === 'Alerts') return ['alert'];
  if (cim !== 'Change') return [];
  const extra = changeType ? CHANGE_TAG[changeType] : null;
  return extra ? ['change', extra] : ['change'];
}

function actionClassOf(name: string, cim: CimModel | null): ActionClass {
  if (name === 'request.authentication_failed') return 'authentication_failed';
  if (cim === 'Authentication') return 'authentication';
  const verb = name.includes('.') ? name.slice(name.indexOf('.') + 1) : '';
  if (/(?:^|_)create$|^invite$|^undelete$/.test(verb)) return 'created';
  if (/(?:^|_)(?:delete|unpair)$/.test(verb)) return 'deleted';
  return 'modified';
}

function build(): IllumioEventType[] {
  return KNOWN.map((name) => {
    const family = familyOf(name);
    if (!family) throw new Error(`Illumio catalog: no family for "${name}"; add its prefix to ILLUMIO_FAMILIES.`);
    const cim = cimOf(name, family);
    const changeType = changeTypeOf(name, family, cim);
    return {
      name,
      family,
      label: LABELS[name] ?? deriveLabel(name),
      cim,
      tags: tagsOf(cim, changeType),
      changeType,
      objectCategory: ACCOUNT_RESOURCES.has(prefixOf(name)) ? 'user' : prefixOf(name),
      actionClass: actionClassOf(name, cim),
      alert: ALERT_WORTHY.has(name),
      legacy: ILLUMIO_RENAMES.filter((r) => r.current === name).map((r) => r.legacy),
    };
  });
}

export const ILLUMIO_EVENT_TYPES: readonly IllumioEventType[] = build();

export function eventTypeByName(name: string): IllumioEventType | undefined {
  return ILLUMIO_EVENT_TYPES.find((t) => t.name === name);
}

