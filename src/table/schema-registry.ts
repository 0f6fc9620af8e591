import { buildTableSchema } from '../config/schema.js';
import type { PinotSchema, TableSchema } from '../config/schema.js';
import { validateSchema } from '../config/schema-validation.js';
import { ShardtableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Catalog, CatalogProblem, CatalogScope } from './catalog.js';
import type { FoundSchema } from './table-admission.js';

/** Answers which table uses a schema, or undefined when none does. */
export type SchemaUser = (schemaName: string) => string | undefined;

interface SchemaEntry {
  readonly json: PinotSchema;
  readonly schema: TableSchema;
}

/**
 * The schemas the server knows: each kept as validated JSON (defaults filled) and as the engine's
 * {@link TableSchema}, persisted through the {@link Catalog}. Takes schemas already validated by
 * `validateSchema`, so callers validate before they queue. A schema a table uses cannot be
 * replaced or deleted; `schemaUser` says which table that is. Mutations are not serialised here:
 * the table manager calls them from its mutation queue.
 *
 * @example
 *   const schemas = new SchemaRegistry(catalog, (name) => tableUsing(name), log);
 *   await schemas.add(validateSchema(json), { override: false });
 *   schemas.find(['events'])?.schema;
 */
export class SchemaRegistry {
  private readonly entries = new Map<string, SchemaEntry>();

  constructor(
    private readonly catalog: Catalog,
    private readonly schemaUser: SchemaUser,
    private readonly log: Logger,
  ) {}

  /** Registers the schemas the catalog loaded; one that no longer validates is returned as a problem. */
  load(schemas: ReadonlyMap<string, unknown>): CatalogProblem[] {
    const problems: CatalogProblem[] = [];
    for (const [name, json] of schemas) {
      try {
        this.set(name, validateSchema(json));
      } catch (error) {
        problems.push({ path: `schemas/${name}.json`, error: (error as Error).message });
      }
    }
    return problems;
  }

  /**
   * Stores a schema. One of the same name is replaced when `override` (Pinot's default), else 409
   * `SCHEMA_EXISTS`; a replaced schema a table uses must be equal to the stored one.
   */
  async add(validated: PinotSchema, options: { override?: boolean; scope?: CatalogScope }): Promise<PinotSchema> {
    if (this.entries.has(validated.schemaName)) {
      if (!options.override) throw new ShardtableError('SCHEMA_EXISTS', { name: validated.schemaName });
      this.assertReplaceable(validated.schemaName, validated);
    }
    await this.catalog.putSchema(validated.schemaName, validated, options.scope);
    this.set(validated.schemaName, validated);
    this.log.info({ schema: validated.schemaName }, 'schema added');
    return validated;
  }

  /**
   * Replaces a schema: 404 `SCHEMA_NOT_FOUND`; 409 `SCHEMA_IN_USE` when a table uses it and the
   * new schema differs (an equal one is accepted: setup scripts re-run their uploads).
   */
  async update(name: string, validated: PinotSchema): Promise<PinotSchema> {
    this.entry(name);
    this.assertReplaceable(name, validated);
    await this.catalog.putSchema(name, validated);
    this.set(name, validated);
    this.log.info({ schema: name }, 'schema updated');
    return validated;
  }

  /**
   * Replaces a schema that tables use with a backward-compatible version (the table manager has
   * checked it and restarts those tables): persisted, then served. 404 `SCHEMA_NOT_FOUND`.
   */
  async evolve(name: string, validated: PinotSchema): Promise<PinotSchema> {
    this.entry(name);
    await this.catalog.putSchema(name, validated);
    this.set(name, validated);
    this.log.info({ schema: name }, 'schema evolved');
    return validated;
  }

  /** The stored schema JSON, or undefined when there is none of that name. */
  peekJson(name: string): PinotSchema | undefined {
    return this.entries.get(name)?.json;
  }

  /** Deletes a schema no table uses: 404 `SCHEMA_NOT_FOUND`, 409 `SCHEMA_IN_USE`. */
  async delete(name: string, scope: CatalogScope = 'cluster'): Promise<void> {
    this.entry(name);
    this.assertUnused(name);
    await this.catalog.deleteSchema(name, scope);
    this.entries.delete(name);
    this.log.info({ schema: name }, 'schema deleted');
  }

  /** The schema JSON as validated. Throws 404 `SCHEMA_NOT_FOUND`. */
  getJson(name: string): PinotSchema {
    return this.entry(name).json;
  }

  /** The engine's view of a schema. Throws 404 `SCHEMA_NOT_FOUND`. */
  getSchema(name: string): TableSchema {
    return this.entry(name).schema;
  }

  /** Schema names, sorted. */
  list(): string[] {
    return [...this.entries.keys()].sort();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The first of Pinot's candidate names that is a schema, or undefined. */
  find(candidates: readonly string[]): FoundSchema | undefined {
    for (const name of candidates) {
      const entry = this.entries.get(name);
      if (entry) return { name, schema: entry.schema };
    }
    return undefined;
  }

  /** Throws 409 `SCHEMA_IN_USE` unless no table uses the schema or `next` equals the stored one. */
  private assertReplaceable(name: string, next: PinotSchema): void {
    if (sameJson(this.entry(name).json, next)) return;
    this.assertUnused(name);
  }

  /** Throws 409 `SCHEMA_IN_USE` naming the table while one uses the schema. */
  private assertUnused(name: string): void {
    const table = this.schemaUser(name);
    if (table !== undefined) throw new ShardtableError('SCHEMA_IN_USE', { name, table });
  }

  private entry(name: string): SchemaEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new ShardtableError('SCHEMA_NOT_FOUND', { name });
    return entry;
  }

  private set(name: string, json: PinotSchema): void {
    this.entries.set(name, { json, schema: buildTableSchema(json) });
  }
}

/** Deep equality of two JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
