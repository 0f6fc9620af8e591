import { api, ApiError, schemaColumns } from './api.js';
import type { ConsumingInfo, PauseStatus } from './api.js';
import { forceCommitAndWait, waitForPauseCommits } from './force-commit.js';
import { fmt, fmtBytes, fmtTime, h, mount, statusLine } from './dom.js';

/**
 * A table's state for people: `ERROR` when it failed to start, its stream cannot be listed
 * (`ingestion: DOWN`), its stream was recreated (`STREAM_RECREATED`) or a shard stopped on an error; else `PAUSED`, `CONSUMING`, or the server's word.
 */
function stateOf(s: PauseStatus | null, info: ConsumingInfo | null): { state: string; why: string | null } {
  if (s === null) return { state: 'UNKNOWN', why: null };
  if (s.error) return { state: 'ERROR', why: s.error };
  if (s.pauseFlag) return { state: 'PAUSED', why: null };
  if (s.ingestion === 'STREAM_RECREATED') return { state: 'ERROR', why: info?.shardtableTable?.ingestion?.lastError ?? 'its stream was deleted and created again (POST /tables/{t}/resetStream)' };
  if (s.ingestion === 'DOWN') return { state: 'ERROR', why: `its stream cannot be reached: ${info?.shardtableTable?.ingestion?.lastError ?? 'see the Ingestion page'}` };
  const failed = info?.shardtablePartitions.filter((p) => p.state === 'ERROR') ?? [];
  if (failed.length > 0) return { state: 'ERROR', why: `shard ${failed[0]!.shardId} stopped${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}: ${failed[0]!.lastError ?? 'see the Ingestion page'}` };
  return { state: s.state === 'RUNNING' ? 'CONSUMING' : s.state, why: null };
}

const tableState = async (name: string): Promise<{ state: string; why: string | null }> => {
  const [pause, info] = await Promise.all([api.pauseStatus(name).catch(() => null), api.consumingInfo(name).catch(() => null)]);
  return stateOf(pause, info);
};
const badge = (state: string): HTMLElement => h('span', { class: `badge badge-${state.toLowerCase()}`, 'data-state': state }, state);
const message = (err: unknown): string => (err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));

async function rowCount(table: string): Promise<number | null> {
  const response = await api.query(`SELECT count(*) FROM ${table}`).catch(() => null);
  const value = response?.resultTable?.rows[0]?.[0];
  return typeof value === 'number' ? value : null;
}

/** A size cell from `GET /tables/{t}/size` (sealed files on disk; consuming segments are in memory). */
function sizeCell(bytes: number | null): HTMLElement {
  if (bytes === null) return h('td', { class: 'num' }, '—');
  return h('td', { class: 'num', title: `${fmt(bytes)} bytes`, 'data-bytes': bytes }, fmtBytes(bytes));
}

/** Every table with its state, rows, size on disk and segment count. */
export async function tablesPage(root: HTMLElement): Promise<void> {
  const status = statusLine('Loading tables…');
  mount(root, h('h1', {}, 'Tables'), status);
  const tables = await api.tables();
  const rows = await Promise.all(
    tables.map(async (name) => {
      const [state, count, size, segments] = await Promise.all([
        tableState(name),
        rowCount(name),
        api.size(name).then((s) => s.reportedSizeInBytes).catch(() => null),
        api.segments(name).catch(() => [] as string[]),
      ]);
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('a', { href: `#/tables/${encodeURIComponent(name)}` }, name)),
        h('td', {}, badge(state.state), state.why ? h('div', { class: 'hint message', title: state.why }, state.why.length > 120 ? `${state.why.slice(0, 117)}…` : state.why) : null),
        h('td', { class: 'num' }, count === null ? '—' : fmt(count)),
        sizeCell(size),
        h('td', { class: 'num' }, fmt(segments.length)),
      );
    }),
  );
  status.textContent = tables.length === 0 ? 'No tables yet: POST a schema and a table config (README).' : '';
  mount(
    root,
    h('h1', {}, 'Tables'),
    status,
    tables.length > 0 &&
      h(
        'div',
        { class: 'grid-wrap' },
        h(
          'table',
          { class: 'grid', id: 'tables' },
          h('thead', {}, h('tr', {}, ['Table', 'State', 'Rows', 'Size on disk', 'Segments'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows),
        ),
      ),
  );
}

async function segmentRows(name: string): Promise<HTMLElement[]> {
  const segments = await api.segments(name);
  const metas = await Promise.all(segments.map((s) => api.segmentMetadata(name, s).catch(() => ({ segmentName: s }) as Record<string, unknown>)));
  return metas.map((m) => {
    const consuming = m.status === 'IN_PROGRESS';
    const docs = (consuming ? m.totalDocs : m.numDocs) as number | undefined;
    return h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'mono' }, String(m.segmentName)),
      h('td', {}, consuming ? 'CONSUMING' : 'SEALED'),
      h('td', { class: 'mono' }, String(m.shardId ?? '')),
      h('td', { class: 'num' }, docs === undefined ? '—' : fmt(docs)),
      h('td', {}, fmtTime(m.startTimeMs as number | undefined)),
      h('td', {}, fmtTime(m.endTimeMs as number | undefined)),
      h('td', { class: 'num' }, typeof m.sizeBytes === 'number' ? fmt(m.sizeBytes) : '—'),
    );
  });
}

