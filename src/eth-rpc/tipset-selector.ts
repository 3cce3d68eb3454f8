// Lotus's v2 TipSetSelector (/rpc/v2): exactly one of a tag ("latest", "safe", "finalized"), a
// height ({at, previous, anchor}) or a tipset key. A height is looked up below its anchor, which is
// itself a tag or a key selector and defaults to "finalized"; at a null round `previous` takes the
// tipset before it, otherwise the one after.
import type { CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Tipset } from '../mining/tipset.js';
import { tipsetAtHeightFrom } from './block-ref.js';
import { tipsetKey, tipsetOf } from './lotus-params.js';
import { describeValue, invalid, parseNonNegative, type Param } from './params.js';

type Tag = 'latest' | 'safe' | 'finalized';
type Anchor = { tag: Tag } | { key: CID[] };
export type TipsetSelector = Anchor | { height: { at: number; previous: boolean; anchor?: Anchor } };

const TAGS: readonly string[] = ['latest', 'safe', 'finalized'];

function onlyOne(name: string, value: unknown, allowed: readonly string[]): [string, unknown] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'expected a tipset selector object');
  const set = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
  if (set.length !== 1 || !allowed.includes(set[0]![0])) throw invalid(name, `exactly one of ${allowed.join(', ')} must be set`);
  return set[0]!;
}

function parseAnchor(name: string, value: unknown): Anchor {
  const [field, v] = onlyOne(name, value, ['tag', 'key']);
  if (field === 'key') return { key: tipsetKey(`${name}.key`).parse(v) };
  if (typeof v !== 'string' || !TAGS.includes(v)) throw invalid(`${name}.tag`, `unknown tag ${describeValue(v)}: expected latest, safe or finalized`);
  return { tag: v as Tag };
}

/** The selector parameters of the method tables (fork-selectors.ts routes those naming the upstream's tipsets). */
const SELECTOR_PARAMS = new WeakSet<Param<unknown>>();

export const tipsetSelector = (name: string): Param<TipsetSelector> => {
  const param: Param<TipsetSelector> = {
    name,
    parse: (value) => {
      const [field, v] = onlyOne(name, value, ['tag', 'height', 'key']);
      if (field !== 'height') return parseAnchor(name, { [field]: v });
      const { at, previous = false, anchor } = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
      const epoch = parseNonNegative(`${name}.height.at`, at, 'epoch number');
      if (typeof previous !== 'boolean') throw invalid(`${name}.height.previous`, 'expected a boolean');
      return { height: { at: epoch, previous, anchor: anchor === undefined || anchor === null ? undefined : parseAnchor(`${name}.height.anchor`, anchor) } };
    },
  };
  SELECTOR_PARAMS.add(param);
  return param;
};

export const isTipsetSelector = (param: Param<unknown>): boolean => SELECTOR_PARAMS.has(param);

function anchorTipset(devnet: Devnet, anchor: Anchor): Tipset {
  if ('key' in anchor) return tipsetOf(devnet, anchor.key);
  return anchor.tag === 'latest' ? devnet.head : devnet.finality()[anchor.tag];
}

/** The tipset a selector names. */
export function selectTipset(devnet: Devnet, selector: TipsetSelector): Tipset {
  if (!('height' in selector)) return anchorTipset(devnet, selector);
  const { at, previous, anchor = { tag: 'finalized' } } = selector.height;
  return tipsetAtHeightFrom(devnet, at, anchorTipset(devnet, anchor), previous ? 'before' : 'after');
}
