/** `paradag bench --exec`: traced real execution of a generated workload (wired once tracing lands). */
import type { PartitionRunFigures, Strategy } from './partition-run.js'
import { UsageError } from '../run-command.js'

export interface ExecBenchInput {
  workload: string
  txs: number
  accounts: number
  skew: number
  seed: number
  groups: number
  strategy: Strategy
}

/** Runs the exec benchmark for one configuration. */
export async function runExecBench(_input: ExecBenchInput): Promise<PartitionRunFigures> {
  throw new UsageError('--exec is not available in this build yet')
}
