// The explorer page served at GET / : a hash router over the views, a live head counter, and
// the first page refreshed as tipsets arrive. It reads the chain through the node's JSON-RPC and
// WebSocket only.
import { headEpoch } from './chain.js';
import { h, link, thousands } from './dom.js';
import { forkBadge, forkPoint } from './fork.js';
import { subscribeHeads } from './rpc.js';
import { searchTarget } from './search.js';
import { actorView } from './views/actor.js';
import { homeView } from './views/home.js';
import { messageView } from './views/message.js';
import { dealsView, dealView, minersView, minerView } from './views/storage.js';
import { tipsetView } from './views/tipset.js';

type Route = { view: () => Promise<HTMLElement>; live: boolean };

/**
 * The view a location hash names: #/, #/?before=N, #/tipset/N, #/message/ID, #/actor/ADDRESS,
 * #/miners, #/miner/ID, #/deals, #/deal/ID, #/search/TEXT (nothing found).
 */
function route(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const before = new URLSearchParams(query).get('before');
  switch (parts[0]) {
    case 'tipset':
      return { view: () => tipsetView(Number(parts[1])), live: false };
    case 'message':
      return { view: () => messageView(parts[1] ?? ''), live: false };
    case 'actor':
      return { view: () => actorView(parts[1] ?? ''), live: false };
    case 'miners':
      return { view: minersView, live: true };
    case 'miner':
      return { view: () => minerView(parts[1] ?? ''), live: true };
    case 'deals':
      return { view: dealsView, live: true };
    case 'deal':
      return { view: () => dealView(parts[1] ?? ''), live: true };
    case 'search':
      return { view: async () => h('div', {}, h('h1', {}, 'Nothing found'), h('p', {}, `Nothing on this chain is named ${parts[1] ?? ''}.`)), live: false };
    default:
      return { view: () => homeView(before === null ? undefined : Number(before)), live: before === null };
  }
}

const main = document.querySelector('main')!;
const headLabel = document.getElementById('head')!;
let current: Route = route(location.hash);
let rendering = 0;

async function render(): Promise<void> {
  const ticket = ++rendering;
  const hash = location.hash;
  current = route(hash);
  let view: HTMLElement;
  try {
    view = await current.view();
  } catch (err) {
    view = h('div', { class: 'error' }, h('h1', {}, 'Not found'), h('p', {}, (err as Error).message), link('#/', 'Back to the latest tipsets'));
  }
  // A slower earlier render must not replace a newer one.
  if (ticket !== rendering) return;
  main.replaceChildren(view);
  main.setAttribute('data-ready', String(ticket));
  // Which location the shown view is for, so a test can wait for this view rather than the last one.
  main.setAttribute('data-route', hash);
}

const showHead = (epoch: number) => {
  headLabel.textContent = `head ${thousands(epoch)}`;
};
void headEpoch().then(showHead);
void forkPoint().then((fork) => fork && headLabel.before(forkBadge(fork)));

// New heads: the counter always, the first page at most a few times a second.
let pending: ReturnType<typeof setTimeout> | undefined;
subscribeHeads((epoch) => {
  showHead(epoch);
  if (!current.live || pending) return;
  pending = setTimeout(() => {
    pending = undefined;
    void render();
  }, 300);
});

document.querySelector('form.search')!.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = (event.target as HTMLFormElement).querySelector('input')!;
  const text = input.value.trim();
  if (!text) return;
  void searchTarget(text)
    .catch(() => undefined)
    .then((target) => {
      location.hash = target ?? `#/search/${encodeURIComponent(text)}`;
    });
});

window.addEventListener('hashchange', () => {
  window.scrollTo(0, 0);
  void render();
});
void render();
