// call_actor_id (0xfe00…05): call_actor with the receiver named by a uint64 actor ID in the last
// word (inline, not an offset). Everything else is call_actor's (fe00-03-call-actor.ts).
import { callActorShared } from './fe00-03-call-actor.js';
import type { PrecompileRuntime } from './runtime.js';

export function callActorId(input: Uint8Array, runtime: PrecompileRuntime): Promise<Uint8Array> {
  return callActorShared(input, runtime, true);
}
