/**
 * Sender recovery on worker threads: the public keys the workers recover are the ones ecrecover
 * gives here (and their addresses ethereumjs' own), undecodable or unsigned bytes give null, and preparing a block with them gives the
 * same senders and the same exclusions as preparing it alone.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, envToJson } from '../../src/group-exec/index.js'
import { prepareTransactions } from '../../src/pipeline/prepare.js'
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
})
