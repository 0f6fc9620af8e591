import type { ClusterMember } from '../cluster/broker/index.js';

/**
 * Where the app finds the cluster member, once it has started (it needs the listening URL, so it
 * starts after the app listens). `node` null: this server runs alone (no `--cluster`), or not yet.
 */
export interface ClusterAttachment {
  node: ClusterMember | null;
}
