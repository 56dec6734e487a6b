/**
 * A VM must not outlive its block through a long-lived Common: ethereumjs' EVM subscribes to its
 * Common's `hardforkChanged` event, so a VM built on a shared Common stays reachable, with the
 * whole state it ran on, for as long as that Common lives (one block's state leaked per block in
 * a sidecar). Every path here builds its VMs on a copy (`commonForVM`); the shared Commons end
 * every block with no listener added.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Common } from '@ethereumjs/common'
import { createInProcessExecutor, rulesFor, runPackage, envToJson } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential } from '../../src/pipeline/index.js'
import { prepareTransactions } from '../../src/pipeline/prepare.js'
import { merkleStateFrom, snapshotReader } from '../../src/state/index.js'
import { generateErc20, workloadBlockInput } from '../../src/workloads/index.js'
import { bytesToHex } from '@ethereumjs/util'

const listeners = (c: Common): number => c.events.listenerCount('hardforkChanged')

describe('VMs do not stay reachable through a shared Common', () => {
  it('sequential and parallel blocks leave the workload Common without new listeners', async () => {
    const w = await generateErc20({ txs: 40, accounts: 30, seed: 8 })
    const { env, raws, chain } = workloadBlockInput(w)
    const before = listeners(w.common)
    for (let i = 0; i < 3; i++) {
      await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws })
      await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true })
    }
    assert.equal(listeners(w.common), before)
  })

  it("an executor's cached Common gains no listener per package", async () => {
    const w = await generateErc20({ txs: 12, accounts: 20, seed: 9 })
    const { env, raws, chain } = workloadBlockInput(w)
    const commons = new Map<string, unknown>()
    const cached = rulesFor(chain, env, commons).common
    const txs = prepareTransactions(raws, w.common).txs.filter((t) => t !== null)
    const pkg = {
      id: 'p',
      blockNumber: env.number.toString(),
      round: 1,
      group: 0,
      chain,
      env: envToJson(env),
      txs: txs.map((t) => ({ index: t.index, raw: bytesToHex(t.raw) })),
      slice: {},
      feeRecipients: [env.coinbase.toLowerCase()],
    }
    for (let i = 0; i < 4; i++) {
      const r = await runPackage(pkg, { executorId: 'x', fallback: snapshotReader(w.genesis), commons })
      assert.equal(r.results.length, txs.length)
    }
    assert.equal(listeners(cached), 0)
  })
})
