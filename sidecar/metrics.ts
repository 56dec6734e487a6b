/** Prometheus metrics of one sidecar, on its own registry (several sidecars can share a process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface SidecarMetrics {
  registry: Registry
  blocksVerified: Counter
  mismatches: Counter
  unverifiable: Counter<'code'>
  reorgs: Counter
  conflicts: Counter
  speedup: Gauge
  lastVerified: Gauge
  headLag: Gauge
  nodeUp: Gauge
  phaseSeconds: Histogram<'phase'>
  rpcRequests: Counter<'method' | 'outcome'>
  plans: Counter<'policy'>
}

/** Creates the metrics (prefix `paradag_sidecar_`). */
export function createSidecarMetrics(opts: { defaultMetrics?: boolean } = {}): SidecarMetrics {
  const registry = new Registry()
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'paradag_sidecar_' })
  const registers = [registry]
  return {
    registry,
    blocksVerified: new Counter({ name: 'paradag_sidecar_blocks_verified_total', help: 'Blocks whose receipts, state root and hash matched re-execution', registers }),
    mismatches: new Counter({ name: 'paradag_sidecar_block_mismatches_total', help: 'Blocks where re-execution differs from the node', registers }),
    unverifiable: new Counter({ name: 'paradag_sidecar_blocks_unverifiable_total', help: 'Blocks that could not be checked (missing witness, bad answers), by error code', labelNames: ['code'], registers }),
    reorgs: new Counter({ name: 'paradag_sidecar_reorgs_total', help: 'Reorgs detected (a different block at a verified height)', registers }),
    conflicts: new Counter({ name: 'paradag_sidecar_conflicts_total', help: 'Conflicts the parallel committer found (transactions repaired)', registers }),
    speedup: new Gauge({ name: 'paradag_sidecar_ideal_speedup', help: 'Ideal parallel speedup of the last verified block (total gas / critical-path gas)', registers }),
    lastVerified: new Gauge({ name: 'paradag_sidecar_last_block', help: 'Last block processed', registers }),
    headLag: new Gauge({ name: 'paradag_sidecar_head_lag_blocks', help: 'Blocks between the node head and the last processed block', registers }),
    nodeUp: new Gauge({ name: 'paradag_sidecar_node_up', help: '1 when the node answers', registers }),
    phaseSeconds: new Histogram({
      name: 'paradag_sidecar_phase_seconds',
      help: 'Time per block phase (fetch, witness, replay, verify, total)',
      labelNames: ['phase'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rpcRequests: new Counter({ name: 'paradag_sidecar_rpc_requests_total', help: 'JSON-RPC requests to the node by method and outcome', labelNames: ['method', 'outcome'], registers }),
    plans: new Counter({ name: 'paradag_sidecar_plans_total', help: 'paradag_planBatch calls by policy', labelNames: ['policy'], registers }),
  }
}
