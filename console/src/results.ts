import type { BrokerResponse } from './api.js';
import { fmt, fmtTime, h } from './dom.js';

type ResultTable = NonNullable<BrokerResponse['resultTable']>;

const cellText = (value: unknown): string => (value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** The result rows as a table, each header naming its column and its type. */
export function resultGrid(result: ResultTable): HTMLElement {
  const { columnNames, columnDataTypes } = result.dataSchema;
  const head = h(
    'tr',
    {},
    columnNames.map((name, i) => h('th', { scope: 'col' }, h('span', { class: 'col-name' }, name), h('span', { class: 'col-type' }, columnDataTypes[i] ?? ''))),
  );
  const numeric = columnDataTypes.map((t) => /^(INT|LONG|FLOAT|DOUBLE|BIG_DECIMAL|TIMESTAMP)$/.test(t));
  const body = result.rows.map((row) => h('tr', {}, row.map((value, i) => h('td', { class: numeric[i] ? 'num' : null }, cellText(value)))));
  return h(
    'div',
    { class: 'grid-wrap', tabindex: 0, role: 'region', 'aria-label': 'Query results' },
    h('table', { class: 'grid', id: 'results' }, h('thead', {}, head), h('tbody', {}, body)),
  );
}

/** The response statistics Pinot's console shows, as a definition list. */
export function statsList(response: BrokerResponse): HTMLElement {
  const freshness = response.minConsumingFreshnessTimeMs;
  const items: [string, string][] = [
    ['rows', fmt(response.numRowsResultSet)],
    ['numDocsScanned', fmt(response.numDocsScanned)],
    ['totalDocs', fmt(response.totalDocs)],
    ['segments queried / processed / matched', `${response.numSegmentsQueried} / ${response.numSegmentsProcessed} / ${response.numSegmentsMatched}`],
    ['consuming segments', fmt(response.numConsumingSegmentsQueried)],
    ['timeUsedMs', fmt(response.timeUsedMs)],
    ['minConsumingFreshnessTimeMs', freshness > 0 ? `${freshness} (${fmtTime(freshness)})` : '—'],
  ];
  return h('dl', { class: 'stats', id: 'stats' }, items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { 'data-stat': k }, v))));
}

function csvField(value: unknown): string {
  const text = value === null ? '' : cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: a header line of column names, then one line per row; null is an empty field. */
export function toCsv(result: ResultTable): string {
  const lines = [result.dataSchema.columnNames.map(csvField).join(',')];
  for (const row of result.rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The rows as JSON objects keyed by column name. */
export function toJson(result: ResultTable): string {
  const names = result.dataSchema.columnNames;
  return `${JSON.stringify(result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))), null, 2)}\n`;
}

/** Saves `text` as a file through a temporary object URL. */
export function download(fileName: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
