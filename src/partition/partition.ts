/**
 * `partition`: components of a conflict DAG packed into groups, by either strategy.
 */
import { toGraphologyBare, type ConflictDag } from '../dag/index.js'
import { componentsGraphology, componentsUnionFind } from './components.js'
import { DEFAULT_GROUPS, PARTITION_STRATEGY, type PartitionStrategy } from './constants.js'
import { PartitionError } from './errors.js'
import { packGroups, type PackResult } from './pack.js'

export interface PartitionOptions {
  /** number of groups (default DEFAULT_GROUPS) */
  groups?: number
  /** 'union-find' (default, fast) or 'graphology' (reference) */
  strategy?: PartitionStrategy
  /** see PackOptions */
  dominanceThreshold?: number
}

export interface Partition extends PackResult {
  strategy: PartitionStrategy
  txCount: number
  componentCount: number
  /** canonical component id per transaction (numbered by smallest tx) */
  componentOf: Uint32Array
}

/** Components of `dag` packed into groups by gas. */
export function partition(dag: ConflictDag, options: PartitionOptions = {}): Partition {
  const strategy = options.strategy ?? PARTITION_STRATEGY.unionFind
  let components
  if (strategy === PARTITION_STRATEGY.unionFind) components = componentsUnionFind(dag)
  else if (strategy === PARTITION_STRATEGY.graphology) components = componentsGraphology(toGraphologyBare(dag))
  else {
    throw new PartitionError('PARTITION_UNKNOWN_STRATEGY', `unknown partition strategy ${String(strategy)}`, { details: { strategy } })
  }
  const packOptions = options.dominanceThreshold === undefined ? {} : { dominanceThreshold: options.dominanceThreshold }
  const packed = packGroups(components, dag.gas, options.groups ?? DEFAULT_GROUPS, packOptions)
  return {
    ...packed,
    strategy,
    txCount: dag.txCount,
    componentCount: components.count,
    componentOf: components.componentOf,
  }
}
