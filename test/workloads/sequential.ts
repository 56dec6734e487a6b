/**
 * Test helper: executes a workload block one transaction at a time with @ethereumjs/vm runTx,
 * the way a sequential node would (decode with the block's Common, block gas check, runTx),
 * and reports each transaction's outcome.
 */
import { MerkleStateManager, Caches } from '@ethereumjs/statemanager'
import type { StateManagerInterface } from '@ethereumjs/common'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { MapStateManager, loadSnapshotInto } from '../../src/state/index.js'
import { createEnvBlock, type Workload } from '../../src/workloads/index.js'

export interface TxOutcome {
  status: 'success' | 'revert' | 'invalid'
  stage?: 'decode' | 'block' | 'runTx'
  error?: string
  gasUsed: bigint
}

export interface SequentialRun {
  outcomes: TxOutcome[]
  vm: VM
  state: StateManagerInterface
}

/** Runs the workload's raw transactions in order over its genesis. */
export async function runSequentially(w: Workload, backend: 'map' | 'merkle' = 'map'): Promise<SequentialRun> {
  let state: StateManagerInterface
  if (backend === 'map') {
    const keccak = w.common.customCrypto.keccak256
    state = new MapStateManager({ snapshot: w.genesis, ...(keccak !== undefined ? { keccak256: keccak } : {}) })
  } else {
    state = new MerkleStateManager({ common: w.common, caches: new Caches() })
    await state.checkpoint()
    await loadSnapshotInto(state, w.genesis)
    await state.commit()
  }
  const vm = await createVM({ common: w.common, stateManager: state })
  const block = createEnvBlock(w.blockEnv, w.common)
  const outcomes: TxOutcome[] = []
  let used = 0n
  await state.checkpoint()
  for (const raw of w.raw) {
    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: w.common })
    } catch (e) {
      outcomes.push({ status: 'invalid', stage: 'decode', error: (e as Error).message, gasUsed: 0n })
      continue
    }
    if (tx.gasLimit > w.blockEnv.gasLimit - used) {
      outcomes.push({ status: 'invalid', stage: 'block', error: 'gas limit above what the block has left', gasUsed: 0n })
      continue
    }
    try {
      const r = await runTx(vm, { tx, block })
      used += r.totalGasSpent
      outcomes.push({ status: r.execResult.exceptionError === undefined ? 'success' : 'revert', gasUsed: r.totalGasSpent })
    } catch (e) {
      outcomes.push({ status: 'invalid', stage: 'runTx', error: (e as Error).message, gasUsed: 0n })
    }
  }
  await state.commit()
  return { outcomes, vm, state }
}
