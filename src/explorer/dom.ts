// Building the page: a small element helper and the formats the views share.

export type Child = Node | string | number | null | undefined | false | Child[];

/** An element with attributes (undefined ones left out) and children (falsy ones left out). */
export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) element.setAttribute(name, value);
  append(element, children);
  return element;
}

function append(parent: HTMLElement, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
}

export const link = (href: string, ...children: Child[]) => h('a', { href }, ...children);

/** A table with a header row; each row a list of cells. */
export function table(headers: string[], rows: Child[][], className?: string): HTMLElement {
  return h(
    'table',
    { class: className },
    h('thead', {}, h('tr', {}, headers.map((name) => h('th', {}, name)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': headers[i] }, cell))))),
  );
}

/** Label/value pairs, as on the message, tipset and actor pages. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

const ATTO = 10n ** 18n;

/** attoFIL (a bigint or an 0x quantity) as FIL with up to 6 decimals: "1.5 FIL". */
export function fil(value: bigint | string): string {
  const atto = typeof value === 'bigint' ? value : BigInt(value);
  const sign = atto < 0n ? '-' : '';
  const abs = atto < 0n ? -atto : atto;
  const fraction = (abs % ATTO).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  const text = `${sign}${(abs / ATTO).toLocaleString('en-US')}${fraction ? '.' + fraction : ''}`;
  if (text === '0' && abs > 0n) return `${abs} attoFIL`;
  return `${text} FIL`;
}

/** A long hex string or CID cut in the middle: 0x1234…abcd. */
export function short(text: string, keep = 6): string {
  return text.length <= keep * 2 + 3 ? text : `${text.slice(0, keep + (text.startsWith('0x') ? 2 : 0))}…${text.slice(-keep)}`;
}

/** How long ago a unix time was, in the largest unit that fits. */
export function ago(seconds: number): string {
  const delta = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  if (delta < 60) return `${delta} s ago`;
  if (delta < 3600) return `${Math.floor(delta / 60)} min ago`;
  if (delta < 86400) return `${Math.floor(delta / 3600)} h ago`;
  return `${Math.floor(delta / 86400)} d ago`;
}

export const num = (hex: string): number => Number(BigInt(hex));
export const thousands = (n: number | bigint): string => n.toLocaleString('en-US');
