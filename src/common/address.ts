// Filecoin addresses (f0 ID, f1 secp256k1, f2 actor, f3 BLS, f4 delegated) in their binary and
// string forms, and their Ethereum views: f410 <-> 0x, and masked ID addresses 0xff00…<id>.
import { base32 } from 'multiformats/bases/base32';
import { varint } from 'multiformats';
import { blake2b32 } from './hashes.js';
import { bytesToHex, concatBytes, equalBytes } from './hex.js';
import { InvalidAddressError } from './errors.js';

export enum Protocol {
  ID = 0,
  Secp256k1 = 1,
  Actor = 2,
  BLS = 3,
  Delegated = 4,
}

type Network = 'f' | 't';

/** The Ethereum Address Manager's namespace: f410… addresses hold a 20-byte Ethereum address. */
export const EAM_NAMESPACE = 10;
const MAX_SUBADDRESS_LENGTH = 54;
const PAYLOAD_LENGTHS: Record<number, number> = { [Protocol.Secp256k1]: 20, [Protocol.Actor]: 20, [Protocol.BLS]: 48 };
const MASKED_ID_PREFIX = new Uint8Array([0xff, ...new Array<number>(11).fill(0)]);
const EAM_NAMESPACE_VARINT = new Uint8Array([EAM_NAMESPACE]);

function encodeVarint(n: number): Uint8Array {
  return varint.encodeTo(n, new Uint8Array(varint.encodingLength(n)));
}

/** How many addresses `fromEthAddress` keeps (a power of two): one per slot, the newest. */
const MADE_SLOTS = 1024;

/**
 * The addresses `fromEthAddress` made lately, by their bytes: a slot per address, picked from its
 * last two bytes and its first (which tell apart the IDs of masked ID addresses, the precompiles'
 * 0x00… and 0xfe00… ranges, and random ones), a newer address replacing an older one there. By bytes,
 * not by array: a call's or transaction's addresses come in new arrays from each request, and an
 * entry by array (a weak map's set is a call into V8's runtime, its entries extra work for the
 * collector) served only the EVM's own, which are found here as well.
 */
class RecentlyMade {
  /** A copy of the bytes each slot's address was made of. */
  private readonly eths: (Uint8Array | undefined)[] = new Array(MADE_SLOTS).fill(undefined);
  private readonly addresses: (FilAddress | undefined)[] = new Array(MADE_SLOTS).fill(undefined);

  get(eth: Uint8Array): FilAddress | undefined {
    const slot = slotOf(eth);
    const made = this.eths[slot];
    return made !== undefined && equalBytes(made, eth) ? this.addresses[slot] : undefined;
  }

  set(eth: Uint8Array, address: FilAddress): void {
    const slot = slotOf(eth);
    this.eths[slot] = eth.slice();
    this.addresses[slot] = address;
  }
}

function slotOf(eth: Uint8Array): number {
  return ((eth[18]! << 8) ^ eth[19]! ^ (eth[0]! << 2)) & (MADE_SLOTS - 1);
}

const fromEthAddressMade = new RecentlyMade();

/** Decodes an unsigned LEB128 at `offset`; it must be minimal and fit a safe integer. */
function decodeVarint(bytes: Uint8Array, offset: number): [number, number] {
  let decoded: [number, number];
  try {
    decoded = varint.decode(bytes, offset);
  } catch {
    throw new InvalidAddressError('invalid varint');
  }
  const [value, length] = decoded;
  if (!Number.isSafeInteger(value) || length === 0 || offset + length > bytes.length) {
    throw new InvalidAddressError('invalid varint');
  }
  // Reject non-minimal encodings (a trailing 0x00 continuation) so that each address has one form.
  if (length > 1 && bytes[offset + length - 1] === 0) throw new InvalidAddressError('non-minimal varint');
  return [value, length];
}

export class FilAddress {
  // Made on first use: the EVM resolves the same addresses many times per call.
  #id: number | undefined;
  /**
   * Set when an f410 address is made (withEthAddress), not on its first read: a read that had to
   * decode it ran in optimized code that had never seen that branch, and deoptimized it (invokeEvm,
   * through ethAddressOf, at the first call to each contract whose address it had not read yet).
   */
  #ethAddress: Uint8Array | undefined;

  private constructor(
    readonly protocol: Protocol,
    /** Everything after the protocol byte. */
    readonly payload: Uint8Array,
  ) {}

