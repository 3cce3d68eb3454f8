// Parameters of the Lotus (Filecoin.*) methods: addresses as strings, CIDs as {"/": …}, tipset keys as
// CID lists, messages in Lotus's JSON.
import { FilAddress } from '../common/address.js';
import { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import { hexToBytes } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { SendSpec } from '../devnet/fee-estimates.js';
import { SigType, type Message, type SignedMessage } from '../fevm/message.js';
import { tipsetKeyCid, type Tipset } from '../mining/tipset.js';
import { invalid, listOf, nonNegative, parseBase64, parseNonNegative, parseObject, type Param } from './params.js';

/**
 * A JSON object read as Go's encoding/json reads it into a struct whose fields are `names`: each key
 * goes to the field it names exactly, else to one it names in another case (`to` for `To`); a later
 * key for the same field overwrites an earlier one; keys that name no field are dropped. Lotus's
 * params are Go structs, so `{"to": …}` works there as `{"To": …}` does.
 */
export function goFields<K extends string>(value: unknown, names: readonly K[]): Partial<Record<K, unknown>> {
  const fields: Partial<Record<K, unknown>> = {};
  if (!value || typeof value !== 'object') return fields;
  for (const [key, v] of Object.entries(value)) {
    const field = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (field !== undefined) fields[field] = v;
  }
  return fields;
}

export const filAddress = (name: string): Param<FilAddress> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'string') throw invalid(name, 'expected a Filecoin address string');
    try {
      return FilAddress.parse(v);
    } catch (err) {
      throw invalid(name, (err as Error).message);
    }
  },
});

/** The devnet's own methods take either form: a 0x Ethereum address or a Filecoin address (f/t, any protocol). */
export const anyAddress = (name: string): Param<FilAddress> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'string') throw invalid(name, 'expected a 0x or Filecoin address string');
    try {
      return /^0x[0-9a-fA-F]{40}$/.test(v) ? FilAddress.fromEthAddress(hexToBytes(v)) : FilAddress.parse(v);
    } catch (err) {
      throw invalid(name, (err as Error).message);
    }
  },
});

function parseCid(name: string, v: unknown): CID {
  const text = v && typeof v === 'object' ? (v as Record<string, unknown>)['/'] : undefined;
  if (typeof text !== 'string') throw invalid(name, 'expected a CID as {"/": "…"}');
  try {
    return CID.parse(text);
  } catch {
    throw invalid(name, `invalid CID ${text.slice(0, 80)}`);
  }
}

export const cid = (name: string): Param<CID> => ({ name, parse: (v) => parseCid(name, v) });

/** The tipset-key parameters of the method tables (fork-tipsets.ts routes keys the fork does not hold). */
const TIPSET_KEY_PARAMS = new WeakSet<Param<unknown>>();

/** A tipset key: a list of block CIDs; null or [] means the head. */
export const tipsetKey = (name: string): Param<CID[]> => {
  const param: Param<CID[]> = {
    name,
    optional: true,
    parse: (v) => {
      if (v === null || v === undefined) return [];
      if (!Array.isArray(v)) throw invalid(name, 'expected a list of block CIDs');
      return v.map((c, i) => parseCid(`${name}[${i}]`, c));
    },
  };
  TIPSET_KEY_PARAMS.add(param);
  return param;
};

export const isTipsetKey = (param: Param<unknown>): boolean => TIPSET_KEY_PARAMS.has(param);

export const epoch = (name: string): Param<number> => nonNegative(name, 'epoch number');

export const integer = (name: string): Param<number> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(name, 'expected an integer');
    return v;
  },
});

/** A non-negative token amount (a Go BigInt: a decimal string). */
export const tokenAmount = (name: string): Param<bigint> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw invalid(name, 'expected a non-negative decimal integer string');
    return BigInt(v);
  },
});

