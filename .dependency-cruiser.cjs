/**
 * The layering of src/, checked by `npm test` (`npm run lint:layers`). docs/architecture.md draws
 * the same picture. Bottom to top:
 *
 *   base       errors.ts, logger.ts, util/          (imports nothing of ours)
 *   config     config/                              (base)
 *   spi        spi/                                 (types of config only)
 *   plugins    plugins/                             (spi, config, base)
 *   segment    segment/                             (spi, config, base)
 *   query      query/                               (segment, spi, config, base)
 *   upsert     upsert/                              (segment, spi, config, base)
 *   transform  transform/                           (query through query/embedded-expression.ts only)
 *   ingest     ingest/                              (upsert, transform, segment, spi, config, base)
 *   table      table/                               (ingest, plugins, transform, ... : not server, cli)
 *   cluster    cluster/                             (table and below: leases, deep store, broker)
 *   server     server/, metrics/                    (everything below)
 *   cli        cli/, emulator/                      (top)
 */
const below = (...folders) => `^src/(?!(${folders.join('|')})(/|\\.ts$))`;
const forbid = (name, comment, fromPath, toPath, extra = {}) => ({
  name,
  comment,
  severity: 'error',
  from: { path: fromPath },
  to: { path: toPath, ...extra },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, type-only ones included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid('base-imports-nothing', 'errors.ts, logger.ts and util/ are the base: they import nothing of ours.',
      '^src/(errors|logger)\\.ts$|^src/util/', below('util', 'errors', 'logger')),
    forbid('config-is-the-bottom', 'config/ parses and validates JSON; it knows no plugin, stream type or engine.',
      '^src/config/', below('config', 'util', 'errors', 'logger')),
    forbid('spi-imports-only-types', 'spi/ holds the seams: it imports nothing of ours but config types.',
      '^src/spi/', below('spi', 'config'), {}),
    {
      name: 'spi-imports-config-types-only',
      comment: 'spi/ may name config types, never run config code.',
      severity: 'error',
      from: { path: '^src/spi/' },
      to: { path: '^src/config/', dependencyTypesNot: ['type-only'] },
    },
    forbid('plugins-use-spi', 'A plugin imports only spi/, config/ and the base, never ingestion, segments, queries or tables.',
      '^src/plugins/', below('plugins', 'spi', 'config', 'util', 'errors', 'logger')),
    forbid('plugin-folders-are-separate', 'A stream plugin folder does not reach into another plugin.',
      '^src/plugins/stream/([^/]+)/', '^src/plugins/(decoder/|stream/(?!$1/))'),
    forbid('segment-below-engine', 'segment/ stores and reads columns; it knows no ingestion, query or table.',
      '^src/segment/', below('segment', 'spi', 'config', 'util', 'errors', 'logger')),
    forbid('query-reads-segments', 'query/ does not import table/, ingest/, plugins/ or anything above.',
      '^src/query/', below('query', 'segment', 'spi', 'config', 'util', 'errors', 'logger')),
    forbid('transform-uses-one-query-door', 'transform/ reaches the query engine only through query/embedded-expression.ts.',
      '^src/transform/', '^src/(?!(transform|config|util)/|errors\\.ts$|logger\\.ts$|query/embedded-expression\\.ts$)'),
    forbid('upsert-below-ingest', 'upsert/ keeps the key map and live rows over segments; it knows no ingestion loop, query or table.',
      '^src/upsert/', below('upsert', 'segment', 'spi', 'config', 'util', 'errors', 'logger')),
    forbid('ingest-below-table', 'ingest/ gets its tables resolved from above; it imports no plugin, query, table or server code.',
      '^src/ingest/', below('ingest', 'upsert', 'transform', 'segment', 'spi', 'config', 'util', 'errors', 'logger')),
    forbid('table-below-server', 'table/ is imported by cluster/, server/ and cli/, never the other way round.',
      '^src/table/', '^src/(cluster|server|cli|metrics|emulator)/'),
    forbid('cluster-below-server', 'cluster/ (leases, deep store, broker) is imported by server/ and cli/, never the other way round.',
      '^src/cluster/', '^src/(server|cli|metrics|emulator)/'),
    forbid('server-below-cli', 'server/ and metrics/ never import the CLI.',
      '^src/(server|metrics)/', '^src/(cli|emulator)/'),
    forbid('emulator-stands-alone', 'The embedded emulators import nothing of ours but the base.',
      '^src/emulator/', below('emulator', 'util', 'errors', 'logger')),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
