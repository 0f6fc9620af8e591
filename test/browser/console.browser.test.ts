import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { consoleAssetsDir } from '../../src/server/routes/console-routes.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { withEmulator } from '../helpers/emulator.js';

/**
 * [browser] The web console end to end in Debian's Chromium (playwright-core, no downloaded
 * browser): a live table on the Kinesis emulator, the real server serving the built bundle at `/`.
 * A missing browser or bundle fails these tests; they are never skipped. Screenshots of each page
 * are written under the test's temp dir (printed once at the end).
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TABLE = 'clicks';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('[browser] web console in Chromium', () => {
  const env = withEmulator('kinesalite');
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let stream: string;
  let nextId = 0;

  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(server.url + path, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return response.json();
  };
  const count = async (): Promise<number> => (await api('POST', '/query/sql', { sql: `SELECT count(*) FROM ${TABLE}` })).resultTable.rows[0][0];
  const produce = async (n: number): Promise<void> => {
    await putJsonRecords(env.client, stream, idKindTsRows(nextId, n, ['view', 'click', 'buy']), (row) => String(row.id));
    nextId += n;
  };
  const shoot = (name: string): Promise<Buffer> => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it)`);
    if (!existsSync(join(consoleAssetsDir(), 'index.html'))) throw new Error('the console bundle is missing: run `npm run build`');
    dir = await mkdtemp(join(tmpdir(), 'shardtable-console-'));
    stream = await env.newStream(2);
    server = await startServer({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', logger: silentLogger() });
    await api('POST', '/schemas', idKindTsSchema(TABLE));
    const config = emulatorTableConfig({
      tableName: TABLE,
      endpoint: env.endpoint,
      stream,
      timeColumn: 'ts',
      streamConfigs: {
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
        'stream.kinesis.decoder.errorPolicy': 'deadLetter',
        'stream.kinesis.fetch.timeout.millis': '1000',
        'realtime.segment.flush.threshold.rows': '25',
      },
    });
    const created = await api('POST', '/tables', config);
    expect(created.status, JSON.stringify(created)).toMatch(/successfully added/i);
    await produce(90);
    await env.client.send(
      new (await import('@aws-sdk/client-kinesis')).PutRecordCommand({ StreamName: stream, PartitionKey: 'bad', Data: new TextEncoder().encode('{"id": "not json') }),
    );
    await waitFor('90 rows', async () => (await count()) === 90);
    // A fresh, empty profile directory (Playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error(`[browser] page error: ${err.message}`));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (dir) console.info(`[browser] console screenshots in ${dir}`);
    if (dir && process.env.SHARDTABLE_KEEP_SCREENSHOTS === undefined) await rm(join(dir, 'data'), { recursive: true, force: true });
  });

  it('runs a query from the editor with Ctrl-Enter: result cells, column types, statistics, CSV download', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`SELECT kind, count(*) AS n FROM ${TABLE} GROUP BY kind ORDER BY kind`);
    await page.keyboard.press('Control+Enter');
    await page.locator('#results tbody tr').first().waitFor();
    const cells = await page.locator('#results tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells).toEqual([
      ['buy', '30'],
      ['click', '30'],
      ['view', '30'],
    ]);
    expect(await page.locator('#results thead .col-type').allTextContents()).toEqual(['STRING', 'LONG']);
    expect(await page.locator('[data-stat="numDocsScanned"]').textContent()).toBe('90');
    expect(await page.locator('[data-stat="timeUsedMs"]').textContent()).toMatch(/^\d+/);
    await shoot('query');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(await readFile((await download.path())!, 'utf8')).toBe('kind,n\r\nbuy,30\r\nclick,30\r\nview,30\r\n');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    expect(json.suggestedFilename()).toBe('result.json');
    expect(JSON.parse(await readFile((await json.path())!, 'utf8'))).toEqual([
      { kind: 'buy', n: 30 },
      { kind: 'click', n: 30 },
      { kind: 'view', n: 30 },
    ]);
  });

  it('shows a bad query\'s error code, message and position, and keeps both queries in the history', async () => {
    // Follows the test above on the same page (its query is the first history entry).
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`SELEC kind FROM ${TABLE}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const error = page.locator('#query-error');
    await error.waitFor();
    expect(await error.locator('.code').textContent()).toBe('Error 150');
    expect(await error.locator('.message').textContent()).toContain("found 'SELEC'");
    expect(await error.getByRole('button').textContent()).toBe('go to line 1, column 1');
    expect(await page.locator('#history li').allTextContents()).toEqual([`SELEC kind FROM ${TABLE}`, `SELECT kind, count(*) AS n FROM ${TABLE} GROUP BY kind ORDER BY kind`]);
    await shoot('query-error');

    // Completion from the schemas: table names, and the columns of the table the query reads.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT * FROM cli');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: TABLE }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`SELECT  FROM ${TABLE}`);
    await page.keyboard.press('Home');
    for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.type('ki');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: 'kind' }).waitFor();
    await shoot('query-completion');
    await page.keyboard.press('Escape');
  });

  it('lists the table, opens its segments, and pauses and resumes it from the buttons', async () => {
    await page.goto(`${server.url}/#/query`);
    await page.getByRole('link', { name: 'Tables' }).click();
    const row = page.locator('#tables tbody tr', { hasText: TABLE });
    await row.locator('[data-state="CONSUMING"]').waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('90');
    // The size column is GET /tables/{t}/size's reportedSizeInBytes (sealed files on disk).
    const size = (await api('GET', `/tables/${TABLE}/size`)).reportedSizeInBytes;
    expect(size).toBeGreaterThan(0);
    const sizeCell = row.locator('td').nth(2);
    expect(Number(await sizeCell.getAttribute('data-bytes'))).toBe(size);
    expect(await sizeCell.textContent()).toMatch(/^\d+(\.\d)? (B|KiB|MiB)$/);
    expect(await page.locator('#tables thead th').allTextContents()).toEqual(['Table', 'State', 'Rows', 'Size on disk', 'Segments']);
    await shoot('tables');

    await row.getByRole('link', { name: TABLE }).click();
    await page.locator('#segments tbody tr').first().waitFor();
    const segments = await page.locator('#segments tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    const sealed = segments.filter((s) => s[1] === 'SEALED');
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    expect(sealed.reduce((n, s) => n + Number(s[3]!.replace(/,/g, '')), 0)).toBeGreaterThanOrEqual(50);
    for (const s of sealed) expect(s[4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await page.locator('#schema tbody th').allTextContents()).toEqual(['id', 'kind', 'ts']);
    const config = (await page.locator('#config').textContent())!;
    expect(config).toContain(stream);
    // Secrets are masked by the API; the console shows what it gets.
    expect(config).toContain('"secretKey": "*****"');
    expect(config).not.toContain('emulator-secret-key');
    await shoot('table');

    const dialogs: string[] = [];
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.accept()));
    await page.locator('#pause').click();
    await page.locator('#table-state [data-state="PAUSED"]').waitFor();
    expect(dialogs[0]).toMatch(/^Pause consumption of clicks\?/);
    // Pausing force-commits, as Pinot does: the page waits until every row read is sealed.
    await page.locator('p.status', { hasText: 'Paused; every row read so far is in a sealed segment.' }).waitFor({ timeout: 30_000 });
    const pauseStatus = await api('GET', `/tables/${TABLE}/pauseStatus`);
    expect(pauseStatus).toMatchObject({ pauseFlag: true, consumingSegments: [], reasonCode: 'ADMINISTRATIVE' });
    // The page lists the segments again once the commits are done: the sealed ones hold all 90 rows.
    const sealedRows = async (): Promise<number> =>
      (await page.locator('#segments tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? ''))))
        .filter((s) => s[1] === 'SEALED')
        .reduce((n, s) => n + Number(s[3]!.replace(/,/g, '')), 0);
    await waitFor('the segment list to show every row sealed', async () => (await sealedRows()) === 90);
    const paused = (await api('GET', `/tables/${TABLE}/consumingSegmentsInfo`)).shardtablePartitions;
    expect(paused.map((p: { state: string }) => p.state)).toEqual(['PAUSED', 'PAUSED']);
    await produce(30);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await count()).toBe(90);
    await shoot('table-paused');

    await page.locator('#resume').click();
    await page.locator('#table-state [data-state="CONSUMING"]').waitFor();
    expect(dialogs[1]).toMatch(/^Resume consumption of clicks\?/);
    expect((await api('GET', `/tables/${TABLE}/pauseStatus`)).pauseFlag).toBe(false);
    await waitFor('the 30 records written while paused', async () => (await count()) === 120);
  });

  it('force-commits the table from its button: the consuming segments with rows become sealed', async () => {
    await produce(7);
    await waitFor('127 rows', async () => (await count()) === 127);
    await page.goto(`${server.url}/#/tables/${TABLE}`);
    await page.locator('#table-state [data-state="CONSUMING"]').waitFor();
    await page.locator('#segments tbody tr').first().waitFor();
    const rows = async (): Promise<string[][]> =>
      page.locator('#segments tbody tr').evaluateAll((trs) => trs.map((r) => [...r.children].map((c) => c.textContent ?? '')));
    const before = await rows();
    const consumingWithRows = before.filter((s) => s[1] === 'CONSUMING' && Number(s[3]!.replace(/,/g, '')) > 0).map((s) => s[0]!);
    expect(consumingWithRows.length).toBeGreaterThanOrEqual(1);

    // The pause test's handler accepts every confirmation; this one only records the question.
    const dialogs: string[] = [];
    const onDialog = (dialog: import('playwright-core').Dialog): void => void dialogs.push(dialog.message());
    page.on('dialog', onDialog);
    try {
      await page.locator('#force-commit').click();
      await page.locator('p.status', { hasText: /^Force commit: sealed \d+ segments?/ }).waitFor({ timeout: 30_000 });
    } finally {
      page.off('dialog', onDialog);
    }
    expect(dialogs.some((d) => /^Force-commit clicks\?/.test(d))).toBe(true);
    const after = await rows();
    // Every segment that was consuming rows is now listed as sealed, and the sealed rows are all the rows.
    for (const name of consumingWithRows) expect(after.find((s) => s[0] === name)?.[1], name).toBe('SEALED');
    const sealedRows = after.filter((s) => s[1] === 'SEALED').reduce((n, s) => n + Number(s[3]!.replace(/,/g, '')), 0);
    expect(sealedRows).toBe(127);
    const segments = (await api('GET', `/tables/${TABLE}/segments`))[0].REALTIME as string[];
    for (const name of consumingWithRows) expect(segments).toContain(name);
    expect((await api('GET', `/segments/${TABLE}/${consumingWithRows[0]}/metadata`)).status).not.toBe('IN_PROGRESS');
    await shoot('table-force-committed');
  });

  it('draws per-shard lag and rate charts, and lists the dead letter', async () => {
    await page.goto(`${server.url}/#/query`);
    await page.getByRole('link', { name: 'Ingestion' }).click();
    await page.locator('#shards tbody tr').first().waitFor();
    await produce(20);
    // Each poll (2 s) adds a lag point per shard; rates need two polls.
    const points = (chart: string, atLeast: number): string => `Number(document.querySelector('#chart-${chart}')?.getAttribute('data-points')) >= ${atLeast}`;
    await page.waitForFunction(points('lag', 4));
    await page.waitForFunction(points('records', 2));
    await page.waitForFunction(points('bytes', 2));
    expect(await page.locator('#chart-lag canvas').count()).toBe(1);
    expect(await page.locator('#shards tbody tr').count()).toBe(2);
    await page.locator('#dead-letters tbody tr').first().waitFor();
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(1);
    expect(await page.locator('#dead-letters tbody').textContent()).toContain('{"id": "not json');
    await shoot('ingestion');
  });

  it('works keyboard only: run a query, open a table, pause and resume it', async () => {
    /** Presses Tab until the focused element's text or label is `name` (at most 60 presses). */
    const tabTo = async (name: string): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate('(() => { const e = document.activeElement; return e ? (e.getAttribute("aria-label") || e.textContent || "").trim() : ""; })()');
        if (focused === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };
    await page.goto(`${server.url}/#/query`);
    await page.locator('.cm-content').waitFor();
    await page.evaluate('document.activeElement.blur()');
    await tabTo('SQL query (Ctrl+Enter or Cmd+Enter runs it)');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`SELECT count(*) FROM ${TABLE}`);
    await page.keyboard.press('Control+Enter');
    await page.locator('#results tbody td').first().waitFor();
    expect(Number(await page.locator('#results tbody td').first().textContent())).toBeGreaterThanOrEqual(90);

    await tabTo('Tables');
    await page.keyboard.press('Enter');
    await page.locator('#tables tbody tr').first().waitFor();
    await tabTo(TABLE);
    await page.keyboard.press('Enter');
    await page.locator('#table-state [data-state="CONSUMING"]').waitFor();
    await tabTo('Pause consumption');
    await page.keyboard.press('Enter');
    await page.locator('#table-state [data-state="PAUSED"]').waitFor();
    expect((await api('GET', `/tables/${TABLE}/pauseStatus`)).pauseFlag).toBe(true);
    await tabTo('Resume consumption');
    await page.keyboard.press('Enter');
    await page.locator('#table-state [data-state="CONSUMING"]').waitFor();
    expect((await api('GET', `/tables/${TABLE}/pauseStatus`)).pauseFlag).toBe(false);
    await tabTo('Force commit');
    await page.keyboard.press('Enter');
    await page.locator('p.status', { hasText: /^Force commit: (sealed|no consuming segment)/ }).waitFor({ timeout: 30_000 });
  });

  it('shows a table whose stream was deleted as ERROR, with the reason, on the tables page and its own', async () => {
    const { DeleteStreamCommand } = await import('@aws-sdk/client-kinesis');
    const goneStream = await env.newStream(1);
    expect((await api('POST', '/schemas', idKindTsSchema('gone'))).status).toMatch(/successfully added/);
    const config = emulatorTableConfig({ tableName: 'gone', endpoint: env.endpoint, stream: goneStream, timeColumn: 'ts', streamConfigs: { 'stream.kinesis.fetch.timeout.millis': '1000' } });
    expect((await api('POST', '/tables', config)).status).toMatch(/successfully added/);
    await putJsonRecords(env.client, goneStream, idKindTsRows(0, 3), (row) => String(row.id));
    await waitFor('3 rows in gone', async () => (await api('POST', '/query/sql', { sql: 'SELECT count(*) FROM gone' })).resultTable?.rows[0][0] === 3);
    await env.client.send(new DeleteStreamCommand({ StreamName: goneStream }));
    const partitionState = async (): Promise<string> => (await api('GET', '/tables/gone/consumingSegmentsInfo')).shardtablePartitions[0].state;
    await waitFor('the shard of gone to stop on an error', async () => (await partitionState()) === 'ERROR', 30_000);

    await page.goto(`${server.url}/#/tables`);
    const row = page.locator('#tables tbody tr', { hasText: 'gone' });
    await row.locator('[data-state="ERROR"]').waitFor();
    expect(await row.locator('.hint').textContent()).toMatch(/^shard shardId-000000000000 stopped: /);
    expect(await page.locator('#tables tbody tr', { hasText: TABLE }).locator('[data-state="CONSUMING"]').count()).toBe(1);
    await shoot('tables-error');
    await row.getByRole('link', { name: 'gone' }).click();
    await page.locator('#table-state [data-state="ERROR"]').waitFor();
    expect(await page.locator('#table-state .message').textContent()).toContain('stopped');
    // The rows read before the stream went away are still served.
    expect((await api('POST', '/query/sql', { sql: 'SELECT count(*) FROM gone' })).resultTable.rows).toEqual([[3]]);
  });

  it('fits a 400 px window and has no serious or critical axe-core violations on any page', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 400, height: 800 });
    narrow.setDefaultTimeout(15_000);
    const pages: [string, string, string][] = [
      ['query', '#/query', '.cm-content'],
      ['tables', '#/tables', '#tables tbody tr'],
      ['table', `#/tables/${TABLE}`, '#segments tbody tr'],
      ['ingestion', `#/ingestion/${TABLE}`, '#shards tbody tr'],
    ];
    try {
      for (const [name, hash, ready] of pages) {
        await narrow.goto(`${server.url}/${hash}`);
        await narrow.locator(ready).first().waitFor();
        if (name === 'query') {
          await narrow.locator('.cm-content').click();
          await narrow.keyboard.press('Control+Enter');
          await narrow.locator('#results').waitFor();
        }
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        expect(await narrow.evaluate('document.documentElement.scrollWidth'), `${name} is wider than the window`).toBeLessThanOrEqual(400);
        await narrow.screenshot({ path: join(dir, `narrow-${name}.png`), fullPage: true });
        await narrow.addScriptTag({ path: AXE });
        const violations = (await narrow.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as AxeViolation[];
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), name).toEqual([]);
      }
    } finally {
      await narrow.close();
    }
  });
});
