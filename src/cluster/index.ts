/** Cluster mode (docs/cluster.md): leases in DynamoDB, segments in S3, a shared catalog. */
export { createClusterContext, parseClusterFlag, parseDeepStoreFlag, clusterTableNames } from './cluster-context.js';
export type { ClusterContext, ClusterFlags, ClusterTableNames, DeepStoreLocation } from './cluster-context.js';
export { ClusterNode, DEFAULT_LEASE_TIMEOUT_MS, DEFAULT_CATALOG_POLL_MS } from './cluster-node.js';
export type { ClusterNodeOptions } from './cluster-node.js';
export { LeaseStore, leaseKeyOf } from './lease-store.js';
export type { LeaseItem } from './lease-store.js';
export { SegmentStore } from './segment-store.js';
