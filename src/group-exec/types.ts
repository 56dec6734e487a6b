/**
 * Work packages, group results and the `Executor` interface (STYLE.md #3: the interface lives
 * with its user). A package is self-contained: block environment, the group's transactions in
 * canonical order, and the slice of parent state they are predicted to touch. Executors are
 * stateless: in-process, worker threads and remote nodes all implement `Executor`.
 */
import type { AccessSetJson, WriteSetJson } from '../state-verification/index.js'
import type { StateReader, StateSnapshotJson } from '../state/index.js'
import type { BlockEnvJson } from './env.js'

import type { ChainSpec } from './chain-rules.js'
export type { ChainSpec } from './chain-rules.js'

/** One transaction of a package. */
export interface PackageTx {
  /** Canonical index in the block. */
  index: number
  /** Raw EIP-2718 bytes (0x-hex). */
  raw: string
  /** Recovered sender public key (64 bytes, 0x-hex), so executors need not recover again. */
  senderPubKey?: string
  /**
   * Run it with the nonce it carries: the sender's earlier transactions of the block ran in other
   * groups (sequential order gives it exactly this nonce when they were included; the committer
   * checks that like any other read).
   */
  assumeNonce?: true
}

/** A self-contained unit of group execution. */
export interface WorkPackage {
  id: string
  blockNumber: string
  round: number
  group: number
  chain: ChainSpec
  env: BlockEnvJson
  txs: PackageTx[]
  /** Parent state slice the transactions are predicted to touch. */
  slice: StateSnapshotJson
  /** Commutative fee recipients (coinbase, vaults). */
  feeRecipients: string[]
  /**
   * Part of a group executed in several consecutive packages on one executor: the state the
   * earlier parts left is kept under `id` and the next part continues from it. `part` counts
   * from 0; an executor refuses a part that does not follow the one it ran last.
   */
  session?: { id: string; part: number; last: boolean }
}

/** A log as plain JSON: [address, topics, data]. */
export type LogJson = [string, string[], string]

/** What one transaction did in a group. */
export interface TxResult {
  index: number
  /** Included with a receipt, or excluded with a reason. */
  status: 'included' | 'excluded'
  receipt?: { txType: number; status: 0 | 1; gasUsed: string; logs: LogJson[] }
  exclusion?: { code: string; reason: string }
  access: AccessSetJson
  writes: WriteSetJson
  /** State keys read from outside the package slice. */
  misses: string[]
  /** A speculative run made with an adjusted sender nonce: a prediction, never a result to keep. */
  adjusted?: true
  /**
   * The sender's balance before the run (0x-hex), present when the run used that balance only
   * to pay: the sender has no code and EVM code fetched its account at most once (the call's own
   * value transfer). Its post balance is then the balance before plus a fixed delta, so a result
   * whose only conflict is that balance can be rebased instead of re-executed.
   */
  senderPre?: string
}

/** The result of executing one package. */
export interface GroupResult {
  packageId: string
  executorId: string
  /** Wall-clock start/finish, ms since the epoch (for timelines). */
  startedAt: number
  finishedAt: number
  results: TxResult[]
}

export interface ExecuteOptions {
  signal?: AbortSignal
  /** Where keys outside the slice are read from (the parent state of the package). */
  fallback?: StateReader
}

/** Anything that can execute a work package. */
export interface Executor {
  readonly id: string
  execute(pkg: WorkPackage, options?: ExecuteOptions): Promise<GroupResult>
}
