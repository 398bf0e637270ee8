/**
 * A vendor's eventtype as the knowledge generator writes it to eventtypes.conf and tags.conf.
 * The search must be a plain search (no pipe, no subsearch: eventtypes.conf.spec).
 */
export interface EventTypeDefinition {
  name: string;
  description: string;
  search: string;
  /** CIM tags enabled for `eventtype=<name>` in tags.conf. */
  tags: readonly string[];
  /**
   * eventtypes.conf priority, 1 (first) to 10; default 5. Catch-all and roll-up eventtypes take a
   * low priority (9) so the specific one comes first in an event's eventtype list.
   */
  priority?: number;
}
