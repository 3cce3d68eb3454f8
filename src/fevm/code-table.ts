// The chain's actor code CIDs: which code CID names each actor kind, and back. One table per chain:
// a fresh devnet's is its own manifest's (identity CIDs, fevm/manifest.ts); a fork's is the
// upstream's manifest at the fork point (calibnet's Wasm bundle CIDs on a fork of calibnet), so that
// every Code the node shows, and every code CID a message names (Init's Exec), is the upstream's.
// It reaches the actors through the execution context (ExecutionContext.codes).
import type { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import { ACTOR_KINDS, codeCid, type ActorKind } from './actor.js';
import { actorsManifest } from './manifest.js';

export class CodeTable {
  private readonly byName: ReadonlyMap<string, CID>;
  private readonly byCode: ReadonlyMap<string, string>;

  /** `entries`: the manifest's [name, code CID] pairs, which may name kinds the devnet does not model (an actor newer than its own). */
  constructor(
    readonly manifestCid: CID,
    entries: readonly (readonly [string, CID])[],
  ) {
    this.byName = new Map(entries);
    this.byCode = new Map(entries.map(([name, code]) => [code.toString(), name]));
  }

  /** The code CID of an actor kind; an error for a kind the manifest does not name (an upstream's from before actors v10 has no EVM). */
  codeOf(kind: ActorKind): CID {
    const code = this.byName.get(kind);
    if (!code) throw new DevnetError(`the actors manifest ${this.manifestCid.toString()} names no ${kind} actor`);
    return code;
  }

  /** The manifest name a code CID has (a kind the devnet may not model), or undefined for a code not in the manifest. */
  nameOf(code: CID | string): string | undefined {
    return this.byCode.get(code.toString());
  }

  /** The actor kind a code CID names, or undefined for a code not in the manifest or of a kind the devnet does not model. */
  kindOf(code: CID | string): ActorKind | undefined {
    const name = this.nameOf(code);
    return name !== undefined && (ACTOR_KINDS as readonly string[]).includes(name) ? (name as ActorKind) : undefined;
  }

  /** The manifest's entries, every name it lists (StateActorCodeCIDs). */
  entries(): [string, CID][] {
    return [...this.byName];
  }
}

let devnetCodes: CodeTable | undefined;

/** A fresh devnet's table: its own manifest's identity CIDs. Built on first use, as the manifest is. */
export function devnetCodeTable(): CodeTable {
  devnetCodes ??= new CodeTable(actorsManifest().cid, ACTOR_KINDS.map((kind) => [kind, codeCid(kind)]));
  return devnetCodes;
}

/** The table an execution runs with: its context's, or a fresh devnet's where the context names none. */
export const codesOf = (ctx: { codes?: CodeTable }): CodeTable => ctx.codes ?? devnetCodeTable();
