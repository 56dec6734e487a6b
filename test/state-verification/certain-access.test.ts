// `certainAccess` is a lower bound of what a transaction does: every key it names is in the traced
// access set of the same transaction, whatever the transaction's code does (reverts, creations,
// self-destructs, calls with value, transfers to the coinbase).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createVM } from '@ethereumjs/vm'
import { commonForVM } from '../../src/crypto/index.js'
import { prepareTransactions } from '../../src/pipeline/index.js'
import { merkleStateFrom } from '../../src/state/index.js'
import { TracingStateManager, certainAccess, traceTransaction } from '../../src/state-verification/index.js'
import { createEnvBlock } from '../../src/chain/index.js'
import { generateMixed, workloadBlockInput } from '../../src/workloads/index.js'

test('the keys certainAccess names are in the traced access set of every included transaction', async () => {
  let checked = 0
  let withRecipient = 0
  for (const seed of [11, 12]) {
    const w = await generateMixed({ txs: 250, accounts: 30, seed, skew: 1 })
    const { env, raws } = workloadBlockInput(w)
    const block = createEnvBlock(env, w.common)
    const tracer = new TracingStateManager(await merkleStateFrom(w.genesis, w.common))
    const vm = await createVM({ common: commonForVM(w.common), stateManager: tracer })
    for (const p of prepareTransactions(raws, w.common).txs) {
      if (p === null) continue
      // In block order on one state, so every valid transaction runs with its own nonce.
      const t = await traceTransaction(vm, p.tx, { block })
      if (!t.outcome.included) continue
      const sender = p.sender.toString()
      const c = certainAccess(p.tx, sender, block)
      const touched = new Set([...t.accessSet.reads, ...t.accessSet.writes])
      for (const k of c.reads) assert.ok(touched.has(k), `tx ${p.index}: ${k} is read`)
      for (const k of c.writes) assert.ok(t.accessSet.writes.has(k), `tx ${p.index}: ${k} is written`)
      for (const k of c.credits.keys()) assert.ok(t.accessSet.credits.has(k) || t.accessSet.writes.has(`b:${k}`), `tx ${p.index}: ${k} is credited`)
      if (c.reads.size > 2) withRecipient++
      checked++
    }
  }
  // The mixed blocks have value transfers and calls with value among the transactions checked.
  assert.ok(checked > 100, `${checked} included transactions checked`)
  assert.ok(withRecipient > 10, `${withRecipient} with a value recipient`)
})
