import './style.css';
import { h, mount } from './dom.js';
import { ingestionPage } from './ingestion-page.js';
import { queryPage } from './query-page.js';
import { tablePage, tablesPage } from './tables-page.js';

/**
 * The console's router: `#/query`, `#/tables`, `#/tables/<name>`, `#/ingestion[/<name>]`. A page
 * may return a function that stops its work (polling) when another page opens.
 */
let leave: (() => void) | undefined;
let generation = 0;

async function route(): Promise<void> {
  const main = document.getElementById('main')!;
  const [first, arg] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = first || 'query';
  leave?.();
  leave = undefined;
  const mine = ++generation;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page[0]!.toUpperCase()}${page.slice(1)} · shardtable console`;
  try {
    if (page === 'tables' && arg) await tablePage(main, arg);
    else if (page === 'tables') await tablesPage(main);
    else if (page === 'ingestion') {
      const stop = await ingestionPage(main, arg);
      if (mine === generation) leave = stop;
      else stop();
    } else await queryPage(main);
  } catch (err) {
    mount(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
}

window.addEventListener('hashchange', () => void route());
void route();
