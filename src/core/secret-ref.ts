/**
 * A secret argument may hold, instead of `********` (stored under the input's own realm), a
 * reference `********from:<realm>`: "use the secret stored under <realm>, same username, and
 * take it over". The configuration page writes references so that the browser never reads a
 * stored secret (storage/passwords answers every read with clear_password):
 *  - a secret typed on the page is staged under a realm of its own,
 *    `ta_zerotrust_events_pending://<epoch ms>_<random>`, and the input is saved referring to it;
 *    if splunkd refuses the save, the page deletes the staged secret and the input's stored one
 *    was never touched, so there is nothing to put back;
 *  - clone and "Test connection" with a kept secret refer to the source input's realm.
 * Validation (--validate-arguments) resolves a reference read-only; the input's first run copies
 * the secret into its own realm, writes `********` in inputs.conf and deletes a staged secret.
 * Only staged realms and other inputs of the same scheme may be referred to, never the proxy's
 * or another app's realm. Browser-safe: no Node imports.
 */
import { MASK } from './description';

export const REF_PREFIX = `${MASK}from:`;
export const PENDING_PREFIX = 'ta_zerotrust_events_pending://';

export const secretRef = (realm: string): string => `${REF_PREFIX}${realm}`;

/**
 * What the page writes over a credential it wants gone. It cannot DELETE one: splunkd answers a
 * DELETE of storage/passwords/<name> with the remaining collection, every other credential's
 * clear_password included. The inputs read a tombstone as "no secret" and delete it (with
 * splunkd's session key) when they next list storage/passwords.
 */
export const TOMBSTONE = 'ta_zerotrust_events:deleted';

export function parseSecretRef(value: string | undefined): string | undefined {
  return value !== undefined && value.startsWith(REF_PREFIX) && value.length > REF_PREFIX.length ? value.slice(REF_PREFIX.length) : undefined;
}

/** A value that stands for a stored secret: `********` or a reference. */
export const isStoredMarker = (value: string | undefined): boolean => value === MASK || parseSecretRef(value) !== undefined;

export function pendingRealm(now = Date.now(), random = Math.random().toString(36).slice(2, 10)): string {
  return `${PENDING_PREFIX}${now}_${random}`;
}

export const isPendingRealm = (realm: string): boolean => realm.startsWith(PENDING_PREFIX);

/** Why `stanza` (`<scheme>://<name>`) may not take over the secret of `realm`, or undefined. */
export function refRefusal(scheme: string, stanza: string, realm: string): string | undefined {
  if (isPendingRealm(realm)) return /^\d+_[a-z0-9]+$/.test(realm.slice(PENDING_PREFIX.length)) ? undefined : `${realm} is not a realm the configuration page stages secrets under`;
  if (!realm.startsWith(`${scheme}://`) || realm.length === scheme.length + 3) return `only a secret staged by the configuration page or one of another ${scheme} input can be taken over, not one of ${realm}`;
  if (realm === stanza) return 'an input cannot take over its own secret';
  return undefined;
}
