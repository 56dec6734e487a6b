/** One entry point over the executed-workload generators (for the CLI and benchmarks). */
import { generateErc20, type Erc20Options } from './erc20.js'
import { WorkloadError } from './errors.js'
import { generateMixed, type MixedOptions } from './mixed.js'
import { generateTransfers } from './transfers.js'
import type { Workload, WorkloadName } from './types.js'
import { generateUniswap, type UniswapOptions } from './uniswap.js'

export const WORKLOAD_NAMES: readonly WorkloadName[] = ['transfers', 'erc20', 'uniswap', 'mixed']

/** The union of every generator's options (each generator ignores the others' fields). */
export type AnyWorkloadOptions = Erc20Options & UniswapOptions & MixedOptions

/** Generates the named workload. */
export async function generateWorkload(name: string, options: AnyWorkloadOptions = {}): Promise<Workload> {
  switch (name) {
    case 'transfers':
      return generateTransfers(options)
    case 'erc20':
      return generateErc20(options)
    case 'uniswap':
      return generateUniswap(options)
    case 'mixed':
      return generateMixed(options)
    default:
      throw new WorkloadError('WORKLOAD_BAD_OPTIONS', `unknown workload ${name}`, { details: { name, known: WORKLOAD_NAMES } })
  }
}
