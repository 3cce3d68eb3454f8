// Contract calls, logs and reverts decoded by the ABIs the explorer knows: a small table of common
// signatures (ERC-20, ERC-721, ERC-1155, the Filecoin deal client and handle_filecoin_method that
// builtin actors and FRC-46 tokens call), since the node keeps no contract's ABI. What is not in the
// table is shown by its selector and its arguments as 32-byte words.
import { Interface, type Result } from 'ethers';

/** The signatures, as human-readable ABI fragments. */
const KNOWN = new Interface([
  // ERC-20 (and its OpenZeppelin 5 errors)
  'function transfer(address to, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
  'function name() view returns (string)',
  'function mint(address to, uint256 amount)',
  'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  // ERC-721 (Transfer and Approval have the ERC-20 topics, with the token id indexed)
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function safeTransferFrom(address from, address to, uint256 tokenId)',
  'function safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
  'function setApprovalForAll(address operator, bool approved)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
  'error ERC721NonexistentToken(uint256 tokenId)',
  // ERC-1155
  'function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)',
  'function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] values, bytes data)',
  'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
  'event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)',
  // OpenZeppelin Ownable
  'function owner() view returns (address)',
  'error OwnableUnauthorizedAccount(address account)',
  // Filecoin: how builtin actors (market notifications, FRC-46 token hooks) call a contract, and the
  // deal client contract of fevm-hardhat-kit that storage providers watch.
  'function handle_filecoin_method(uint64 method, uint64 codec, bytes params) returns (uint32 exitCode, uint64 codec, bytes data)',
  'function makeDealProposal((bytes pieceCid, uint64 pieceSize, bool verifiedDeal, string label, int64 startEpoch, int64 endEpoch, uint256 storagePricePerEpoch, uint256 providerCollateral, uint256 clientCollateral, uint64 extraParamsVersion, (string locationRef, uint64 carSize, bool skipIpniAnnounce, bool removeUnsealedCopy) extraParams) deal) returns (bytes32 id)',
  'function getDealProposal(bytes32 id) view returns (bytes)',
  'function getExtraParams(bytes32 id) view returns (bytes)',
  'event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price)',
  // Solidity's own revert data
  'error Error(string message)',
  'error Panic(uint256 code)',
]);

/** A decoded call, log or error: its signature and its named arguments as text. */
export interface Decoded {
  signature: string;
  args: [name: string, value: string][];
}

/** Solidity's panic codes (docs: "Panic via assert and Error via require"). */
const PANICS: Record<number, string> = {
  0x01: 'assert failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division or modulo by zero',
  0x21: 'invalid enum value',
  0x22: 'bad storage byte array encoding',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'too much memory allocated',
  0x51: 'call to an uninitialised internal function',
};

function text(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(text).join(', ')}]`;
  return String(value);
}

function named(result: Result, inputs: readonly { name: string }[]): [string, string][] {
  return inputs.map((input, i) => [input.name || `#${i}`, text(result[i])]);
}

/** The 32-byte words after a selector, for calls and errors nobody knows. */
function words(data: string): [string, string][] {
  const body = data.slice(10);
  return Array.from({ length: Math.ceil(body.length / 64) }, (_, i) => [`word ${i}`, '0x' + body.slice(i * 64, i * 64 + 64)]);
}

/** The signature of a known function by its 4-byte selector (transfer(address,uint256)), else undefined. */
export function knownFunction(selector: string): string | undefined {
  try {
    return KNOWN.getFunction(selector)?.format();
  } catch {
    return undefined;
  }
}

/** A contract call's input; undefined for an empty input or a bare transfer. */
export function decodeCall(input: string): Decoded | undefined {
  if (input.length < 10) return undefined;
  try {
    const call = KNOWN.parseTransaction({ data: input });
    if (call) return { signature: call.signature, args: named(call.args, call.fragment.inputs) };
  } catch {
    // A known selector whose arguments do not decode: shown as words below.
  }
  return { signature: input.slice(0, 10), args: words(input) };
}

/** What a known function returned, by its outputs; undefined when the function is unknown. */
export function decodeReturn(input: string, output: string): Decoded | undefined {
  try {
    const fragment = KNOWN.getFunction(input.slice(0, 10));
    if (!fragment || fragment.outputs.length === 0) return undefined;
    const signature = `${fragment.format()} returns (${fragment.outputs.map((o) => o.format()).join(',')})`;
    return { signature, args: named(KNOWN.decodeFunctionResult(fragment, output), fragment.outputs) };
  } catch {
    return undefined;
  }
}

/** Revert data: Error(string), Panic(uint256) with its meaning, a known custom error, or an unknown one's selector and words. */
export function decodeRevert(data: string): Decoded | undefined {
  if (data.length < 10) return undefined;
  try {
    const error = KNOWN.parseError(data);
    if (error?.name === 'Error') return { signature: 'Error(string)', args: [['message', String(error.args[0])]] };
    if (error?.name === 'Panic') {
      const code = Number(error.args[0]);
      return { signature: 'Panic(uint256)', args: [['code', `0x${code.toString(16).padStart(2, '0')} (${PANICS[code] ?? 'unknown panic'})`]] };
    }
    if (error) return { signature: error.signature, args: named(error.args, error.fragment.inputs) };
  } catch {
    // Undecodable arguments: words below.
  }
  return { signature: `custom error ${data.slice(0, 10)}`, args: words(data) };
}

/** The one-line reason a revert shows: the message of Error(string), or the decoded error. */
export function revertText(decoded: Decoded): string {
  if (decoded.signature === 'Error(string)') return decoded.args[0]![1];
  return `${decoded.signature}${decoded.args.length ? ' ' + decoded.args.map(([n, v]) => `${n}=${v}`).join(', ') : ''}`;
}

/** ERC-721's Transfer and Approval: the ERC-20 topics, with the token id indexed too (so a fourth topic). */
const ERC721_EVENTS = new Interface([
  'event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)',
  'event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)',
]);

/** A log by its first topic, when a known event has it. */
export function decodeLog(topics: string[], data: string): Decoded | undefined {
  for (const abi of topics.length === 4 ? [ERC721_EVENTS, KNOWN] : [KNOWN]) {
    try {
      const log = abi.parseLog({ topics, data });
      if (log) return { signature: log.signature, args: named(log.args, log.fragment.inputs) };
    } catch {
      // The topic is known but the log does not fit that event: try the next table.
    }
  }
  return undefined;
}
