/**
 * Sender recovery on worker threads: the public keys the workers recover are the ones ecrecover
 * gives here (and their addresses ethereumjs' own), undecodable or unsigned bytes give null, and preparing a block with them gives the
 * same senders and the same exclusions as preparing it alone.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, envToJson } from '../../src/group-exec/index.js'
import { Capability } from '@ethereumjs/tx'
import { prepareTransactions } from '../../src/pipeline/prepare.js'
import { LightTx } from '../../src/pipeline/light-tx.js'
import type { TxFields } from '../../src/state-verification/index.js'
import { generateWorkload, workloadBlockInput } from '../../src/workloads/index.js'

describe('sender recovery on workers', () => {
  const executor = new WorkerExecutor({ workers: 2, id: 'recover-test' })
  before(() => executor.start())
  after(() => executor.stop())

  it('recovers the same senders and gives the same exclusions as recovering in this thread', async () => {
    const w = await generateWorkload('mixed', { txs: 300, accounts: 40, seed: 5, invalidRate: 0.15, txType: 'mixed' })
    const { env, raws, chain } = workloadBlockInput(w)
    // Garbage and a truncated transaction on top of the generator's invalid ones.
    const all = [...raws, Uint8Array.of(0x02, 0xc0), raws[3]!.subarray(0, raws[3]!.length - 5), Uint8Array.of()]
    const keys = await executor.recoverSenders(chain, envToJson(env), all)
    assert.equal(keys.length, all.length)
    const alone = prepareTransactions(all, w.common)
    const withKeys = prepareTransactions(all, w.common, keys)
    assert.deepEqual(
      withKeys.txs.map((t) => (t === null ? null : t.sender.toString())),
      alone.txs.map((t) => (t === null ? null : t.sender.toString())),
    )
    assert.deepEqual(withKeys.excluded, alone.excluded)
    for (const [i, t] of alone.txs.entries()) {
      if (t === null) continue
      assert.equal(bytesToHex(keys[i]!.pub), bytesToHex(t.tx.getSenderPublicKey()), `tx ${i}`)
      // The address the worker hashed equals ethereumjs' own derivation.
      assert.equal(bytesToHex(keys[i]!.address), t.tx.getSenderAddress().toString(), `tx ${i}`)
    }
    assert.ok(alone.excluded.length >= 3, 'the garbage entries are excluded')
    assert.equal(keys[all.length - 1], null)
  })

  it("with recovered signers, reads each transaction's fields from its bytes exactly as ethereumjs decodes them, and decodes it on first read", async () => {
    const w = await generateWorkload('mixed', { txs: 300, accounts: 40, seed: 7, invalidRate: 0.1, txType: 'mixed' })
    const { env, raws, chain } = workloadBlockInput(w)
    const keys = await executor.recoverSenders(chain, envToJson(env), raws)
    const lazy = prepareTransactions(raws, w.common, keys)
    const alone = prepareTransactions(raws, w.common)
    const types = new Set<number>()
    let light = 0
    for (const [i, t] of alone.txs.entries()) {
      const l = lazy.txs[i]
      if (t === null) {
        assert.equal(l, null, `tx ${i}`)
        continue
      }
      assert.ok(l !== null && l !== undefined, `tx ${i}`)
      if (l.fields instanceof LightTx) light++
      const f = l.fields as unknown as Record<string, unknown> & TxFields
      const tx = t.tx as unknown as Record<string, unknown> & TxFields
      types.add(tx.type)
      for (const k of ['type', 'nonce', 'gasLimit', 'value', 'chainId', 'gasPrice', 'maxFeePerGas', 'maxPriorityFeePerGas'] as const) {
        assert.equal(k in f, k in tx, `tx ${i} has ${k} on both or neither`)
        assert.equal(f[k], tx[k], `tx ${i}: ${k}`)
      }
      for (const k of ['accessList', 'authorizationList'] as const) {
        assert.equal(k in f, k in tx, `tx ${i} has ${k} on both or neither`)
        if (k in tx) assert.deepEqual(f[k], tx[k], `tx ${i}: ${k}`)
      }
      assert.equal(f.to?.toString(), tx.to?.toString(), `tx ${i}: to`)
      assert.equal(bytesToHex(f.data), bytesToHex(tx.data), `tx ${i}: data`)
      for (const c of [Capability.EIP155ReplayProtection, Capability.EIP1559FeeMarket, Capability.EIP2718TypedTransaction, Capability.EIP2930AccessLists, Capability.EIP7702EOACode]) {
        assert.equal(f.supports(c), tx.supports(c), `tx ${i}: supports ${c}`)
      }
      assert.equal(f.getSenderAddress().toString(), t.sender.toString())
      assert.equal(bytesToHex(l.senderPubKey!), bytesToHex(t.tx.getSenderPublicKey()))
      // Decoded on first read: the same transaction, its signer pinned (no ecrecover), frozen.
      assert.equal(bytesToHex(l.tx.hash()), bytesToHex(t.tx.hash()), `tx ${i}: hash`)
      assert.equal(l.tx.getSenderAddress().toString(), t.sender.toString())
      assert.equal(l.tx, l.tx, 'decoded once')
      assert.ok(Object.isFrozen(l.tx))
    }
    assert.deepEqual(lazy.excluded, alone.excluded)
    assert.ok(light > 200, `most transactions are read without ethereumjs (${light})`)
    assert.ok(types.has(0) && types.has(1) && types.has(2), `legacy, 2930 and 1559 transactions (${[...types].join(', ')})`)
  })

  it('a transaction signed for another chain is decoded, not read lazily, even given a signer', async () => {
    const w = await generateWorkload('mixed', { txs: 400, accounts: 40, seed: 9, invalidRate: 0.3, txType: 'mixed' })
    const { env, raws, chain } = workloadBlockInput(w)
    const wrong = w.meta.flatMap((m, i) => (m.chainId !== undefined ? [i] : []))
    assert.ok(wrong.length >= 2, `the block has transactions signed for another chain (${wrong.length})`)
    const keys = await executor.recoverSenders(chain, envToJson(env), raws)
    for (const i of wrong) assert.equal(keys[i], null, 'the workers reject them')
    // As if recovered by a worker with other rules: a signer for each of them all the same.
    const signers = keys.map((k, i) => (wrong.includes(i) ? { pub: new Uint8Array(64), address: new Uint8Array(20) } : k))
    const lazy = prepareTransactions(raws, w.common, signers)
    const alone = prepareTransactions(raws, w.common)
    for (const i of wrong) {
      assert.equal(lazy.txs[i], null, `tx ${i}`)
      assert.deepEqual(lazy.excluded.find((e) => e.index === i), alone.excluded.find((e) => e.index === i))
    }
  })
})
