// Showing decoded values: Lotus's JSON of params (StateDecodeParams), CBOR returns and the
// entries of actor events (FIP-0049 / FIP-0083), as nested field lists.
import { decode } from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { h, type Child } from './dom.js';

export const base64Bytes = (text: string | null | undefined): Uint8Array => Uint8Array.from(atob(text ?? ''), (c) => c.charCodeAt(0));
export const hex = (bytes: Uint8Array): string => '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** CBOR bytes as a value, or undefined when they are not CBOR. */
export function cborValue(bytes: Uint8Array): unknown {
  try {
    return decode(bytes);
  } catch {
    return undefined;
  }
}

/** One value as a list of its fields (objects), its items (lists), or text. */
export function valueView(value: unknown): Child {
  if (value === null || value === undefined) return h('code', {}, 'null');
  if (value instanceof Uint8Array) return h('code', { class: 'wrap' }, value.length ? hex(value) : '(empty)');
  const cid = CID.asCID(value);
  if (cid) return h('code', { class: 'wrap' }, cid.toString());
  if (Array.isArray(value)) {
    if (value.length === 0) return h('code', {}, '[]');
    return h('ol', { class: 'items', start: '0' }, value.map((item) => h('li', {}, valueView(item))));
  }
  if (typeof value === 'object') {
    // Lotus's JSON of a CID.
    const link = (value as Record<string, unknown>)['/'];
    if (typeof link === 'string' && Object.keys(value).length === 1) return h('code', { class: 'wrap' }, link);
    return fieldList(Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, valueView(v)]));
  }
  return h('code', { class: 'wrap' }, String(value));
}

/** Names and values, one per line. */
export function fieldList(fields: [string, Child][]): HTMLElement {
  return h('dl', { class: 'fields' }, fields.map(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]));
}

/** An event entry as Lotus serves it (ChainGetEvents): CBOR (0x51) values decoded, raw ones (0x55, EVM topics and data) as hex. */
export interface EventEntry {
  Flags: number;
  Key: string;
  Codec: number;
  Value: string;
}

const CBOR_CODEC = 0x51;

export function entryValue(entry: EventEntry): unknown {
  const bytes = base64Bytes(entry.Value);
  return entry.Codec === CBOR_CODEC ? (cborValue(bytes) ?? bytes) : bytes;
}
