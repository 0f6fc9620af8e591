#!/usr/bin/env node
// The AWS SDK warns on every start that its releases after January 2027 need Node 22. shardtable
// supports Node 20 with the SDK versions locked in package-lock.json (docs/decisions.md), so the
// warning is noise in the CLI's output; set the variable to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('../dist/src/cli/index.js');

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
