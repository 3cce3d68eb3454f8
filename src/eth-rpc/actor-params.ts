// The params of builtin actors' methods as Lotus's StateDecodeParams and StateEncodeParams show them:
// the go-state-types structs (CBOR tuples on the wire) in their Go JSON (field names as in Go,
// addresses as strings, token amounts as decimal strings, bytes as base64, CIDs as {"/": …},
// bitfields as run lengths). One schema per method, looked up by actor kind and method name.
import { FilAddress } from '../common/address.js';
import { decodeBitfield, encodeBitfield } from '../common/bitfield.js';
import { CID, decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../common/cbor.js';
import type { ActorKind } from '../fevm/actor.js';
import { builtinActor } from '../fevm/actors/builtin.js';
import { EVM_MAX_RESERVED_METHOD } from '../fevm/actors/evm/handle-filecoin-method.js';
import { METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT } from '../fevm/message.js';
import { bitfieldFromRuns, bitfieldJson, isRunList } from '../common/bitfield-json.js';
import { goFields } from './lotus-params.js';
import { invalid } from './params.js';

type Scalar = 'address' | 'tokens' | 'int' | 'bytes' | 'bytes20' | 'bytes32' | 'cid' | 'bool' | 'label' | 'signature' | 'bitfield' | 'empty';
/** `wrapped`: a Go struct of one field whose CBOR is that field alone (Rust's serde transparent). */
export type Schema = Scalar | { list: Schema } | { nullable: Schema } | { wrapped: readonly [string, Schema] } | { struct: readonly (readonly [string, Schema])[] };

const struct = (...fields: (readonly [string, Schema])[]): Schema => ({ struct: fields });
const list = (item: Schema): Schema => ({ list: item });

const declaration = struct(['Deadline', 'int'], ['Partition', 'int'], ['Sectors', 'bitfield']);
const dealProposal = struct(
  ['PieceCID', 'cid'],
  ['PieceSize', 'int'],
  ['VerifiedDeal', 'bool'],
  ['Client', 'address'],
  ['Provider', 'address'],
  ['Label', 'label'],
  ['StartEpoch', 'int'],
  ['EndEpoch', 'int'],
  ['StoragePricePerEpoch', 'tokens'],
  ['ProviderCollateral', 'tokens'],
  ['ClientCollateral', 'tokens'],
);
const signedVoucher = struct(
  ['ChannelAddr', 'address'],
  ['TimeLockMin', 'int'],
  ['TimeLockMax', 'int'],
  ['SecretHash', 'bytes'],
  ['Extra', { nullable: struct(['Actor', 'address'], ['Method', 'int'], ['Data', 'bytes']) }],
  ['Lane', 'int'],
  ['Nonce', 'int'],
  ['Amount', 'tokens'],
  ['MinSettleHeight', 'int'],
  ['Merges', list(struct(['Lane', 'int'], ['Nonce', 'int']))],
  ['Signature', { nullable: 'signature' }],
);
const sectorPreCommit = struct(
  ['SealProof', 'int'],
  ['SectorNumber', 'int'],
  ['SealedCID', 'cid'],
  ['SealRandEpoch', 'int'],
  ['DealIDs', list('int')],
  ['Expiration', 'int'],
  ['UnsealedCid', { nullable: 'cid' }],
);

const txnIdParams = struct(['ID', 'int'], ['ProposalHash', 'bytes']);

/** Param schemas by actor kind and method name (go-state-types builtin/v18). */
const SCHEMAS: Partial<Record<ActorKind, Record<string, Schema>>> = {
  account: {
    PubkeyAddress: 'empty',
    AuthenticateMessage: struct(['Signature', 'bytes'], ['Message', 'bytes']),
  },
  storagemarket: {
    AddBalance: 'address',
    WithdrawBalance: struct(['ProviderOrClientAddress', 'address'], ['Amount', 'tokens']),
    PublishStorageDeals: struct(['Deals', list(struct(['Proposal', dealProposal], ['ClientSignature', 'signature']))]),
    GetBalance: 'address',
    SettleDealPayments: 'bitfield',
    OnMinerSectorsTerminate: struct(['Epoch', 'int'], ['Sectors', 'bitfield']),
    ...Object.fromEntries(
      ['GetDealDataCommitment', 'GetDealClient', 'GetDealProvider', 'GetDealLabel', 'GetDealTerm', 'GetDealTotalPrice', 'GetDealClientCollateral', 'GetDealProviderCollateral', 'GetDealVerified', 'GetDealActivation', 'GetDealSector'].map((name) => [name, 'int' as Schema]),
    ),
  },
  storageminer: {
    ControlAddresses: 'empty',
    ChangeWorkerAddress: struct(['NewWorker', 'address'], ['NewControlAddrs', list('address')]),
    ConfirmChangeWorkerAddress: 'empty',
    ChangeOwnerAddress: 'address',
    ChangePeerID: struct(['NewID', 'bytes']),
    ChangeMultiaddrs: struct(['NewMultiaddrs', list('bytes')]),
    ChangeBeneficiary: struct(['NewBeneficiary', 'address'], ['NewQuota', 'tokens'], ['NewExpiration', 'int']),
    GetBeneficiary: 'empty',
    WithdrawBalance: struct(['AmountRequested', 'tokens']),
    RepayDebt: 'empty',
    IsControllingAddress: 'address',
    PreCommitSectorBatch2: struct(['Sectors', list(sectorPreCommit)]),
    DeclareFaults: struct(['Faults', list(declaration)]),
    DeclareFaultsRecovered: struct(['Recoveries', list(declaration)]),
    TerminateSectors: struct(['Terminations', list(declaration)]),
    GenerateSectorLocation: struct(['SectorNumber', 'int']),
    ValidateSectorStatus: struct(['SectorNumber', 'int'], ['Status', 'int'], ['AuxData', 'bytes']),
    GetNominalSectorExpiration: 'int',
    InitialPledge: 'empty',
    MaxTerminationFee: struct(['Power', 'tokens'], ['InitialPledge', 'tokens']),
  },
  storagepower: {
    CreateMiner: struct(['Owner', 'address'], ['Worker', 'address'], ['WindowPoStProofType', 'int'], ['Peer', 'bytes'], ['Multiaddrs', list('bytes')]),
    MinerRawPower: struct(['Miner', 'int']),
    MinerPower: struct(['Miner', 'int']),
    NetworkRawPower: 'empty',
    MinerCount: 'empty',
    MinerConsensusCount: 'empty',
  },
  verifiedregistry: {
    AddVerifier: struct(['Address', 'address'], ['Allowance', 'tokens']),
    RemoveVerifier: 'address',
    AddVerifiedClient: struct(['Address', 'address'], ['Allowance', 'tokens']),
    RemoveVerifiedClientDataCap: struct(
      ['VerifiedClientToRemove', 'address'],
      ['DataCapAmountToRemove', 'tokens'],
      ['VerifierRequest1', struct(['Verifier', 'address'], ['VerifierSignature', 'signature'])],
      ['VerifierRequest2', struct(['Verifier', 'address'], ['VerifierSignature', 'signature'])],
    ),
    RemoveExpiredAllocations: struct(['Client', 'int'], ['AllocationIds', list('int')]),
    GetClaims: struct(['Provider', 'int'], ['ClaimIds', list('int')]),
    ExtendClaimTerms: struct(['Terms', list(struct(['Provider', 'int'], ['ClaimId', 'int'], ['TermMax', 'int']))]),
    RemoveExpiredClaims: struct(['Provider', 'int'], ['ClaimIds', list('int')]),
  },
  init: {
    Exec: struct(['CodeCID', 'cid'], ['ConstructorParams', 'bytes']),
  },
  multisig: {
    Constructor: struct(['Signers', list('address')], ['NumApprovalsThreshold', 'int'], ['UnlockDuration', 'int'], ['StartEpoch', 'int']),
    Propose: struct(['To', 'address'], ['Value', 'tokens'], ['Method', 'int'], ['Params', 'bytes']),
    Approve: txnIdParams,
    Cancel: txnIdParams,
    AddSigner: struct(['Signer', 'address'], ['Increase', 'bool']),
    RemoveSigner: struct(['Signer', 'address'], ['Decrease', 'bool']),
    SwapSigner: struct(['From', 'address'], ['To', 'address']),
    ChangeNumApprovalsThreshold: struct(['NewThreshold', 'int']),
    LockBalance: struct(['StartEpoch', 'int'], ['UnlockDuration', 'int'], ['Amount', 'tokens']),
  },
  paymentchannel: {
    Constructor: struct(['From', 'address'], ['To', 'address']),
    UpdateChannelState: struct(['Sv', signedVoucher], ['Secret', 'bytes']),
    Settle: 'empty',
    Collect: 'empty',
  },
  datacap: {
    Name: 'empty',
    Symbol: 'empty',
    TotalSupply: 'empty',
    Balance: 'address',
    Allowance: struct(['Owner', 'address'], ['Operator', 'address']),
    Mint: struct(['To', 'address'], ['Amount', 'tokens'], ['Operators', list('address')]),
    Destroy: struct(['Owner', 'address'], ['Amount', 'tokens']),
    Transfer: struct(['To', 'address'], ['Amount', 'tokens'], ['OperatorData', 'bytes']),
    TransferFrom: struct(['From', 'address'], ['To', 'address'], ['Amount', 'tokens'], ['OperatorData', 'bytes']),
    IncreaseAllowance: struct(['Operator', 'address'], ['Increase', 'tokens']),
    DecreaseAllowance: struct(['Operator', 'address'], ['Decrease', 'tokens']),
    RevokeAllowance: struct(['Operator', 'address']),
    Burn: struct(['Amount', 'tokens']),
    BurnFrom: struct(['Owner', 'address'], ['Amount', 'tokens']),
  },
};

const batchReturn = struct(['SuccessCount', 'int'], ['FailCodes', list(struct(['Idx', 'int'], ['Code', 'int']))]);
const addresses = struct(['IDAddress', 'address'], ['RobustAddress', 'address']);

/**
 * Return schemas (go-state-types builtin/v18) of the methods whose answers Lotus decodes into
 * MsgLookup.ReturnDec (StateWaitMsg), by actor kind and method name: the ones a
 * devnet user meets most. Others are left undecoded (ReturnDec null).
 */
const RETURNS: Partial<Record<ActorKind, Record<string, Schema>>> = {
  init: { Exec: addresses },
  storagepower: { CreateMiner: addresses },
  storagemarket: {
    PublishStorageDeals: struct(['IDs', list('int')], ['ValidDeals', 'bitfield']),
    GetBalance: struct(['Balance', 'tokens'], ['Locked', 'tokens']),
    SettleDealPayments: struct(['Results', batchReturn], ['Settlements', list(struct(['Payment', 'tokens'], ['Completed', 'bool']))]),
  },
  storageminer: {
    ControlAddresses: struct(['Owner', 'address'], ['Worker', 'address'], ['ControlAddrs', list('address')]),
    ProveCommitSectors3: batchReturn,
    GenerateSectorLocation: struct(['Status', 'int'], ['AuxData', 'bytes']),
    ValidateSectorStatus: 'bool',
    GetNominalSectorExpiration: 'int',
    InitialPledge: 'tokens',
    MaxTerminationFee: 'tokens',
  },
  datacap: {
    Balance: 'tokens',
    Transfer: struct(['FromBalance', 'tokens'], ['ToBalance', 'tokens'], ['RecipientData', 'bytes']),
  },
};

/** The EAM's Return (go-state-types builtin/v18/eam eam_types.go): Go shows its [20]byte as 20 numbers. */
const createReturn = struct(['ActorID', 'int'], ['RobustAddress', { nullable: 'address' }], ['EthAddress', 'bytes20']);

/**
 * The returns of the EVM actor's and the EAM's methods a message can reach on the devnet, by number
 * (go-state-types builtin/v18/evm and eam methods.go): InvokeContract's and GetBytecodeHash's are a
 * CBOR byte string (abi.CborBytes), GetBytecode's a GetBytecodeReturn (the code's CID or null, alone
 * on the wire); Create, Create2 and CreateExternal answer the new actor's addresses.
 */
const RETURNS_BY_NUMBER: Partial<Record<ActorKind, Record<number, Schema>>> = {
  evm: { [METHOD_INVOKE_CONTRACT]: 'bytes', 3: { wrapped: ['Cid', { nullable: 'cid' }] }, 4: 'bytes' },
  eam: { 2: createReturn, 3: createReturn, [METHOD_CREATE_EXTERNAL]: createReturn },
};

/** The schema of a method's return, for the methods RETURNS and RETURNS_BY_NUMBER list. */
export function returnSchema(kind: ActorKind, method: number): Schema | undefined {
  const byNumber = RETURNS_BY_NUMBER[kind]?.[method];
  if (byNumber) return byNumber;
  const name = builtinActor(kind)?.methods.get(method)?.name;
  return name === undefined ? undefined : RETURNS[kind]?.[name];
}

/**
 * Whether Lotus's actor registry has no entry for the method, so that StateWaitMsg answers its return
 * as the raw bytes (node/impl/full/state.go, stmgr.ErrMetadataNotFound): the only such method that
 * succeeds with a return is a contract's answer to a Filecoin method (handle_filecoin_method).
 */
export function returnUndeclared(kind: ActorKind, method: number): boolean {
  return kind === 'evm' && method > EVM_MAX_RESERVED_METHOD && method !== METHOD_INVOKE_CONTRACT;
}

/** The EVM actor and the EAM have no method tables in builtin.ts: their methods by number. */
const BY_NUMBER: Partial<Record<ActorKind, Record<number, Schema>>> = {
  evm: { [METHOD_INVOKE_CONTRACT]: 'bytes' },
  eam: {
    2: struct(['Initcode', 'bytes'], ['Nonce', 'int']),
    3: struct(['Initcode', 'bytes'], ['Salt', 'bytes32']),
    [METHOD_CREATE_EXTERNAL]: 'bytes',
  },
};

/** The schema of a method's params, if the devnet knows it. */
export function paramsSchema(kind: ActorKind, method: number): Schema | undefined {
  const byNumber = BY_NUMBER[kind]?.[method];
  if (byNumber) return byNumber;
  const name = builtinActor(kind)?.methods.get(method)?.name;
  return name === undefined ? undefined : SCHEMAS[kind]?.[name];
}

class SchemaMismatch extends Error {}

function fail(path: string, why: string): never {
  throw new SchemaMismatch(`${path}: ${why}`);
}

/** Go byte arrays ([N]byte), which Go's JSON shows as N numbers. */
const FIXED_LENGTHS = { bytes20: 20, bytes32: 32 } as const;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A CBOR value (as @ipld/dag-cbor decodes it) to Go JSON. */
function toJson(schema: Schema, v: unknown, path: string): unknown {
  if (typeof schema === 'object') {
    if ('nullable' in schema) return v === null ? null : toJson(schema.nullable, v, path);
    if ('list' in schema) {
      if (v === null) return null;
      if (!Array.isArray(v)) fail(path, 'expected a CBOR array');
      return v.map((item, i) => toJson(schema.list, item, `${path}[${i}]`));
    }
    if ('wrapped' in schema) return { [schema.wrapped[0]]: toJson(schema.wrapped[1], v, `${path}.${schema.wrapped[0]}`) };
    if (!Array.isArray(v) || v.length !== schema.struct.length) fail(path, `expected a CBOR array of ${schema.struct.length} fields`);
    return Object.fromEntries(schema.struct.map(([name, field], i) => [name, toJson(field, v[i], `${path}.${name}`)]));
  }
  const bytes = () => (v instanceof Uint8Array ? v : fail(path, 'expected CBOR bytes'));
  const int = () => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : fail(path, 'expected a CBOR integer'));
  switch (schema) {
    case 'empty':
      return {};
    case 'address':
      try {
        return FilAddress.fromBytes(bytes()).toString('t');
      } catch (err) {
        return fail(path, (err as Error).message);
      }
    case 'tokens':
      return decodeBigInt(bytes()).toString();
    case 'int':
      return int();
    case 'bytes':
      return b64(bytes());
    case 'bytes20':
    case 'bytes32': {
      const array = bytes();
      return array.length === FIXED_LENGTHS[schema] ? [...array] : fail(path, `expected ${FIXED_LENGTHS[schema]} bytes`);
    }
    case 'cid':
      return CID.asCID(v) ? { '/': String(v) } : fail(path, 'expected a CID');
    case 'bool':
      return typeof v === 'boolean' ? v : fail(path, 'expected a CBOR boolean');
    case 'label':
      // go-state-types DealLabel marshals strings only: a byte label shows as "".
      return typeof v === 'string' ? v : v instanceof Uint8Array ? '' : fail(path, 'expected a string or bytes label');
    case 'signature': {
      const sig = bytes();
      if (sig.length === 0) fail(path, 'empty signature');
      return { Type: sig[0], Data: b64(sig.subarray(1)) };
    }
    case 'bitfield':
      return bitfieldJson(decodeBitfield(bytes()));
  }
}

