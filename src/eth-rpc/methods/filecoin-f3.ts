// F3 (fast finality), simulated: Filecoin.F3IsRunning, F3GetLatestCertificate, F3GetCertificate,
// F3GetProgress, F3GetManifest, F3GetPowerTableByInstance and ChainGetFinalizedTipSet, in Lotus's
// shapes (api/api_full.go, go-f3 certs and manifest). The devnet runs no GossiPBFT: instance n is the one that finalized the
// tipset at epoch n (or the one before it, across null rounds), decided the moment that tipset is
// `f3Lag` epochs behind the head (--f3-lag, mining/finality.ts), so certificates agree with the
// `finalized` block tag. Certificates are unsigned stand-ins: one participant, the devnet itself.
import { cidOf, encodeCbor, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { blake2b256 } from '../../common/hashes.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Tipset } from '../../mining/tipset.js';
import { EC_FINALITY } from '../../mining/finality.js';
import { tipsetAtHeight } from '../block-ref.js';
import { defineMethod } from '../define-method.js';
import { cidJson, tipsetJson } from '../lotus-json.js';
import { nonNegative } from '../params.js';
import { NETWORK_NAME } from './filecoin-state.js';

/** gpbft.Phase: DECIDE. */
const PHASE_DECIDE = 5;
/** The one participant, gpbft.PowerEntry's ID, Power and PubKey (a BLS key's 48 bytes, zero). */
const PARTICIPANT = { id: 1000, power: '1', pubKey: new Uint8Array(48) };
let powerTable: CID | undefined;
/** The one participant's power table, as its CID stands in every certificate (hashed on first use). */
const powerTableCid = (): CID => (powerTable ??= cidOf(encodeCbor([[PARTICIPANT.id, PARTICIPANT.power, PARTICIPANT.pubKey]])));

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** gpbft.TipSet: key, epoch, power table and commitments (here, the tipset's state root digest). */
const ecTipsetJson = (tipset: Tipset) => ({
  Key: [cidJson(tipset.blockCid)],
  Commitments: b64(blake2b256(tipset.stateRoot.bytes)),
  Epoch: tipset.epoch,
  PowerTable: cidJson(powerTableCid()),
});

/** The certificate of instance `instance`: its base (the previous instance's tipset) and the tipset it finalized. */
function certificateJson(devnet: Devnet, instance: number) {
  const tipset = tipsetAtHeight(devnet, instance, 'before');
  const base = instance === devnet.chain.first.epoch ? tipset : tipsetAtHeight(devnet, instance - 1, 'before');
  return {
    GPBFTInstance: instance,
    ECChain: (base === tipset ? [tipset] : [base, tipset]).map(ecTipsetJson),
    SupplementalData: { Commitments: b64(new Uint8Array(32)), PowerTable: cidJson(powerTableCid()) },
    Signers: [0, 1],
    Signature: b64(blake2b256(encodeCbor(['fvm-devnet f3', instance, tipset.blockCid]))),
    PowerTableDelta: null,
  };
}

/** The latest decided instance: the epoch of the tipset F3 finalizes now. */
const latestInstance = (devnet: Devnet) => devnet.finality().f3.epoch;

const instance = nonNegative('instance', 'instance number');

/**
 * The parts of a Lotus 2k devnet's F3 manifest (build/buildconstants/f3manifest_2k.json, go-f3's
 * defaults) that describe a running GossiPBFT rather than this chain: its protocol's timings and
 * buffers, in Lotus's JSON (durations in nanoseconds). They are structs in go-f3's Manifest, never
 * null. Split where the chain-dependent EC sits between them, so the answer keeps go-f3's field order.
 */
const LOTUS_2K_GPBFT = {
  CatchUpAlignment: 15_000_000_000,
  Gpbft: {
    Delta: 6_000_000_000,
    DeltaBackOffExponent: 2,
    QualityDeltaMultiplier: 1,
    MaxLookaheadRounds: 5,
    ChainProposedLength: 100,
    RebroadcastBackoffBase: 6_000_000_000,
    RebroadcastBackoffExponent: 1.3,
    RebroadcastBackoffSpread: 0.1,
    RebroadcastBackoffMax: 60_000_000_000,
  },
};
/** EC's BaseDecisionBackoffTable in the same manifest. */
const LOTUS_2K_BACKOFF_TABLE = [1.3, 1.69, 2.2, 2.86, 3.71, 4.83, 6.27, 7.5];
const LOTUS_2K_EXCHANGE = {
  CertificateExchange: { ClientRequestTimeout: 10_000_000_000, ServerRequestTimeout: 60_000_000_000, MinimumPollInterval: 30_000_000_000, MaximumPollInterval: 120_000_000_000 },
  PubSub: { CompressionEnabled: true, ChainCompressionEnabled: true, GMessageSubscriptionBufferSize: 128, ValidatedMessageBufferSize: 128 },
  ChainExchange: {
    SubscriptionBufferSize: 32,
    MaxChainLength: 100,
    MaxInstanceLookahead: 10,
    MaxDiscoveredChainsPerInstance: 1000,
    MaxWantedChainsPerInstance: 1000,
    RebroadcastInterval: 2_000_000_000,
    MaxTimestampAge: 8_000_000_000,
  },
  PartialMessageManager: {
    PendingDiscoveredChainsBufferSize: 100,
    PendingPartialMessagesBufferSize: 100,
    PendingChainBroadcastsBufferSize: 100,
    PendingInstanceRemovalBufferSize: 10,
    CompletedMessagesBufferSize: 100,
    MaxBufferedMessagesPerInstance: 25_000,
    MaxCachedValidatedMessagesPerInstance: 25_000,
  },
};

export const filecoinF3 = [
  defineMethod('Filecoin.F3IsRunning', [], () => true),

  defineMethod('Filecoin.F3GetLatestCertificate', [], ({ devnet }) => certificateJson(devnet, latestInstance(devnet))),

  defineMethod('Filecoin.F3GetCertificate', [instance], ({ devnet }, n) => {
    if (n > latestInstance(devnet)) throw new DevnetError('certificate not found');
    return certificateJson(devnet, n);
  }),

  // The committee of an instance up to the one under way (go-f3 certstore.go:285 GetPowerTable; the
  // manifest's InitialInstance is 0, so no instance is before the first): every instance's is the one participant.
  defineMethod('Filecoin.F3GetPowerTableByInstance', [instance], ({ devnet }, n) => {
    const next = latestInstance(devnet) + 1;
    if (n > next) throw new DevnetError(`cannot return future power table for instance ${n} > ${next}`);
    return [{ ID: PARTICIPANT.id, Power: PARTICIPANT.power, PubKey: b64(PARTICIPANT.pubKey) }];
  }),

  // The instance under way: the one after the latest decided, proposing the tipsets up to the head.
  defineMethod('Filecoin.F3GetProgress', [], ({ devnet }) => {
    const latest = latestInstance(devnet);
    const input = devnet.chain.range(latest, devnet.head.epoch);
    return { ID: latest + 1, Round: 0, Phase: PHASE_DECIDE, Input: input.map(ecTipsetJson) };
  }),

  defineMethod('Filecoin.F3GetManifest', [], ({ devnet }) => ({
    ProtocolVersion: 7,
    InitialInstance: 0,
    BootstrapEpoch: 0,
    NetworkName: NETWORK_NAME,
    InitialPowerTable: cidJson(powerTableCid()),
    CommitteeLookback: 10,
    ...LOTUS_2K_GPBFT,
    EC: { Period: devnet.blockDelay * 1e9, Finality: EC_FINALITY, DelayMultiplier: 2, BaseDecisionBackoffTable: LOTUS_2K_BACKOFF_TABLE, HeadLookback: devnet.f3Lag, Finalize: true },
    ...LOTUS_2K_EXCHANGE,
  })),

  // The tipset `finalized` names: F3's, or head - 900 when that is newer (Lotus's EC fallback).
  defineMethod('Filecoin.ChainGetFinalizedTipSet', [], ({ devnet }) => tipsetJson(devnet.finality().finalized)),
];
