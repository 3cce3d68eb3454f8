// Which actors a message has read and written so far, for the FVM's charges of first access
// (ref-fvm call_manager/state_access_tracker.rs): the first read of an actor costs an actor
// lookup, its first write an actor update; later ones are free. Preloaded system actors are free.
// A send that fails forgets what it accessed (DefaultCallManager::with_transaction rolls the
// tracker back with the state), so those accesses are charged again.
import { ACTOR_LOOKUP, ACTOR_UPDATE, PRELOADED_ACTORS } from './price-list.js';

/** Preloaded actors count as updated from the start, for every message. */
const PRELOADED = new Set(PRELOADED_ACTORS);

type Access = 'read' | 'updated';

export class StateAccess {
  /** The other actors touched so far. */
  private readonly actors = new Map<number, Access>();
  /** Each change to `actors`: the actor and what it had before, for rolling back. */
  private readonly history: [number, Access | undefined][] = [];

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
    this.set(id, 'read');
    return ACTOR_LOOKUP;
  }

  /** Gas to write actor `id` (set_actor): a lookup if it was never read, an update if never written. */
  write(id: number): number {
    if (PRELOADED.has(id)) return 0;
    const access = this.actors.get(id);
    if (access === 'updated') return 0;
    this.set(id, 'updated');
    return (access === undefined ? ACTOR_LOOKUP : 0) + ACTOR_UPDATE;
  }

  /** Actor `id` was just created, its lookup and update charged with its creation (create_actor, create_actor_from_send). */
  created(id: number): void {
    if (this.actors.get(id) !== 'updated') this.set(id, 'updated');
  }

  /** Where a send starts (begin_transaction). */
  mark(): number {
    return this.history.length;
  }

  /** The send that started at `mark` failed: its accesses are forgotten (end_transaction(revert)). */
  revertTo(mark: number): void {
    while (this.history.length > mark) {
      const [id, before] = this.history.pop()!;
      if (before === undefined) this.actors.delete(id);
      else this.actors.set(id, before);
    }
  }

  private set(id: number, access: Access): void {
    this.history.push([id, this.actors.get(id)]);
    this.actors.set(id, access);
  }
}
