import {
  eventTypeByName,
  familyOf,
  ILLUMIO_EVENT_TYPES,
  ILLUMIO_FAMILIES,
  ILLUMIO_RENAMES,
} from '../../src/sources/illumio/catalog';
import { illumioReferenceEventTypes } from '../../src/sources/illumio/reference-facts';

// The reference list of Illumio event types (illumio-event-types.tsv, kept as src/sources/illumio/facts/event-types.json).
const reference = illumioReferenceEventTypes();

describe('Illumio event catalog', () => {
  it('covers every event type in the reference list', () => {
    expect(Object.keys(reference).length).toBeGreaterThan(250);
    const missing = Object.keys(reference).filter((name) => !eventTypeByName(name));
    expect(missing).toEqual([]);
  });

  it('holds each type once, with a family that exists, a label, and tags that fit its CIM model', () => {
    const names = ILLUMIO_EVENT_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const families = new Set(ILLUMIO_FAMILIES.map((f) => f.name));
    const tagsByModel: Record<string, string> = { Authentication: 'authentication', Change: 'change', Alerts: 'alert' };
    for (const t of ILLUMIO_EVENT_TYPES) {
      expect({ name: t.name, family: families.has(t.family) }).toEqual({ name: t.name, family: true });
      expect(t.label.trim()).not.toBe('');
      if (t.cim) expect(t.tags[0]).toBe(tagsByModel[t.cim]);
      else expect(t.tags).toEqual([]);
      // change_type and tags come from one decision; account exactly where the object is a user.
      expect({ name: t.name, account: t.tags.includes('account') }).toEqual({ name: t.name, account: t.cim === 'Change' && t.objectCategory === 'user' });
      expect({ name: t.name, aaa: t.changeType === 'AAA' }).toEqual({ name: t.name, aaa: t.tags.includes('account') });
      if (t.cim !== 'Change') expect(t.objectCategory === 'user' && t.tags.includes('change')).toBe(false);
    }
  });

  it('gives every family at least one type and no prefix to two families', () => {
    const prefixes = ILLUMIO_FAMILIES.flatMap((f) => f.prefixes);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const f of ILLUMIO_FAMILIES) {
      expect(f.name).toMatch(/^[a-z_]+$/);
      expect({ family: f.name, types: ILLUMIO_EVENT_TYPES.some((t) => t.family === f.name) }).toEqual({ family: f.name, types: true });
    }
  });

  it('maps the CIM models the way a SOC expects for well-known types', () => {
    expect(eventTypeByName('user.login')).toMatchObject({ family: 'user', cim: 'Authentication', tags: ['authentication'] });
    expect(eventTypeByName('request.authentication_failed')).toMatchObject({ family: 'request', cim: 'Authentication', alert: true });
    expect(eventTypeByName('agent.tampering')).toMatchObject({ family: 'agent', cim: 'Alerts', tags: ['alert'], alert: true });
    expect(eventTypeByName('rule_set.update')).toMatchObject({ family: 'rule_set', cim: 'Change', tags: ['change', 'network'] });
    // API keys are no accounts (object_category=user is what the CIM account tag requires).
    expect(eventTypeByName('api_key.create')).toMatchObject({ family: 'api_key', tags: ['change'], objectCategory: 'api_key', alert: true });
    expect(eventTypeByName('security_principal.create')).toMatchObject({ tags: ['change', 'account'], changeType: 'AAA', objectCategory: 'user' });
    expect(eventTypeByName('user.create')).toMatchObject({ tags: ['change', 'account'], changeType: 'AAA', objectCategory: 'user' });
    expect(eventTypeByName('rule_set.update')).toMatchObject({ changeType: 'network', objectCategory: 'rule_set' });
    expect(eventTypeByName('agent.activate')).toMatchObject({ family: 'agent', tags: ['change', 'endpoint'] });
    expect(eventTypeByName('syslog_destination.delete')?.tags).toContain('audit');
    expect(eventTypeByName('agent.goodbye')).toMatchObject({ cim: null, tags: [] });
    expect(eventTypeByName('system_task.prune_old_log_events')).toMatchObject({ family: 'system', cim: null });
  });
});

describe('18.2 renames', () => {
  it('are the five names of Illumio\'s table, each pointing at a current type that lists it as legacy', () => {
    expect(ILLUMIO_RENAMES.map((r) => [r.legacy, r.current, r.status])).toEqual([
      ['fw_config_change', 'agent.firewall_config', null],
      ['activation_success', 'agent.activate', 'success'],
      ['activation_failure', 'agent.activate', 'failure'],
      ['deactivation_success', 'agent.deactivate', 'success'],
      ['deactivation_failure', 'agent.deactivate', 'failure'],
    ]);
    for (const r of ILLUMIO_RENAMES) {
      expect(eventTypeByName(r.current)?.legacy).toContain(r.legacy);
      expect(eventTypeByName(r.legacy)).toBeUndefined();
      expect(familyOf(r.legacy)).toBe('agent');
    }
  });
});