/** The zero UUID: a spec's MsgUuid left unset. */
const NO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * A MessageSendSpec (Lotus api.MessageSendSpec), null or left out for none: MaxFee (attoFIL, "0" for
 * the node's default), MaximizeFeeCap and MsgUuid (the zero UUID for none).
 */
export const sendSpec = (name: string): Param<SendSpec> => ({
  name,
  optional: true,
  parse: (v) => {
    if (v === null || v === undefined) return {};
    const { MaxFee, MaximizeFeeCap, MsgUuid } = goFields(parseObject(name, v), ['MaxFee', 'MaximizeFeeCap', 'MsgUuid']);
    if (MaximizeFeeCap !== undefined && MaximizeFeeCap !== null && typeof MaximizeFeeCap !== 'boolean') throw invalid(`${name}.MaximizeFeeCap`, 'expected a boolean');
    if (MsgUuid !== undefined && MsgUuid !== null && (typeof MsgUuid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(MsgUuid))) {
      throw invalid(`${name}.MsgUuid`, 'expected a UUID string');
    }
    const uuid = typeof MsgUuid === 'string' ? MsgUuid.toLowerCase() : NO_UUID;
    return {
      maxFee: MaxFee === undefined || MaxFee === null ? undefined : tokenAmount(`${name}.MaxFee`).parse(MaxFee),
      maximizeFeeCap: MaximizeFeeCap === true,
      msgUuid: uuid === NO_UUID ? undefined : uuid,
    };
  },
});

/** A uint64 (method numbers, transaction IDs, counts). */
export const unsigned = (name: string): Param<number> => ({
  name,
  parse: (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(name, 'expected a non-negative integer');
    return v;
  },
});

/** A Go []byte: base64, or null for none. */
export const base64Bytes = (name: string): Param<Uint8Array> => ({
  name,
  parse: (v) => (v === null || v === undefined ? new Uint8Array() : parseBase64(name, v)),
});

/**
 * The tipset a non-empty key names, if the chain holds it: one block's CID, or a fork's first
 * tipset by the upstream's whole key (it stands in for the upstream's, which may have more blocks).
 */
export function heldTipset(devnet: Devnet, key: CID[]): Tipset | undefined {
  const tipset = devnet.chain.byBlockCid(key[0]);
  if (!tipset || (key.length !== 1 && !tipset.key.equals(tipsetKeyCid(key)))) return undefined;
  return tipset;
}

/** The tipset a key names; the empty key is the head. */
export function tipsetOf(devnet: Devnet, key: CID[] | undefined): Tipset {
  if (!key || key.length === 0) return devnet.head;
  const tipset = heldTipset(devnet, key);
  if (!tipset) throw new DevnetError(`loading tipset ${key.map((c) => c.toString()).join(',')}: not found`);
  return tipset;
}

function bigintField(name: string, v: unknown): bigint {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw invalid(name, 'expected a decimal integer string');
  return BigInt(v);
}

function bytesField(name: string, v: unknown): Uint8Array {
  if (v === null || v === undefined || v === '') return new Uint8Array();
  return parseBase64(name, v);
}

export function parseMessage(name: string, v: unknown): Message {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid(name, 'expected a message object');
  const m = goFields(v, ['Version', 'To', 'From', 'Nonce', 'Value', 'GasLimit', 'GasFeeCap', 'GasPremium', 'Method', 'Params']);
  const address = (field: 'To' | 'From') => filAddress(`${name}.${field}`).parse(m[field]);
  return {
    version: m.Version === undefined ? 0 : parseNonNegative(`${name}.Version`, m.Version),
    to: address('To'),
    from: address('From'),
    nonce: m.Nonce === undefined ? 0 : parseNonNegative(`${name}.Nonce`, m.Nonce),
    value: m.Value === undefined ? 0n : bigintField(`${name}.Value`, m.Value),
    gasLimit: m.GasLimit === undefined ? 0 : parseNonNegative(`${name}.GasLimit`, m.GasLimit),
    gasFeeCap: m.GasFeeCap === undefined ? 0n : bigintField(`${name}.GasFeeCap`, m.GasFeeCap),
    gasPremium: m.GasPremium === undefined ? 0n : bigintField(`${name}.GasPremium`, m.GasPremium),
    method: m.Method === undefined ? 0 : parseNonNegative(`${name}.Method`, m.Method),
    params: bytesField(`${name}.Params`, m.Params),
  };
}

export const message = (name: string): Param<Message> => ({ name, parse: (v) => parseMessage(name, v) });

/** A list of unsigned messages; with `nullIsNone`, null (and absence) is an empty list, as Go decodes it. */
export const messages = (name: string, { nullIsNone = false } = {}): Param<Message[]> => {
  const list = listOf(name, message, 'a list of messages');
  return { name, parse: (v) => (nullIsNone && (v === null || v === undefined) ? [] : list.parse(v)) };
};

export const signedMessage = (name: string): Param<SignedMessage> => ({
  name,
  parse: (v) => {
    if (!v || typeof v !== 'object') throw invalid(name, 'expected a signed message object');
    const { Message: msg, Signature: sig } = goFields(v, ['Message', 'Signature']);
    if (!sig || typeof sig !== 'object') throw invalid(`${name}.Signature`, 'expected {Type, Data}');
    const { Type, Data } = goFields(sig, ['Type', 'Data']);
    if (Type !== SigType.Secp256k1 && Type !== SigType.BLS && Type !== SigType.Delegated) throw invalid(`${name}.Signature.Type`, 'expected 1, 2 or 3');
    return { message: parseMessage(`${name}.Message`, msg), signature: { type: Type, data: bytesField(`${name}.Signature.Data`, Data) } };
  },
});
