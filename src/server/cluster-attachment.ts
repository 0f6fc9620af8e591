import type { ClusterController, ClusterMember } from '../cluster/broker/index.js';

/**
 * Where the app finds the cluster member, once it has started (it needs the listening URL, so it
 * starts after the app listens). `node` null: this server runs alone (no `--cluster`), or not yet.
 */
export interface ClusterAttachment {
  node: ClusterMember | null;
  /** The same member's view of the whole cluster for the controller endpoints (segments, consuming info); null or absent: this server alone. */
  controller?: ClusterController | null;
}
