import { describe, expect, it } from 'vitest';
import { workerExecArgv, workerScript } from '../../../src/util/worker-script.js';

describe('worker script', () => {
  it('runs a JavaScript entry as it is, and a TypeScript entry through a loading bootstrap', () => {
    const js = new URL('file:///app/dist/x-worker.js');
    expect(workerScript(js)).toBe(js);
    const boot = workerScript(new URL('file:///app/src/x-worker.ts'));
    expect(boot.protocol).toBe('data:');
    expect(decodeURIComponent(boot.href)).toContain('file:///app/src/x-worker.ts');
  });

  it('inherits the parent options, without those of the main script', () => {
    expect(workerExecArgv(['--max-old-space-size=8192', '--enable-source-maps'])).toBeUndefined();
    expect(workerExecArgv(['--max-old-space-size=8192', '--input-type=module', '-e', 'code()', '--enable-source-maps'])).toEqual(['--max-old-space-size=8192', '--enable-source-maps']);
    expect(workerExecArgv(['--input-type', 'module', '--eval=1', '--cpu-prof'])).toEqual(['--cpu-prof']);
  });
});
