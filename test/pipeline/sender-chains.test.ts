import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createInProcessExecutor } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential, type BlockOutcome } from '../../src/pipeline/index.js'
import { choosePartition } from '../../src/pipeline/sender-chains.js'
import { EXCLUSION_REASON, type AccessSet } from '../../src/state-verification/index.js'
import { TxFactory, addressOfKey, generateTransfers, generateUniswap, workloadBlockInput, type Workload } from '../../src/workloads/index.js'
import { merkleStateFrom } from '../../src/state/index.js'

function summary(o: BlockOutcome): unknown {
  return {
    hash: bytesToHex(o.blockHash),
    stateRoot: bytesToHex(o.stateRoot),
    receiptsRoot: bytesToHex(o.receiptsRoot),
    included: o.included.map((i) => [i.index, i.receipt.status, i.receipt.gasUsed.toString()]),
    excluded: o.excluded.map((e) => [e.index, e.code]),
  }
}

const set = (...k: string[]): Set<string> => new Set(k)
/** A swap-like access set: the sender's nonce and balance, and a pool's reserves. */
const swap = (sender: string, pool: string): AccessSet => ({
  reads: set(`n:${sender}`, `b:${sender}`, `s:${pool}:0x08`),
  writes: set(`n:${sender}`, `b:${sender}`, `s:${pool}:0x08`),
  credits: new Map(),
})

