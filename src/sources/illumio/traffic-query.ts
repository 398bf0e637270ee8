/**
 * The settings of the `illumio_pce_traffic` input as an Explorer async query body. Browser-safe
 * (no Node imports): the input's description checks each setting with these same functions, so
 * the configuration page, `--validate-arguments` and the collector refuse the same values.
 */
import { ConfigError } from '../../core/errors';

export const FLOW_SOURCETYPE = 'illumio:pce:flow';
/** Documented ceiling of max_results for async traffic queries (REST API guide 25.2, Explorer). */
export const TRAFFIC_MAX_RESULTS = 200_000;
export const POLICY_DECISIONS = ['allowed', 'potentially_blocked', 'blocked', 'unknown'] as const;
export type PolicyDecision = (typeof POLICY_DECISIONS)[number];

export interface TrafficConfig {
  pce_url: string;
  org_id: number;
  api_key_id: string;
  api_secret: string;
  start_date?: string;
  /** Default blocked + potentially_blocked: what a SOC alerts on; allowed is the bulk. */
  policy_decisions?: string[];
  /** Each entry is one alternative; `+` joins hrefs that must all match (label AND label). */
  src_include?: string[];
  src_exclude?: string[];
  dst_include?: string[];
  dst_exclude?: string[];
  /** `443/tcp`, `53/udp`, `8000-8080/tcp`, `135` (any protocol), or a service href. */
  exclude_services?: string[];
  max_results?: number;
  /** Seconds re-read before the checkpoint. */
  overlap?: number;
  /** Seconds behind now the window ends. */
  lag?: number;
  /** Seconds per query window. */
  window?: number;
}

type Actor = Record<string, { href: string }> | { ip_address: string };

/** An href, or an IPv4 address/CIDR, as an Explorer actor. */
function actor(entry: string, setting: string): Actor {
  const e = entry.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(e)) return { ip_address: e };
  // ASSUMPTION: the guide names labels, workloads and IP addresses "identified by their HREF"
  // and shows {"workload":{"href":…}}; the other kinds follow the same pattern.
  const kinds: [RegExp, string][] = [
    [/^\/orgs\/\d+\/labels\/[\w-]+$/, 'label'],
    [/^\/orgs\/\d+\/label_groups\/[\w-]+$|^\/orgs\/\d+\/sec_policy\/(draft|active)\/label_groups\/[\w-]+$/, 'label_group'],
    [/^\/orgs\/\d+\/workloads\/[\w-]+$/, 'workload'],
    [/^\/orgs\/\d+\/sec_policy\/(draft|active)\/ip_lists\/[\w-]+$/, 'ip_list'],
  ];
  for (const [re, kind] of kinds) if (re.test(e)) return { [kind]: { href: e } };
  throw new ConfigError(`${setting}: "${e.slice(0, 80)}" is not a label, label group, workload or IP list href (like /orgs/1/labels/7) or an IPv4 address.`, setting);
}

function side(include: string[] | undefined, exclude: string[] | undefined, names: [string, string]): { include: Actor[][]; exclude: Actor[] } {
  const inc = (include ?? []).filter((s) => s.trim()).map((alt) => alt.split('+').map((h) => actor(h, names[0])));
  // The guide's example sends [[]] for "any" destinations.
  return { include: inc.length ? inc : [[]], exclude: (exclude ?? []).filter((s) => s.trim()).map((h) => actor(h, names[1])) };
}

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

export function parseService(entry: string): Record<string, unknown> {
  const e = entry.trim();
  if (/^\/orgs\/\d+\/sec_policy\/(draft|active)\/services\/[\w-]+$/.test(e)) return { href: e };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|\d{1,3}))?$/i.exec(e);
  if (m) {
    const port = Number(m[1]);
    const to = m[2] === undefined ? undefined : Number(m[2]);
    if (port <= 65535 && (to === undefined || (to >= port && to <= 65535))) {
      const proto = m[3] === undefined ? undefined : PROTOS[m[3].toLowerCase()] ?? Number(m[3]);
      return { port, ...(to !== undefined ? { to_port: to } : {}), ...(proto !== undefined ? { proto } : {}) };
    }
  }
  const p = /^(tcp|udp|icmp|icmpv6)$/i.exec(e);
  if (p) return { proto: PROTOS[p[1].toLowerCase()] };
  throw new ConfigError(`exclude_services: "${e.slice(0, 60)}" is not a port (443, 443/tcp, 8000-8080/udp), a protocol (icmp) or a service href (/orgs/1/sec_policy/active/services/7).`, 'exclude_services');
}

/** Checks and normalises the settings; every problem is a ConfigError naming the setting. */
export function trafficQueryTemplate(c: TrafficConfig): Record<string, unknown> {
  const pds = (c.policy_decisions?.length ? c.policy_decisions : ['blocked', 'potentially_blocked']).map((d) => d.trim());
  const bad = pds.find((d) => !(POLICY_DECISIONS as readonly string[]).includes(d));
  if (bad !== undefined) throw new ConfigError(`policy_decisions: "${bad.slice(0, 40)}" is not one of ${POLICY_DECISIONS.join(', ')}.`, 'policy_decisions');
  const max = c.max_results ?? TRAFFIC_MAX_RESULTS;
  if (!Number.isInteger(max) || max < 1 || max > TRAFFIC_MAX_RESULTS) throw new ConfigError(`max_results must be a whole number from 1 to ${TRAFFIC_MAX_RESULTS} (the PCE's limit for async traffic queries).`, 'max_results');
  return {
    sources: side(c.src_include, c.src_exclude, ['src_include', 'src_exclude']),
    destinations: side(c.dst_include, c.dst_exclude, ['dst_include', 'dst_exclude']),
    services: { include: [], exclude: (c.exclude_services ?? []).filter((s) => s.trim()).map(parseService) },
    sources_destinations_query_op: 'and',
    policy_decisions: [...new Set(pds)],
    max_results: max,
  };
}

/** A description check: the ConfigError's message without its `setting:` prefix, or undefined. */
function messageOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.message.replace(/^[a-z_]+: /, '');
    throw e;
  }
}

const entries = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : String(v).split(','));

/** Check for src_include/dst_include (entries may join hrefs with `+`) and the *_exclude lists. */
export const actorsCheck = (setting: string, joined: boolean) => (v: unknown): string | undefined =>
  messageOf(() => entries(v).forEach((alt) => (joined ? alt.split('+') : [alt]).forEach((h) => actor(h, setting))));

export const servicesCheck = (v: unknown): string | undefined => messageOf(() => entries(v).forEach(parseService));
