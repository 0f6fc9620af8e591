import { api, ApiError } from './api.js';
import type { ConsumingInfo, DeadLetter } from './api.js';
import { fmt, fmtTime, h, mount, statusLine } from './dom.js';
import { METRICS, MetricChart } from './ingestion-charts.js';
import type { Sample } from './ingestion-charts.js';

const POLL_MS = 2000;
const WINDOW_MS = 5 * 60_000;

function preview(base64: string): string {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  } catch {
    return base64.slice(0, 160);
  }
}

function shardTable(info: ConsumingInfo): HTMLElement {
  const headers = ['Shard', 'State', 'Rows consuming', 'Records', 'Lag ms', 'Dropped', 'Dead letters', 'Throttled', 'Errors', 'Last error'];
  return h(
    'table',
    { class: 'grid', id: 'shards' },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      info.shardtablePartitions.map((p) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', class: 'mono' }, p.shardId),
          h('td', {}, p.state),
          h('td', { class: 'num' }, fmt(p.rowsInConsumingSegment)),
          h('td', { class: 'num' }, fmt(p.recordsConsumed)),
          h('td', { class: 'num' }, p.msBehindLatest === null ? '—' : fmt(p.msBehindLatest)),
          h('td', { class: 'num' }, fmt(p.recordsDropped)),
          h('td', { class: 'num' }, fmt(p.recordsDeadLettered ?? 0)),
          h('td', { class: 'num' }, fmt(p.throttleCount)),
          h('td', { class: 'num' }, fmt(p.errorCount)),
          h('td', { class: 'message' }, p.lastError ?? ''),
        ),
      ),
    ),
  );
}

function deadLetterTable(total: number, letters: DeadLetter[]): HTMLElement {
  if (total === 0) return h('p', { id: 'dead-letters' }, 'No dead letters.');
  return h(
    'div',
    { class: 'grid-wrap', id: 'dead-letters', tabindex: 0, role: 'region', 'aria-label': 'Dead letters' },
    h('p', {}, total === 1 ? '1 dead letter:' : `${fmt(total)} dead letters; the latest ${letters.length}:`),
    h(
      'table',
      { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Shard', 'Sequence number', 'Reason', 'When', 'Record'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        [...letters].reverse().map((d) =>
          h('tr', {}, h('td', { class: 'mono' }, d.shardId), h('td', { class: 'mono' }, d.sequenceNumber), h('td', {}, d.reason), h('td', {}, fmtTime(d.deadLetteredAtMs)), h('td', { class: 'mono' }, preview(d.valueBase64))),
        ),
      ),
    ),
  );
}

/**
 * Live ingestion of one table: polls `consumingSegmentsInfo` every 2 s, keeps five minutes of
 * samples, and draws per-shard records/s, bytes/s and lag; below, the shards' counters and the
 * dead letters. Returns the function that stops polling when the page is left.
 */
export async function ingestionPage(root: HTMLElement, selected: string | undefined): Promise<() => void> {
  const tables = await api.tables();
  const table = selected && tables.includes(selected) ? selected : tables[0];
  if (table === undefined) {
    mount(root, h('h1', {}, 'Ingestion'), h('p', {}, 'No tables yet.'));
    return () => {};
  }
  const picker = h(
    'select',
    { id: 'table-picker', onchange: (e: Event) => (location.hash = `#/ingestion/${encodeURIComponent((e.target as HTMLSelectElement).value)}`) },
    tables.map((t) => {
      const option = h('option', { value: t }, t);
      option.selected = t === table;
      return option;
    }),
  );
  const status = statusLine('Polling…');
  const charts = METRICS.map((m) => new MetricChart(m));
  const shardsBox = h('div', { class: 'grid-wrap', tabindex: 0, role: 'region', 'aria-label': 'Shards' });
  const lettersBox = h('div', {});
  mount(
    root,
    h('h1', {}, 'Ingestion'),
    h('div', { class: 'toolbar' }, h('label', { for: 'table-picker' }, 'Table '), picker),
    status,
    h('div', { class: 'charts' }, charts.map((c) => c.element)),
    h('h2', {}, 'Shards'),
    shardsBox,
    h('h2', {}, 'Dead letters'),
    lettersBox,
  );

  const samples: Sample[] = [];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new ResizeObserver(() => charts.forEach((c) => c.resize()));
  observer.observe(root);

  async function poll(): Promise<void> {
    try {
      const [info, letters] = await Promise.all([api.consumingInfo(table!), api.deadLetters(table!)]);
      if (stopped) return;
      const now = Date.now();
      samples.push({ atMs: now, partitions: info.shardtablePartitions });
      while (samples.length > 0 && samples[0]!.atMs < now - WINDOW_MS) samples.shift();
      charts.forEach((c) => c.update(samples));
      mount(shardsBox, shardTable(info));
      mount(lettersBox, deadLetterTable(letters.total, letters.deadLetters));
      const ingestion = info.shardtableTable?.ingestion;
      const lag = info.shardtableLag.maxMsBehindLatest;
      status.textContent = `${info.shardtablePartitions.length} shards · max lag ${lag === null ? '—' : `${fmt(lag)} ms`}${ingestion && ingestion.state !== 'RUNNING' ? ` · stream ${ingestion.state}: ${ingestion.lastError ?? ''}` : ''} · updated ${fmtTime(now)}`;
    } catch (err) {
      status.textContent = `Could not read ${table}: ${err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)}`;
    }
    if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
  }
  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    observer.disconnect();
    charts.forEach((c) => c.destroy());
  };
}
