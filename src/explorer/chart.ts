// A small line chart in plain SVG: amounts (attoFIL) over epochs, one line per series, with the
// first and last epoch and the largest amount as labels, and a legend.
import { fil, h } from './dom.js';

interface Series {
  label: string;
  /** The CSS class that colours the line (app.css: svg.chart .series-N). */
  className: string;
  values: bigint[];
}

const WIDTH = 480;
const HEIGHT = 140;
const SVG = 'http://www.w3.org/2000/svg';

function svgElement(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The series over `epochs` (one value of each series per epoch). */
export function lineChart(title: string, epochs: number[], series: Series[]): HTMLElement {
  const first = epochs[0] ?? 0;
  const last = epochs[epochs.length - 1] ?? first;
  const max = series.flatMap((s) => s.values).reduce((a, b) => (b > a ? b : a), 0n);
  const x = (epoch: number) => ((epoch - first) / Math.max(1, last - first)) * WIDTH;
  // Scaled in millionths of the largest amount, so bigints never lose their order as numbers.
  const y = (value: bigint) => HEIGHT - (max === 0n ? 0 : Number((value * 1_000_000n) / max) / 1_000_000) * HEIGHT;
  const svg = svgElement('svg', { viewBox: `-4 -16 ${WIDTH + 8} ${HEIGHT + 36}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(
    svgElement('line', { x1: 0, y1: HEIGHT, x2: WIDTH, y2: HEIGHT, class: 'axis' }),
    svgElement('text', { x: 0, y: -4 }, fil(max)),
    svgElement('text', { x: 0, y: HEIGHT + 16 }, `epoch ${first}`),
    svgElement('text', { x: WIDTH, y: HEIGHT + 16, 'text-anchor': 'end' }, `epoch ${last}`),
  );
  for (const s of series) {
    const points = s.values.map((value, i) => `${x(epochs[i]!).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    svg.append(svgElement('polyline', { points, class: `line ${s.className}`, 'data-series': s.label }));
  }
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, title),
    svg,
    h('ul', { class: 'legend' }, series.map((s) => h('li', { class: s.className }, `${s.label}: ${fil(s.values[s.values.length - 1] ?? 0n)}`))),
  );
}
