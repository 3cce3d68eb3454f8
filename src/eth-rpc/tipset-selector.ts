// Lotus's v2 TipSetSelector (/rpc/v2): exactly one of a tag ("latest", "safe", "finalized"), a
// height ({at, previous, anchor}) or a tipset key. A height is looked up below its anchor, which is
// itself a tag or a key selector and defaults to "finalized" (an empty anchor is the head, as Lotus
// reads a zero-valued one); at a null round `previous` takes the tipset before it, otherwise the one after.
import type { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Tipset } from '../mining/tipset.js';
import { tipsetAtHeightFrom } from './block-ref.js';
import { goFields, tipsetKey, tipsetOf } from './lotus-params.js';
import { describeValue, invalid, type Param } from './params.js';

type Tag = 'latest' | 'safe' | 'finalized';
type Anchor = { tag: Tag } | { key: CID[] };
export type TipsetSelector = Anchor | { height: { at: number; previous: boolean; anchor?: Anchor } };

const TAGS: readonly string[] = ['latest', 'safe', 'finalized'];
/** How much of an unknown tag its error shows. */
const SHOWN_TAG = 80;

/**
 * The fields named in `fields` that an object sets, as Go's JSON reads it into a struct (goFields:
 * a key in another case names a field too, unknown keys are dropped); null leaves a field unset.
 */
function fieldsOf(name: string, value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'expected a tipset selector object');
  return Object.fromEntries(Object.entries(goFields(value, fields)).filter(([, v]) => v !== undefined && v !== null));
}

/** A tag, which must be a string (a decoding error otherwise). */
function tagOf(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(name, `expected a tag string, got ${describeValue(value)}`);
  return value;
}

/** A tag Lotus knows; for another, its error once the selector is valid (chain_v2.go getTipSetByTag), a long tag cut short. */
function knownTag(tag: string, failure: (message: string) => DevnetError): Tag {
  if (!TAGS.includes(tag)) throw failure(`unknown tipset tag: ${tag.length > SHOWN_TAG ? `${tag.slice(0, SHOWN_TAG)}…` : tag}`);
  return tag as Tag;
}

interface DecodedAnchor {
  key?: CID[];
  tag?: string;
}

/** A height criterion as decoded: `at` an integer if given, `previous` a boolean, the anchor a key and/or a tag. */
function decodeHeight(name: string, value: unknown): { at?: number; previous: boolean; anchor?: DecodedAnchor } {
  const { at, previous = false, anchor } = fieldsOf(name, value, ['at', 'previous', 'anchor']);
  if (at !== undefined && (typeof at !== 'number' || !Number.isSafeInteger(at))) throw invalid(`${name}.at`, 'expected an epoch number');
  if (typeof previous !== 'boolean') throw invalid(`${name}.previous`, 'expected a boolean');
  if (anchor === undefined) return { at: at as number | undefined, previous };
  const { key, tag } = fieldsOf(`${name}.anchor`, anchor, ['key', 'tag']);
  const decoded: DecodedAnchor = {};
  if (key !== undefined) decoded.key = tipsetKey(`${name}.anchor.key`).parse(key);
  if (tag !== undefined) decoded.tag = tagOf(`${name}.anchor.tag`, tag);
  return { at: at as number | undefined, previous, anchor: decoded };
}

/** A valid anchor: its key, its tag, or, with neither, the heaviest tipset (chain_v2.go getTipSetByAnchor of a zero-valued one). */
function anchorOf(anchor: DecodedAnchor, failure: (message: string) => DevnetError): Anchor {
  if (anchor.key) return { key: anchor.key };
  return { tag: anchor.tag === undefined ? 'latest' : knownTag(anchor.tag, failure) };
}

/** The selector parameters of the method tables (fork-selectors.ts routes those naming the upstream's tipsets). */
const SELECTOR_PARAMS = new WeakSet<Param<unknown>>();

/**
 * A TipSetSelector parameter. What does not decode (not an object, a field of the wrong type) is
 * -32602 naming it; a selector that decodes but is not valid is Lotus's error (code 1) with its text
 * (chain/types/tipset_selector.go Validate, node/impl/full/chain_v2.go ChainGetTipSet), after
 * `prefix`, which the state methods wrap it in ("getting tipset: ", state_v2.go).
 */
export const tipsetSelector = (name: string, prefix = ''): Param<TipsetSelector> => {
  const failure = (message: string) => new DevnetError(`${prefix}${message}`);
  const param: Param<TipsetSelector> = {
    name,
    parse: (value) => {
      const fields = fieldsOf(name, value, ['key', 'height', 'tag']);
      const key = fields.key === undefined ? undefined : tipsetKey(`${name}.key`).parse(fields.key);
      const tag = fields.tag === undefined ? undefined : tagOf(`${name}.tag`, fields.tag);
      const height = fields.height === undefined ? undefined : decodeHeight(`${name}.height`, fields.height);
      // Validate: a height's epoch given and not negative, its anchor not both; exactly one criterion.
      if (height) {
        const invalidHeight = (why: string) => failure(`validating selector: validating tipset height: ${why}`);
        if (height.at === undefined) throw invalidHeight('invalid tipset height: at epoch must be specified');
        if (height.at < 0) throw invalidHeight('invalid tipset height: epoch cannot be less than zero');
        if (height.anchor?.key && height.anchor.tag !== undefined) throw invalidHeight('invalid tipset anchor: at most one of key or tag must be specified');
      }
      const criteria = Object.keys(fields).length;
      if (criteria !== 1) throw failure(`validating selector: exactly one tipset selection criteria must be specified, found: ${criteria}`);
      if (key) return { key };
      if (tag !== undefined) return { tag: knownTag(tag, failure) };
      const anchor = height!.anchor && anchorOf(height!.anchor, (message) => failure(`getting anchor from tipset: ${message}`));
      return { height: { at: height!.at!, previous: height!.previous, anchor } };
    },
  };
  SELECTOR_PARAMS.add(param);
  return param;
};

export const isTipsetSelector = (param: Param<unknown>): boolean => SELECTOR_PARAMS.has(param);

/** How a selector's key is found: tipsetOf (the chain's), or keptTipsetOf (one a revert dropped too). */
type KeyFinder = (devnet: Devnet, key: CID[]) => Tipset;

function anchorTipset(devnet: Devnet, anchor: Anchor, byKey: KeyFinder): Tipset {
  if ('key' in anchor) return byKey(devnet, anchor.key);
  return anchor.tag === 'latest' ? devnet.head : devnet.finality()[anchor.tag];
}

/**
 * The tipset a selector names, its key (or its height's anchor key) found `byKey`: the chain's for
 * the state reads; ChainGetTipSet passes keptTipsetOf, as Lotus loads any key its blockstore holds
 * (chain_v2.go: GetTipSetFromKey), and a height then walks that tipset's branch (tipsetAtHeightFrom).
 */
export function selectTipset(devnet: Devnet, selector: TipsetSelector, byKey: KeyFinder = tipsetOf): Tipset {
  if (!('height' in selector)) return anchorTipset(devnet, selector, byKey);
  const { at, previous, anchor = { tag: 'finalized' } } = selector.height;
  return tipsetAtHeightFrom(devnet, at, anchorTipset(devnet, anchor, byKey), previous ? 'before' : 'after');
}
