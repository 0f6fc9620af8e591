import { randomUUID } from 'node:crypto';
import { ShardtableError } from '../errors.js';

/** The most jobs kept; the oldest is forgotten first (Pinot keeps 100 controller jobs in ZooKeeper). */
const MAX_JOBS = 100;

interface ForceCommitJob {
  readonly jobId: string;
  readonly tableName: string;
  readonly submissionTimeMs: number;
  readonly segments: readonly string[];
}

/**
 * Force-commit jobs in Pinot's controller-job shape (`PinotRealtimeTableResource`,
 * `CommonConstants.ControllerJob`). Kept in memory: a restart forgets them (and abandons the
 * consuming segments anyway). Whether a segment is committed yet is asked of the table each time.
 */
export class ForceCommitJobs {
  private readonly jobs = new Map<string, ForceCommitJob>();

  /** Records a job for the segments asked to seal; returns its id. */
  add(tableName: string, segments: readonly string[], nowMs = Date.now()): string {
    const jobId = randomUUID();
    this.jobs.set(jobId, { jobId, tableName, submissionTimeMs: nowMs, segments: [...segments] });
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    return jobId;
  }

  /**
   * Pinot's `GET /tables/forceCommitStatus/{jobId}` answer: the job's metadata as strings (as
   * Pinot stores it), plus `segmentsYetToBeCommitted` and their count. 404 for an unknown id.
   */
  status(jobId: string, isCommitted: (tableName: string, segment: string) => boolean): Record<string, unknown> {
    const job = this.jobs.get(jobId);
    if (!job) throw new ShardtableError('FORCE_COMMIT_JOB_NOT_FOUND', { jobId });
    const pending = job.segments.filter((s) => !isCommitted(job.tableName, s));
    return {
      jobId: job.jobId,
      jobType: 'FORCE_COMMIT',
      tableName: job.tableName,
      submissionTimeMs: String(job.submissionTimeMs),
      segmentsForceCommitted: JSON.stringify(job.segments),
      segmentsYetToBeCommitted: pending,
      numberOfSegmentsYetToBeCommitted: pending.length,
    };
  }
}