/** Go JSON to the CBOR value of the schema. */
function fromJson(schema: Schema, v: unknown, path: string): unknown {
  if (typeof schema === 'object') {
    if ('nullable' in schema) return v === null || v === undefined ? null : fromJson(schema.nullable, v, path);
    if ('list' in schema) {
      if (v === null || v === undefined) return [];
      if (!Array.isArray(v)) fail(path, 'expected a list');
      return v.map((item, i) => fromJson(schema.list, item, `${path}[${i}]`));
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected an object');
    if ('wrapped' in schema) {
      const [name, field] = schema.wrapped;
      return fromJson(field, goFields(v, [name])[name], `${path}.${name}`);
    }
    const fields: Record<string, unknown> = goFields(v, schema.struct.map(([name]) => name));
    return schema.struct.map(([name, field]) => fromJson(field, fields[name], `${path}.${name}`));
  }
  const text = () => (typeof v === 'string' ? v : fail(path, 'expected a string'));
  const base64 = () => {
    if (v === null || v === undefined) return new Uint8Array();
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) fail(path, 'expected base64 bytes');
    return new Uint8Array(Buffer.from(v, 'base64'));
  };
  switch (schema) {
    case 'empty':
      return undefined;
    case 'address':
      try {
        return FilAddress.parse(text()).bytes;
      } catch (err) {
        return fail(path, (err as Error).message);
      }
    case 'tokens':
      return /^-?\d+$/.test(text()) ? encodeBigInt(BigInt(v as string)) : fail(path, 'expected a decimal integer string');
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(path, 'expected an integer');
    case 'bytes':
      return base64();
    case 'bytes20':
    case 'bytes32': {
      const length = FIXED_LENGTHS[schema];
      return Array.isArray(v) && v.length === length && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256) ? new Uint8Array(v) : fail(path, `expected ${length} byte values`);
    }
    case 'cid': {
      const c = v && typeof v === 'object' ? (v as Record<string, unknown>)['/'] : undefined;
      try {
        return CID.parse(String(c));
      } catch {
        return fail(path, 'expected a CID as {"/": "…"}');
      }
    }
    case 'bool':
      return typeof v === 'boolean' ? v : fail(path, 'expected a boolean');
    case 'label':
      return text();
    case 'signature': {
      const { Type, Data } = goFields(v, ['Type', 'Data']);
      if (Type !== 1 && Type !== 2 && Type !== 3) fail(`${path}.Type`, 'expected 1, 2 or 3');
      return new Uint8Array([Type, ...(fromJson('bytes', Data, `${path}.Data`) as Uint8Array)]);
    }
    case 'bitfield':
      return isRunList(v) ? encodeBitfield(bitfieldFromRuns(v)) : fail(path, 'expected a bitfield as run lengths');
  }
}

