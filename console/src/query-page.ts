import { api, ApiError, schemaColumns } from './api.js';
import type { BrokerResponse, QueryException } from './api.js';
import { h, mount, statusLine } from './dom.js';
import { clearHistory, loadHistory, remember } from './query-history.js';
import { download, resultGrid, statsList, toCsv, toJson } from './results.js';
import { createSqlEditor } from './sql-editor.js';
import type { SqlSchema } from './sql-editor.js';

/** `at line L, column C` in a query error message, when the parser gave a position. */
export function errorPosition(message: string): { line: number; column: number } | null {
  const match = /line (\d+), column (\d+)/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null;
}

/** The query page: SQL editor, run, results with types, statistics, errors, history, downloads. */
export async function queryPage(root: HTMLElement): Promise<void> {
  const tables = await api.tables().catch(() => [] as string[]);
  const initial = loadHistory()[0] ?? (tables[0] ? `SELECT * FROM ${tables[0]} LIMIT 10` : 'SELECT 1');
  const editorBox = h('div', { class: 'editor', id: 'editor' });
  const status = statusLine();
  const output = h('section', { class: 'output', 'aria-label': 'Query output' });
  const historyList = h('ol', { class: 'history', id: 'history' });
  let last: BrokerResponse | null = null;

  const csvButton = h('button', { type: 'button', disabled: true, onclick: () => last?.resultTable && download('result.csv', 'text/csv', toCsv(last.resultTable)) }, 'Download CSV');
  const jsonButton = h('button', { type: 'button', disabled: true, onclick: () => last?.resultTable && download('result.json', 'application/json', toJson(last.resultTable)) }, 'Download JSON');
  const runButton = h('button', { type: 'button', class: 'primary', id: 'run', onclick: () => void run() }, 'Run');

  const editor = createSqlEditor(editorBox, initial, () => void run());

  function showHistory(history: string[]): void {
    mount(
      historyList,
      ...history.map((q) =>
        h('li', {}, h('button', { type: 'button', class: 'link', title: q, onclick: () => (editor.setText(q), editor.view.focus()) }, q.length > 120 ? `${q.slice(0, 117)}…` : q)),
      ),
    );
  }

  function showErrors(exceptions: QueryException[]): void {
    const items = exceptions.map((e) => {
      const position = errorPosition(e.message);
      return h(
        'li',
        {},
        h('strong', { class: 'code' }, `Error ${e.errorCode}`),
        ' ',
        h('span', { class: 'message' }, e.message),
        position && ' ',
        position &&
          h('button', { type: 'button', class: 'link', onclick: () => editor.moveTo(position.line, position.column) }, `go to line ${position.line}, column ${position.column}`),
      );
    });
    mount(output, h('div', { class: 'error', role: 'alert', id: 'query-error' }, h('ul', {}, items)));
    const first = exceptions.map((e) => errorPosition(e.message)).find((p) => p !== null);
    if (first) editor.moveTo(first.line, first.column);
  }

  async function run(): Promise<void> {
    const sql = editor.text().trim();
    if (sql === '') return;
    showHistory(remember(sql));
    runButton.disabled = true;
    status.textContent = 'Running…';
    const started = performance.now();
    try {
      const response = await api.query(sql);
      last = response;
      const ok = response.exceptions.length === 0 && response.resultTable !== undefined;
      csvButton.disabled = jsonButton.disabled = !ok;
      if (!ok) {
        showErrors(response.exceptions.length > 0 ? response.exceptions : [{ errorCode: 0, message: 'no result table' }]);
        status.textContent = 'The query failed.';
      } else {
        mount(output, statsList(response), resultGrid(response.resultTable!));
        status.textContent = `${response.numRowsResultSet} ${response.numRowsResultSet === 1 ? 'row' : 'rows'} in ${Math.round(performance.now() - started)} ms.`;
      }
    } catch (err) {
      last = null;
      csvButton.disabled = jsonButton.disabled = true;
      const code = err instanceof ApiError ? err.code : 0;
      showErrors([{ errorCode: code, message: err instanceof Error ? err.message : String(err) }]);
      status.textContent = 'The query failed.';
    } finally {
      runButton.disabled = false;
    }
  }

  showHistory(loadHistory());
  mount(
    root,
    h('h1', {}, 'Query'),
    h(
      'div',
      { class: 'query-layout' },
      h(
        'div',
        { class: 'query-main' },
        editorBox,
        h('div', { class: 'toolbar' }, runButton, h('span', { class: 'hint' }, 'Ctrl/Cmd + Enter'), csvButton, jsonButton),
        status,
        output,
      ),
      h(
        'aside',
        { class: 'query-side', 'aria-label': 'Query history' },
        h('h2', {}, 'History'),
        historyList,
        h('button', { type: 'button', class: 'link', onclick: () => (clearHistory(), showHistory([])) }, 'Clear history'),
      ),
    ),
  );

  // Completion: each table with its columns, from the schemas.
  const names = await api.schemas().catch(() => [] as string[]);
  const schema: SqlSchema = {};
  await Promise.all(
    names.map(async (name) => {
      const s = await api.schema(name).catch(() => null);
      if (s) schema[name] = schemaColumns(s).map((c) => c.spec.name);
    }),
  );
  for (const t of tables) if (schema[t] === undefined && schema[t.replace(/_REALTIME$/, '')]) schema[t] = schema[t.replace(/_REALTIME$/, '')]!;
  editor.setSchema(schema);
  editor.view.focus();
}
