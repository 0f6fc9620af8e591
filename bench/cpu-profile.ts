import { writeFile } from 'node:fs/promises';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes `profile` to `<tmpdir>/<file>.cpuprofile` (for Chrome's DevTools or speedscope) and
 * returns its path with the `top` functions by self time, each as "12.3 %  name file:line".
 * `skipFirst` leaves out the first sample's delta (the profiler's own start, when the profile
 * covers a single call).
 */
export async function summariseProfile(profile: Profiler.Profile, file: string, top: number, skipFirst = false): Promise<{ path: string; lines: string[] }> {
  const path = join(tmpdir(), `${file}.cpuprofile`);
  await writeFile(path, JSON.stringify(profile));
  const perNode = new Map<number, number>();
  profile.timeDeltas!.forEach((d, i) => {
    if (i > 0 || !skipFirst) perNode.set(profile.samples![i]!, (perNode.get(profile.samples![i]!) ?? 0) + d);
  });
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const t = perNode.get(node.id) ?? 0;
    total += t;
    const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').slice(-1)[0]}:${node.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  const lines = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  return { path, lines };
}
