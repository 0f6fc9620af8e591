import { api } from './api.js';

const POLL_MS = 500;
const GIVE_UP_MS = 60_000;

/**
 * Force-commits a table (`POST /tables/{t}/forceCommit`) and follows the job
 * (`GET /tables/forceCommitStatus/{jobId}`) until every segment it asked to seal is sealed, or a
 * minute passes. `report` receives a line for the status region after each step. Resolves with
 * the names of the segments the job sealed (empty when nothing was consuming rows).
 */
export async function forceCommitAndWait(table: string, report: (line: string) => void): Promise<string[]> {
  const { forceCommitJobId } = await api.forceCommit(table);
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    const status = await api.forceCommitStatus(forceCommitJobId);
    const asked = JSON.parse(status.segmentsForceCommitted) as string[];
    if (asked.length === 0) {
      report('Force commit: no consuming segment had rows; nothing to seal.');
      return [];
    }
    const pending = status.numberOfSegmentsYetToBeCommitted;
    if (pending === 0) {
      report(`Force commit: sealed ${asked.length} segment${asked.length === 1 ? '' : 's'} (job ${forceCommitJobId}).`);
      return asked;
    }
    if (Date.now() > deadline) {
      report(`Force commit: ${pending} of ${asked.length} segments not sealed yet after a minute (job ${forceCommitJobId}); the table's status may say why.`);
      return asked.filter((s) => !status.segmentsYetToBeCommitted.includes(s));
    }
    report(`Force commit: sealing ${pending} of ${asked.length} segments…`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * After a pause (which force-commits, as Pinot's does): polls `GET /tables/{t}/pauseStatus` until
 * no consuming segment holds unsealed rows, or a minute passes, and says so through `report`.
 */
export async function waitForPauseCommits(table: string, report: (line: string) => void): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    const status = await api.pauseStatus(table);
    const pending = status.consumingSegments.length;
    if (!status.pauseFlag) return;
    if (pending === 0) {
      report('Paused; every row read so far is in a sealed segment.');
      return;
    }
    if (Date.now() > deadline) {
      report(`Paused; ${pending} consuming segment${pending === 1 ? '' : 's'} not sealed yet after a minute: the table's status may say why.`);
      return;
    }
    report(`Paused; sealing ${pending} consuming segment${pending === 1 ? '' : 's'}…`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