  static fromId(id: number): FilAddress {
    if (!Number.isSafeInteger(id) || id < 0) throw new InvalidAddressError(`invalid actor id ${id}`);
    return new FilAddress(Protocol.ID, encodeVarint(id));
  }

  /**
   * An f4 address. An f410 whose payload is a masked ID address is well formed (go-address parses it;
   * the FVM makes a placeholder of a send to it), but it is no Ethereum address: `ethAddress` is undefined.
   */
  static fromDelegated(namespace: number, subaddress: Uint8Array): FilAddress {
    if (subaddress.length > MAX_SUBADDRESS_LENGTH) throw new InvalidAddressError('subaddress too long');
    return FilAddress.withEthAddress(new FilAddress(Protocol.Delegated, concatBytes(encodeVarint(namespace), subaddress)), namespace, subaddress);
  }

  /** `address` (an f4 of `namespace` and `subaddress`) with its Ethereum address if it embeds one (see #ethAddress). */
  private static withEthAddress(address: FilAddress, namespace: number, subaddress: Uint8Array): FilAddress {
    if (namespace === EAM_NAMESPACE && subaddress.length === 20 && !isMaskedId(subaddress)) {
      address.#ethAddress = address.payload.subarray(address.payload.length - 20);
    }
    return address;
  }

  /** Protocol 1, 2 or 3 from their fixed-length payloads (a key hash, an actor hash, a BLS key). */
  static fromPayload(protocol: Protocol.Secp256k1 | Protocol.Actor | Protocol.BLS, payload: Uint8Array): FilAddress {
    if (payload.length !== PAYLOAD_LENGTHS[protocol]) {
      throw new InvalidAddressError(`invalid payload length ${payload.length} for protocol ${protocol}`);
    }
    return new FilAddress(protocol, payload);
  }

  /**
   * The Filecoin address an Ethereum address stands for: the f0 of a masked ID address,
   * otherwise the f410 that embeds it.
   */
  static fromEthAddress(eth: Uint8Array): FilAddress {
    if (eth.length !== 20) throw new InvalidAddressError('an Ethereum address has 20 bytes');
    // The EVM asks for the same address several times per frame, and for a contract's own every
    // call: the address made last time from the same bytes.
    const made = fromEthAddressMade.get(eth);
    if (made) return made;
    const address = FilAddress.fromEthAddressUncached(eth);
    fromEthAddressMade.set(eth, address);
    return address;
  }

  private static fromEthAddressUncached(eth: Uint8Array): FilAddress {
    if (!isMaskedId(eth)) return FilAddress.withEthAddress(new FilAddress(Protocol.Delegated, concatBytes(EAM_NAMESPACE_VARINT, eth)), EAM_NAMESPACE, eth);
    const id = maskedId(eth);
    // IDs beyond 2^53 cannot name a devnet actor (and an f410 never embeds a masked ID).
    if (id === undefined) throw new InvalidAddressError('masked ID address out of range');
    return FilAddress.fromId(id);
  }

  /** Parses the binary form: a protocol byte and its payload. */
  static fromBytes(bytes: Uint8Array): FilAddress {
    if (bytes.length < 2) throw new InvalidAddressError('address too short');
    const protocol = bytes[0] as Protocol;
    const payload = bytes.subarray(1);
    switch (protocol) {
      case Protocol.ID: {
        const [, length] = decodeVarint(payload, 0);
        if (length !== payload.length) throw new InvalidAddressError('trailing bytes after ID');
        return new FilAddress(protocol, payload.slice());
      }
      case Protocol.Secp256k1:
      case Protocol.Actor:
      case Protocol.BLS:
        return FilAddress.fromPayload(protocol, payload.slice());
      case Protocol.Delegated: {
        const [namespace, length] = decodeVarint(payload, 0);
        return FilAddress.fromDelegated(namespace, payload.slice(length));
      }
      default:
        throw new InvalidAddressError(`unknown address protocol ${protocol}`);
    }
  }

