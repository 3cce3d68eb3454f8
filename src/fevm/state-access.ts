// Which actors a message has read and written so far, for the FVM's charges of first access
// (ref-fvm call_manager/state_access_tracker.rs): the first read of an actor costs an actor
// lookup, its first write an actor update; later ones are free. Preloaded system actors are free.
import { ACTOR_LOOKUP, ACTOR_UPDATE, PRELOADED_ACTORS } from './price-list.js';

/** Preloaded actors count as updated from the start, for every message. */
const PRELOADED = new Set(PRELOADED_ACTORS);

export class StateAccess {
  /** The other actors touched so far. */
  private readonly actors = new Map<number, 'read' | 'updated'>();

  /**
   * A message's tracker. Its sender was updated at inclusion (charged there) and its receiver is
   * looked up ahead of time, so neither costs again (ref-fvm DefaultCallManager::new).
   */
  static forMessage(senderId: number, receiverId: number | undefined): StateAccess {
    const access = new StateAccess();
    access.actors.set(senderId, 'updated');
    if (receiverId !== undefined && !PRELOADED.has(receiverId) && !access.actors.has(receiverId)) access.actors.set(receiverId, 'read');
    return access;
  }

  /** Gas to read actor `id` (get_actor). */
  read(id: number): number {
    if (PRELOADED.has(id) || this.actors.has(id)) return 0;
    this.actors.set(id, 'read');
    return ACTOR_LOOKUP;
  }

  /** Gas to write actor `id` (set_actor): a lookup if it was never read, an update if never written. */
  write(id: number): number {
    if (PRELOADED.has(id)) return 0;
    const access = this.actors.get(id);
    if (access === 'updated') return 0;
    this.actors.set(id, 'updated');
    return (access === undefined ? ACTOR_LOOKUP : 0) + ACTOR_UPDATE;
  }
}