/** One table: state, pause/resume and force commit (each confirmed), schema, config (secrets masked by the API), segments. */
export async function tablePage(root: HTMLElement, name: string): Promise<void> {
  const status = statusLine();
  const stateBox = h('span', { id: 'table-state' });
  const pauseButton = h('button', { type: 'button', id: 'pause', onclick: () => void act('pause') }, 'Pause consumption');
  const resumeButton = h('button', { type: 'button', id: 'resume', onclick: () => void act('resume') }, 'Resume consumption');
  const commitButton = h('button', { type: 'button', id: 'force-commit', onclick: () => void forceCommit() }, 'Force commit');
  const schemaBox = h('div', { class: 'grid-wrap' });
  const configBox = h('pre', { class: 'config', id: 'config', tabindex: 0 });
  const segmentBody = h('tbody', {});

  async function refreshState(): Promise<void> {
    const { state, why } = await tableState(name);
    mount(stateBox, badge(state), why ? h('span', { class: 'message' }, ` ${why}`) : null);
    pauseButton.disabled = state !== 'CONSUMING';
    resumeButton.disabled = state !== 'PAUSED' && state !== 'ERROR';
    commitButton.disabled = state !== 'CONSUMING' && state !== 'PAUSED';
  }

  async function refreshSegments(): Promise<void> {
    mount(segmentBody, ...(await segmentRows(name)));
  }

  async function act(action: 'pause' | 'resume'): Promise<void> {
    const question =
      action === 'pause'
        ? `Pause consumption of ${name}? Its consuming segments are sealed (force commit, as Pinot does) and no new rows are read until you resume.`
        : `Resume consumption of ${name}? Every shard continues from where it stopped.`;
    if (!window.confirm(question)) return;
    status.textContent = action === 'pause' ? 'Pausing…' : 'Resuming…';
    try {
      await (action === 'pause' ? api.pause(name) : api.resume(name));
      status.textContent = action === 'pause' ? 'Paused.' : 'Resumed.';
      if (action === 'pause') await waitForPauseCommits(name, (line) => (status.textContent = line));
    } catch (err) {
      status.textContent = `Failed: ${message(err)}`;
    }
    await refreshState();
    await refreshSegments();
  }

  async function forceCommit(): Promise<void> {
    if (!window.confirm(`Force-commit ${name}? Every consuming segment with rows is sealed into a segment file now; consumption goes on in new segments.`)) return;
    commitButton.disabled = true;
    status.textContent = 'Force commit: asking…';
    try {
      await forceCommitAndWait(name, (line) => (status.textContent = line));
    } catch (err) {
      status.textContent = `Force commit failed: ${message(err)}`;
    }
    await refreshState();
    await refreshSegments();
  }

  mount(
    root,
    h('p', {}, h('a', { href: '#/tables' }, '← All tables')),
    h('h1', {}, name),
    h('div', { class: 'toolbar' }, stateBox, pauseButton, resumeButton, commitButton),
    status,
    h('h2', {}, 'Segments'),
    h(
      'div',
      { class: 'grid-wrap', tabindex: 0, role: 'region', 'aria-label': 'Segments' },
      h(
        'table',
        { class: 'grid', id: 'segments' },
        h('thead', {}, h('tr', {}, ['Segment', 'Status', 'Shard', 'Rows', 'Start time', 'End time', 'Bytes'].map((t) => h('th', { scope: 'col' }, t)))),
        segmentBody,
      ),
    ),
    h('h2', {}, 'Schema'),
    schemaBox,
    h('h2', {}, 'Config'),
    configBox,
  );
  try {
    const [schema, config] = await Promise.all([api.tableSchema(name), api.tableConfig(name), refreshState(), refreshSegments()]);
    mount(
      schemaBox,
      h(
        'table',
        { class: 'grid', id: 'schema' },
        h('thead', {}, h('tr', {}, ['Column', 'Type', 'Kind', 'Multi-value'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          schemaColumns(schema).map(({ spec, kind }) =>
            h('tr', {}, h('th', { scope: 'row' }, spec.name), h('td', {}, spec.dataType), h('td', {}, kind), h('td', {}, spec.singleValueField === false ? 'yes' : 'no')),
          ),
        ),
      ),
    );
    configBox.textContent = JSON.stringify(config.REALTIME ?? config, null, 2);
  } catch (err) {
    status.textContent = `Could not load ${name}: ${message(err)}`;
  }
}
