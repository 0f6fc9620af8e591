/**
 * The text `--help` prints after a command's options: examples, then its exit codes (the
 * codes are `EXIT`, src/cli/exit-codes.ts; docs/cli.md lists them all).
 *
 * @example command.addHelpText('after', helpText(['shardtable inspect f.seg --verify'], '0 ok; 1 corrupt file'))
 */
export function helpText(examples: readonly string[], exitCodes: string): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes: ${exitCodes}`;
}

/** What every command's exit codes share. */
export const USAGE_EXIT = '2 bad command line (unknown option, missing argument)';
