// Flags users bring from Anvil, `hardhat node` and `lotus daemon` that fvm-devnet has no option
// for: each is refused naming what to use here, rather than as an unknown option (commander's
// guess for Hardhat's --fork is --port).
import { Option, type Command } from 'commander';

interface OtherNodesFlag {
  flags: string;
  /** The node whose flag it is. */
  of: 'Anvil' | 'Hardhat' | 'Lotus';
  /** What to use on fvm-devnet, or why it has no such setting. */
  instead: string;
}

// Each must differ from fvm-devnet's own options in its camel-cased name too (commander stores
// Anvil's --blockTime as --block-time's blockTime: it is left to commander's "Did you mean --block-time?").
const OTHER_NODES_FLAGS: readonly OtherNodesFlag[] = [
  { flags: '--hostname <address>', of: 'Hardhat', instead: 'use --host <address>' },
  { flags: '--fork <url>', of: 'Hardhat', instead: 'use --fork-url <url> (and --fork-block-number <epoch>)' },
  { flags: '--rpc-url <url>', of: 'Anvil', instead: 'use --fork-url <url>' },
  { flags: '--api <port>', of: 'Lotus', instead: 'use --port <number> (8545 by default; the Lotus API is at /rpc/v1)' },
  { flags: '-q, --quiet', of: 'Anvil', instead: 'use --silent' },
  { flags: '--auto-unlock', of: 'Anvil', instead: 'use --auto-impersonate' },
  { flags: '--no-mine', of: 'Anvil', instead: 'use --no-mining' },
  { flags: '--no-storage-caching', of: 'Anvil', instead: 'use --no-fork-cache' },
  { flags: '--fork-header <header>', of: 'Anvil', instead: 'put the upstream\'s API token in $FVM_DEVNET_FORK_TOKEN (sent as "Authorization: Bearer <token>")' },
  { flags: '-s, --state-interval <seconds>', of: 'Anvil', instead: '--state <file> saves each tipset as it is mined' },
  { flags: '--no-request-size-limit', of: 'Anvil', instead: 'use --max-body-size <bytes> (up to 1073741824)' },
  { flags: '--derivation-path <path>', of: 'Anvil', instead: "the dev accounts are always derived at m/44'/60'/0'/0/i (Anvil's default) from --mnemonic <words>" },
  { flags: '--config-out <file>', of: 'Anvil', instead: "--json prints `Listening on` as a JSON line with host, port and chainId; the dev accounts are eth_accounts, their keys --mnemonic's at m/44'/60'/0'/0/i" },
  { flags: '--gas-limit <gas>', of: 'Anvil', instead: "the block gas limit is Filecoin's, 10 000 000 000, as on calibnet" },
  { flags: '--disable-block-gas-limit', of: 'Anvil', instead: "the block gas limit is Filecoin's, 10 000 000 000, as on calibnet" },
  { flags: '--base-fee <fee>', of: 'Anvil', instead: "the base fee follows Filecoin's rule, as on calibnet; anvil_setNextBlockBaseFeePerGas sets the next tipset's" },
  { flags: '--block-base-fee-per-gas <fee>', of: 'Anvil', instead: "the base fee follows Filecoin's rule, as on calibnet; anvil_setNextBlockBaseFeePerGas sets the next tipset's" },
  { flags: '--gas-price <price>', of: 'Anvil', instead: "fees are Filecoin's (base fee plus premium), as on calibnet; anvil_setMinGasPrice sets the least fee cap the pool takes" },
  { flags: '--order <order>', of: 'Anvil', instead: "a tipset takes messages as Lotus's block producer does: highest tip first, each sender's in nonce order" },
  { flags: '--prune-history [states]', of: 'Anvil', instead: "the node keeps every tipset's state, as a Lotus archive node" },
  { flags: '--hardfork <name>', of: 'Anvil', instead: "the EVM is calibnet's FEVM (README: Inside contracts, the FEVM's rules)" },
  { flags: '--code-size-limit <bytes>', of: 'Anvil', instead: 'the FEVM refuses code over 24 KiB (exit 16), as calibnet does' },
  { flags: '--disable-code-size-limit', of: 'Anvil', instead: 'the FEVM refuses code over 24 KiB (exit 16), as calibnet does' },
];

/** The flags above as hidden options of `program`: parsed (so that a value is not taken for an argument) but not in --help. */
export function addOtherNodesFlags(program: Command): void {
  for (const { flags } of OTHER_NODES_FLAGS) program.addOption(new Option(flags).hideHelp());
}

/** The refusal for the first of those flags given on the command line, if any. */
export function otherNodesFlagRefusal(program: Command): string | undefined {
  for (const { flags, of, instead } of OTHER_NODES_FLAGS) {
    const option = new Option(flags);
    if (program.getOptionValueSource(option.attributeName()) !== 'cli') continue;
    return `error: fvm-devnet has no ${option.long} (${of}'s): ${instead}`;
  }
  return undefined;
}