describe('sender chains', () => {
  it('cuts a trader that joins two pools, assumes its nonce in the other group and counts the repair', () => {
    const p1 = '0x' + '11'.repeat(20)
    const p2 = '0x' + '22'.repeat(20)
    const t = (i: number): string => '0x' + i.toString(16).padStart(40, '0')
    // Pools 1 and 2, eight swaps each by distinct traders; trader 99 swaps in pool 1, then pool 2.
    const access: AccessSet[] = []
    const senders: string[] = []
    for (let i = 0; i < 8; i++) {
      access.push(swap(t(i), p1), swap(t(100 + i), p2))
      senders.push(t(i), t(100 + i))
    }
    access.push(swap(t(99), p1), swap(t(99), p2))
    senders.push(t(99), t(99))
    const gas = access.map(() => 100)
    const plain = choosePartition(access, gas, senders, 2, { tryBelow: 1.8, margin: 1.15, mode: 'never' })
    assert.equal(plain.part.componentCount, 1)
    const cut = choosePartition(access, gas, senders, 2, { tryBelow: 1.8, margin: 1.15 })
    assert.equal(cut.cut, true)
    assert.equal(cut.part.componentCount, 2)
    assert.notEqual(cut.part.groupOf[16], cut.part.groupOf[17])
    assert.deepEqual([...cut.assumeNonce], [17])
    assert.equal(cut.repairs, 1)
    assert.ok(Math.abs(cut.effective - 1800 / 1000) < 1e-9) // 1800 gas over 900 per group plus one 100-gas repair
  })

  it('keeps the chains when cutting would repair too much (one sender across many components)', () => {
    const t = (i: number): string => '0x' + i.toString(16).padStart(40, '0')
    const s = t(1)
    // One sender, each transaction on its own pool: cut, every other one would be repaired.
    const access = Array.from({ length: 20 }, (_, i) => swap(s, t(1000 + i)))
    const senders = access.map(() => s)
    const c = choosePartition(access, access.map(() => 100), senders, 2, { tryBelow: 1.8, margin: 1.15 })
    assert.equal(c.cut, false)
    assert.equal(c.part.componentCount, 1)
  })

  it('a Uniswap block joined only by traders runs in parallel with chains cut, equal to sequential', async () => {
    const w = await generateUniswap({ txs: 80, accounts: 150, pools: 8, seed: 21 })
    const { env, raws, chain } = workloadBlockInput(w)
    const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws })
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2 })
    assert.equal(rep.mode, 'parallel', rep.fallbackReason)
    assert.deepEqual(summary(rep.outcome), summary(seq))
    // Traders that swapped in both groups had their gas balance rebased: no nonce conflict, no re-execution.
    assert.ok(rep.rebased > 0)
    assert.equal(rep.repaired, 0)
    assert.ok(rep.conflicts.every((c) => !c.key.startsWith('n:')))
  })

  it('a rebase needs the committed balance to cover the maximum cost: a trader short of gas money is excluded as in sequential order', async () => {
    const w: Workload = await generateUniswap({ txs: 60, accounts: 90, pools: 6, seed: 24 })
    const { env, raws, chain } = workloadBlockInput(w)
    // A trader with two swaps: give it the funds for the first one's maximum cost only.
    const sender = w.meta.map((m) => m.sender).find((s, i) => w.meta.findIndex((m, j) => j > i && m.sender === s) !== -1)!
    const mine = w.meta.map((m, i) => (m.sender === sender ? i : -1)).filter((i) => i >= 0)
    const tx = w.txs[mine[0]!]! as typeof w.txs[number] & { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    // What the first swap really pays (gas used at the effective price), from a run with ample funds.
    const ample = await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws })
    const used = ample.included.find((i) => i.index === mine[0])!.receipt.gasUsed
    const price = tx.maxFeePerGas < env.baseFeePerGas + tx.maxPriorityFeePerGas ? tx.maxFeePerGas : env.baseFeePerGas + tx.maxPriorityFeePerGas
    // Enough for either swap's maximum cost, not for both: the second one fails the funds check.
    const maxCost = w.txs[mine[1]!]!.gasLimit * (w.txs[mine[1]!]! as typeof tx).maxFeePerGas
    const genesis = new Map(w.genesis)
    genesis.set(sender, { ...genesis.get(sender)!, balance: (tx.gasLimit * tx.maxFeePerGas > maxCost ? tx.gasLimit * tx.maxFeePerGas : maxCost) + (used * price) / 2n })
    const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(genesis, w.common), raws })
    assert.equal(seq.excluded.find((e) => e.index === mine[1])?.code, EXCLUSION_REASON.insufficientFunds)
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true, cutSenderChains: 'always' })
    assert.deepEqual(summary(rep.outcome), summary(seq))
    // Its second swap ran in the other group, on the parent's balance, and was caught on that balance.
    assert.ok(rep.conflicts.some((c) => c.index === mine[1] && c.key === `b:${sender}`))
  })

  it('a run whose code reads its own sender balance is not rebased: it is re-executed', async () => {
    // Probe: SSTORE(0, BALANCE(CALLER)); the sender's earlier transfer runs in the other group.
    const w = await generateTransfers({ txs: 4, accounts: 10, seed: 25 })
    const { env, chain } = workloadBlockInput(w)
    const probe = '0x' + 'ab'.repeat(20)
    const genesis = new Map(w.genesis)
    genesis.set(probe, { balance: 0n, nonce: 1n, code: hexToBytes('0x3331600055') })
    const user = w.accounts[0]!
    const nonce = genesis.get(user.address)!.nonce
    const f = new TxFactory(w.common)
    const raws = [
      f.build({ type: 'eip1559', privateKey: user.privateKey, nonce, to: '0x' + 'cd'.repeat(20), value: 10n ** 15n, gasLimit: 21_000n }).raw,
      f.build({ type: 'eip1559', privateKey: user.privateKey, nonce: nonce + 1n, to: probe, gasLimit: 60_000n }).raw,
    ]
    const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(genesis, w.common), raws })
    assert.equal(seq.included.length, 2)
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true, cutSenderChains: 'always' })
    assert.deepEqual(summary(rep.outcome), summary(seq))
    assert.ok(rep.conflicts.some((c) => c.index === 1 && c.key === `b:${user.address}`), 'the probe call ran in the other group')
    assert.equal(rep.rebased, 0)
    assert.equal(rep.repaired, 1)
  })

  it('a zero-fee sender that exists only after its first transaction gets its assumed nonce in the other group', async () => {
    // Base fee 0 and fee caps 0: the first transaction creates the sender's account and pays
    // nothing, so no balance write links the two; only the nonce does.
    const w = await generateTransfers({ txs: 4, accounts: 10, seed: 26, env: { baseFee: 0n } })
    const { env, chain } = workloadBlockInput(w)
    const key = new Uint8Array(32).fill(0x11)
    const f = new TxFactory(w.common)
    const free = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasLimit: 21_000n, type: 'eip1559' as const, privateKey: key }
    const raws = [f.build({ ...free, nonce: 0n, to: '0x' + 'c1'.repeat(20) }).raw, f.build({ ...free, nonce: 1n, to: '0x' + 'c2'.repeat(20) }).raw]
    assert.equal(w.genesis.has(addressOfKey(key)), false)
    const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws })
    assert.equal(seq.included.length, 2)
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true, cutSenderChains: 'always' })
    assert.equal(rep.groups, 2)
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })

  it('a broken chain (an earlier transaction of the sender excluded) fails the nonce assumption and is repaired', async () => {
    const w: Workload = await generateUniswap({ txs: 40, accounts: 6, pools: 4, seed: 22 })
    const { env, raws, chain } = workloadBlockInput(w)
    // The first sender with transactions in two different pools.
    const sender = w.meta.map((m) => m.sender).find((s, i) => w.meta.findIndex((m, j) => j > i && m.sender === s && w.txs[j]!.data.toString() !== w.txs[i]!.data.toString()) !== -1)!
    const first = w.meta.findIndex((m) => m.sender === sender)
    // Re-sign its first transaction with a value it cannot pay: sequential order excludes it, and
    // with it every later transaction of the sender (nonce too high).
    const account = w.accounts.find((a) => a.address === sender)!
    const old = w.txs[first]!
    const bad = new TxFactory(w.common).build({ type: 'eip1559', privateKey: account.privateKey, nonce: old.nonce, to: old.to!.toString(), data: old.data, gasLimit: old.gasLimit, value: 10n ** 40n })
    const block = [...raws]
    block[first] = bad.raw
    const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws: block })
    const later = w.meta.map((m, i) => (m.sender === sender && i > first ? i : -1)).filter((i) => i >= 0)
    assert.ok(later.length > 0)
    for (const i of later) assert.equal(seq.excluded.find((e) => e.index === i)?.code, EXCLUSION_REASON.nonceTooHigh)
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(w.genesis, w.common), raws: block, executor: createInProcessExecutor(), groups: 2, forceParallel: true, cutSenderChains: 'always' })
    assert.equal(rep.mode, 'parallel')
    assert.deepEqual(summary(rep.outcome), summary(seq))
    // At least one later transaction ran in another group on its assumed nonce and was caught there.
    assert.ok(rep.conflicts.some((c) => c.key === `n:${sender}` && c.seen.w === -2), JSON.stringify(rep.conflicts.map((c) => [c.index, c.key, c.seen.w])))
  })
})