  /** Parses `f…`/`t…` strings, checking the network prefix when `network` is given and the checksum. */
  static parse(text: string, network?: Network): FilAddress {
    if (text.length < 3) throw new InvalidAddressError('address too short');
    const prefix = text[0];
    if (prefix !== 'f' && prefix !== 't') throw new InvalidAddressError('unknown address network');
    if (network && prefix !== network) throw new InvalidAddressError('unknown address network');
    const protocol = Number(text[1]);
    const rest = text.slice(2);
    if (protocol === Protocol.ID) {
      if (!/^(0|[1-9]\d*)$/.test(rest)) throw new InvalidAddressError('invalid ID address');
      return FilAddress.fromId(Number(rest));
    }
    let namespace: number | undefined;
    let encoded = rest;
    if (protocol === Protocol.Delegated) {
      const split = rest.indexOf('f');
      if (split < 1 || !/^(0|[1-9]\d*)$/.test(rest.slice(0, split))) throw new InvalidAddressError('invalid delegated address');
      namespace = Number(rest.slice(0, split));
      encoded = rest.slice(split + 1);
    } else if (!(protocol in PAYLOAD_LENGTHS)) {
      throw new InvalidAddressError('unknown address protocol');
    }
    if (!/^[a-z2-7]+$/.test(encoded)) throw new InvalidAddressError('invalid address encoding');
    let raw: Uint8Array;
    try {
      raw = base32.baseDecode(encoded);
    } catch {
      throw new InvalidAddressError('invalid address encoding');
    }
    if (raw.length < 5) throw new InvalidAddressError('address too short');
    const payload = raw.subarray(0, raw.length - 4);
    const address =
      namespace === undefined
        ? FilAddress.fromPayload(protocol as Protocol.Secp256k1, payload.slice())
        : FilAddress.fromDelegated(namespace, payload.slice());
    if (!equalBytes(blake2b32(address.bytes), raw.subarray(raw.length - 4))) {
      throw new InvalidAddressError('invalid address checksum');
    }
    return address;
  }

  get bytes(): Uint8Array {
    const bytes = new Uint8Array(1 + this.payload.length);
    bytes[0] = this.protocol;
    bytes.set(this.payload, 1);
    return bytes;
  }

  /** The actor ID of an f0 address. */
  get id(): number | undefined {
    if (this.protocol !== Protocol.ID) return undefined;
    return (this.#id ??= decodeVarint(this.payload, 0)[0]);
  }

  /** The namespace (the managing actor's ID) of an f4 address. */
  get namespace(): number | undefined {
    return this.protocol === Protocol.Delegated ? decodeVarint(this.payload, 0)[0] : undefined;
  }

  /** What an f4 address holds after its namespace. */
  get subaddress(): Uint8Array | undefined {
    return this.protocol === Protocol.Delegated ? this.payload.subarray(decodeVarint(this.payload, 0)[1]) : undefined;
  }

  /**
   * The Ethereum address embedded in an f410 address; undefined for a masked ID address embedded
   * there, which names an ID actor only as 0x (Lotus ethtypes.IsEthAddress).
   */
  get ethAddress(): Uint8Array | undefined {
    return this.#ethAddress;
  }

  /** A stable key for maps: the binary form in 0x hex, made on each use (an address kept for long keeps no string). */
  get key(): string {
    return bytesToHex(this.bytes);
  }

  equals(other: FilAddress): boolean {
    return this.protocol === other.protocol && equalBytes(this.payload, other.payload);
  }

  toString(network: Network = 't'): string {
    if (this.protocol === Protocol.ID) return `${network}0${this.id}`;
    let head = `${network}${this.protocol}`;
    let payload = this.payload;
    if (this.protocol === Protocol.Delegated) {
      const [namespace, length] = decodeVarint(this.payload, 0);
      head += `${namespace}f`;
      payload = this.payload.subarray(length);
    }
    return head + base32.baseEncode(concatBytes(payload, blake2b32(this.bytes)));
  }
}

/** An ID address's bytes, as the actors key their tables by account (BalanceTable, power claims) and store owners. */
export const idAddressBytes = (id: number): Uint8Array => FilAddress.fromId(id).bytes;

/** The actor ID in a masked ID address `0xff` ‖ 11 zero bytes ‖ u64be(id), if it is one. */
export function maskedId(eth: Uint8Array): number | undefined {
  if (!isMaskedId(eth)) return undefined;
  const id = new DataView(eth.buffer, eth.byteOffset + 12, 8).getBigUint64(0);
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : undefined;
}

export function isMaskedId(eth: Uint8Array): boolean {
  // The first byte settles most addresses (every state read asks), without a subarray.
  return eth.length === 20 && eth[0] === 0xff && equalBytes(eth.subarray(0, 12), MASKED_ID_PREFIX);
}

export function maskedIdAddress(id: number): Uint8Array {
  const out = new Uint8Array(20);
  out[0] = 0xff;
  new DataView(out.buffer).setBigUint64(12, BigInt(id));
  return out;
}