/** Decodes a method's CBOR params into Go JSON; a mismatch throws -32602 naming `name` and the field. */
export function decodeParams(schema: Schema, params: Uint8Array, name: string): unknown {
  try {
    if (schema === 'empty') return {};
    return toJson(schema, decodeCbor(params), name);
  } catch (err) {
    if (err instanceof SchemaMismatch) throw invalid(name, err.message);
    throw invalid(name, `not CBOR: ${(err as Error).message}`);
  }
}

/** Encodes Go JSON params as the method's CBOR; a mismatch throws -32602 naming `name` and the field. */
export function encodeParams(schema: Schema, json: unknown, name: string): Uint8Array {
  try {
    const value = fromJson(schema, json, name);
    return value === undefined ? new Uint8Array() : encodeCbor(value);
  } catch (err) {
    if (err instanceof SchemaMismatch) throw invalid(name, err.message);
    throw err;
  }
}

/**
 * A payment channel voucher (the CBOR tuple value of go-state-types' SignedVoucher) in Lotus's JSON,
 * as the Paych* methods answer it: what cbor-gen decodes as nil (empty SecretHash, no Merges) is null.
 */
export function voucherJson(value: unknown[]): unknown {
  const json = toJson(signedVoucher, value, 'voucher') as Record<string, unknown>;
  return { ...json, SecretHash: json.SecretHash === '' ? null : json.SecretHash, Merges: (json.Merges as unknown[]).length ? json.Merges : null };
}

/** A voucher in Lotus's JSON as its CBOR tuple value; a mismatch throws -32602 naming `name` and the field. */
export function voucherValue(json: unknown, name: string): unknown[] {
  try {
    return fromJson(signedVoucher, json, name) as unknown[];
  } catch (err) {
    if (err instanceof SchemaMismatch) throw invalid(name, err.message);
    throw err;
  }
}
