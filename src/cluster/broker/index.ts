/**
 * The broker side of cluster mode (docs/cluster.md): membership in `<prefix>-servers`, routing
 * each segment to one server, scatter over `/internal/cluster/` and the merge of the partials.
 */
export { BrokerNode } from './broker-node.js';
export type { ClusterMember, BrokerNodeOptions } from './broker-node.js';
export { ClusterBroker } from './cluster-broker.js';
export { Membership, ensureServersTable, DEFAULT_HEARTBEAT_MS, DEFAULT_MEMBERSHIP_TIMEOUT_MS } from './membership.js';
export { LivenessTracker } from './liveness.js';
export type { ServerRecord } from './liveness.js';
export { routeSegments } from './routing.js';
export type { ServerSegments } from './routing.js';
export { HttpPeer, PeerQueryError, PARTIAL_CONTENT_TYPE } from './peers.js';
export type { ClusterPeer } from './peers.js';
export { LocalPeer } from './local-peer.js';
export { CommittedSegments } from './committed-segments.js';
