import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../../src/cli/index.js';
import { EXIT } from '../../../src/cli/exit-codes.js';

const BIN = fileURLToPath(new URL('../../../bin/shardtable.js', import.meta.url));
const run = promisify(execFile);

describe('help and exit codes', () => {
  const commands = buildCli().commands.map((c) => c.name());

  it('every command answers --help with an example and its exit codes, exit 0', async () => {
    expect(commands).toEqual(expect.arrayContaining(['serve', 'quickstart', 'inspect', 'produce', 'export', 'query', 'ingest']));
    // One process per command, all at once: each is a cold start of the CLI.
    const names = [...commands, null];
    const outputs = await Promise.all(names.map((name) => run(process.execPath, [BIN, ...(name ? [name] : []), '--help'])));
    for (const [i, { stdout }] of outputs.entries()) {
      const name = names[i];
      expect(stdout, String(name)).toMatch(/\nExamples:\n {2}\$ shardtable /);
      expect(stdout, String(name)).toMatch(/\nExit codes: 0 /);
      if (name) expect(stdout).toContain(`$ shardtable ${name}`);
    }
  });

  it('a bad command line exits 2 with the message', async () => {
    const lines = [['nosuch'], ['inspect'], ['serve', '--port', 'x'], ['query', 'SELECT 1', '--bogus'], ['serve', '--compressed-tier-percent', '95']];
    const errors = await Promise.all(lines.map((args) => run(process.execPath, [BIN, ...args]).then(() => null, (e: { code: number; stderr: string }) => e)));
    for (const [i, err] of errors.entries()) {
      const args = lines[i]!;
      expect(err?.code, args.join(' ')).toBe(EXIT.USAGE);
      expect(err?.stderr).toMatch(/error: /);
    }
    expect(errors[4]?.stderr).toMatch(/--compressed-tier-percent must be a whole percent from 0 \(no compressed tier\) to 90, got "95"/);
  });

  it('README and docs/cli.md document every command and every exit code', async () => {
    const readme = await readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const doc = await readFile(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
    for (const name of commands) {
      expect(readme).toContain(`npx shardtable ${name}`);
      expect(doc).toContain(`| \`${name}`);
    }
    for (const code of new Set(Object.values(EXIT))) {
      expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
      expect(readme).toContain(`**${code}**`);
    }
  });
});
