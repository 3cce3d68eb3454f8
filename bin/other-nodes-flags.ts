// Flags users bring from Anvil, `hardhat node` and `lotus daemon` that fvm-devnet has no option
// for: each is refused naming what to use here, rather than as an unknown option (commander's
// guess for Hardhat's --fork is --port). Anvil's other names for options fvm-devnet has are taken.
import type { EventEmitter } from 'node:events';
import { Option, type Command } from 'commander';

interface OtherNodesFlag {
  flags: string;
  /** The node whose flag it is. */
  of: 'Anvil' | 'Hardhat' | 'Lotus';
  /** What to use on fvm-devnet, or why it has no such setting. */
  instead: string;
}

// Each must differ from fvm-devnet's own options in its camel-cased name too (commander would store
// Anvil's --blockTime in --block-time's blockTime).
const OTHER_NODES_FLAGS: readonly OtherNodesFlag[] = [
  { flags: '--hostname <address>', of: 'Hardhat', instead: 'use --host <address>' },
  { flags: '--fork <url>', of: 'Hardhat', instead: 'use --fork-url <url> (and --fork-block-number <epoch>)' },
  { flags: '--api <port>', of: 'Lotus', instead: 'use --port <number> (8545 by default; the Lotus API is at /rpc/v1)' },
  { flags: '--no-storage-caching', of: 'Anvil', instead: 'use --no-fork-cache' },
  { flags: '--fork-header <header>', of: 'Anvil', instead: 'put the upstream\'s API token in $FVM_DEVNET_FORK_TOKEN (sent as "Authorization: Bearer <token>")' },
  { flags: '-s, --state-interval <seconds>', of: 'Anvil', instead: '--state <file> saves each tipset as it is mined' },
  { flags: '--no-request-size-limit', of: 'Anvil', instead: 'use --max-body-size <bytes> (up to 1073741824)' },
  { flags: '--config-out <file>', of: 'Anvil', instead: "--json prints `Listening on` as a JSON line with host, port and chainId; the dev accounts are eth_accounts, their keys --mnemonic's at --derivation-path" },
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

/** Anvil's own other names of options fvm-devnet has (its visible aliases; Foundry's -q): each sets that option. */
const ALIASES: readonly { flags: string; of: string }[] = [
  { flags: '--no-mine', of: 'no-mining' },
  { flags: '--blockTime <seconds>', of: 'block-time' },
  { flags: '--rpc-url <url>', of: 'fork-url' },
  { flags: '--auto-unlock', of: 'auto-impersonate' },
  { flags: '-q, --quiet', of: 'silent' },
];

// Built once: added to the program, then read back for their names after parsing.
const REFUSED = OTHER_NODES_FLAGS.map((flag) => ({ ...flag, option: new Option(flag.flags).hideHelp() }));

/**
 * The flags above as hidden options of `program` (parsed, so that a value is not taken for an
 * argument, but not in --help): the other nodes' flags to refuse, and the aliases, whose value goes
 * to their option as if it were given (its parser, its conflicts, source 'cli').
 */
export function addOtherNodesFlags(program: Command): void {
  for (const { option } of REFUSED) program.addOption(option);
  for (const { flags, of } of ALIASES) {
    const alias = new Option(flags).hideHelp();
    program.addOption(alias);
    // Each option listens for `option:<name>` (commander's Command is an EventEmitter; its typings declare
    // only on()). This runs after the alias's own listener, so --blockTime's parsed value replaces the text it stored.
    program.on(`option:${alias.name()}`, (value?: string) => (program as unknown as EventEmitter).emit(`option:${of}`, value));
  }
}

/** The refusal for the first of those flags given on the command line, if any. */
export function otherNodesFlagRefusal(program: Command): string | undefined {
  for (const { option, of, instead } of REFUSED) {
    if (program.getOptionValueSource(option.attributeName()) !== 'cli') continue;
    return `error: fvm-devnet has no ${option.long} (${of}'s): ${instead}`;
  }
  return undefined;
}
