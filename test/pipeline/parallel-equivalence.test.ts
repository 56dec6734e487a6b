import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, createInProcessExecutor } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential, planBlock, type BlockOutcome } from '../../src/pipeline/index.js'
import { MIXED_WEIGHTS, generateErc20, generateMixed, generateTransfers, generateUniswap, workloadBlockInput, type Workload } from '../../src/workloads/index.js'
import { merkleStateFrom as merkleFrom, snapshotToJson } from '../../src/state/index.js'
import { BODY_ON_WORKERS_FROM } from '../../src/pipeline/constants.js'

function summary(o: BlockOutcome): unknown {
  return {
    hash: bytesToHex(o.blockHash),
    stateRoot: bytesToHex(o.stateRoot),
    receiptsRoot: bytesToHex(o.receiptsRoot),
    gasUsed: o.gasUsed.toString(),
    included: o.included.map((i) => [i.index, i.receipt.status, i.receipt.gasUsed.toString(), i.receipt.logs.length]),
    excluded: o.excluded.map((e) => [e.index, e.code]),
  }
}

/** Mixed-workload weights with every kind off except the given ones. */
function zeroWeights(on: Partial<Record<keyof typeof MIXED_WEIGHTS, number>>): Record<keyof typeof MIXED_WEIGHTS, number> {
  const w = Object.fromEntries(Object.keys(MIXED_WEIGHTS).map((k) => [k, 0])) as Record<keyof typeof MIXED_WEIGHTS, number>
  return { ...w, ...on }
}

async function check(w: Workload, groups: number): Promise<void> {
  const { env, raws, chain } = workloadBlockInput(w)
  const seqState = await merkleFrom(w.genesis, w.common)
  const seq = await executeSequential({ common: w.common, env, state: seqState, raws })
  const parState = await merkleFrom(w.genesis, w.common)
  const rep = await executeParallel({ common: w.common, chain, env, state: parState, raws, executor: createInProcessExecutor(), groups, forceParallel: true })
  assert.deepEqual(summary(rep.outcome), summary(seq))
  assert.equal(rep.mode, 'parallel')
}

describe('parallel execution equals sequential execution', () => {
  it('transfers with skew', async () => check(await generateTransfers({ txs: 120, accounts: 40, skew: 1.2, seed: 3 }), 3))
  it('erc20 transfers', async () => check(await generateErc20({ txs: 120, accounts: 60, seed: 4 }), 2))
  it('uniswap swaps', async () => check(await generateUniswap({ txs: 60, accounts: 30, seed: 5 }), 4))
  it('mixed workload with invalid transactions', async () => check(await generateMixed({ txs: 150, accounts: 40, seed: 6 }), 3))
})

describe('planning does not depend on the parent state backend', () => {
  it('plans over a MapStateManager snapshot equal plans over the Merkle state', async () => {
    const { MapStateManager } = await import('../../src/state/index.js')
    const { planBlock } = await import('../../src/pipeline/index.js')
    const w = await generateErc20({ txs: 80, accounts: 30, seed: 9 })
    const { env, raws, chain } = workloadBlockInput(w)
    const opts = { common: w.common, chain, env, raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true, sliceMode: 'full' as const }
    const a = await planBlock({ ...opts, state: new MapStateManager({ snapshot: w.genesis }) })
    const b = await planBlock({ ...opts, state: await merkleFrom(w.genesis, w.common) })
    assert.deepEqual(a.predictions, b.predictions)
    assert.deepEqual(a.keep, b.keep)
    const strip = (p: typeof a): unknown => p.packages.map((x) => ({ ...x, slice: Object.keys(x.slice).sort() }))
    assert.deepEqual(strip(a), strip(b))
  })

  it('a transaction predicted without running it carries its predicted access set through JSON and structured clones', async () => {
    const { planBlock } = await import('../../src/pipeline/index.js')
    const { accessSetToJson, TemplateStore } = await import('../../src/state-verification/index.js')
    const w = await generateErc20({ txs: 80, accounts: 30, seed: 9 })
    const { env, raws, chain } = workloadBlockInput(w)
    const templates = new TemplateStore()
    const plan = await planBlock({ common: w.common, chain, env, raws, executor: createInProcessExecutor(), groups: 2, forceParallel: true, sliceMode: 'full', templates, state: await merkleFrom(w.genesis, w.common) })
    const cheap = plan.predictions.filter((r) => r.exclusion?.code === 'NOT_EXECUTED')
    assert.ok(cheap.length > 40, `most transfers are predicted by their template (${cheap.length})`)
    for (const r of cheap.slice(0, 10)) {
      const p = plan.txs.findIndex((t) => t.index === r.index)
      const predicted = templates.predict(plan.txs[p]!.tx, plan.txs[p]!.sender.toString())
      assert.ok(predicted !== undefined && predicted.writes.size > 0)
      const want = accessSetToJson(predicted)
      assert.deepEqual(JSON.parse(JSON.stringify(r)).access, want)
      assert.deepEqual(structuredClone(r).access, want)
    }
  })
})

describe('adaptive fallback', () => {
  it('a small block and a one-sender block run sequentially (untraced) and still equal the sequential block', async () => {
    for (const w of [await generateMixed({ txs: 10, accounts: 8, seed: 21 }), await generateTransfers({ txs: 40, accounts: 20, seed: 22, oneSender: true })]) {
      const { env, raws, chain } = workloadBlockInput(w)
      const seq = await executeSequential({ common: w.common, env, state: await merkleFrom(w.genesis, w.common), raws })
      const rep = await executeParallel({ common: w.common, chain, env, state: await merkleFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2 })
      assert.equal(rep.mode, 'sequential')
      assert.ok(rep.fallbackReason !== undefined)
      assert.equal(rep.traced, false)
      assert.deepEqual(summary(rep.outcome), summary(seq))
      const traced = await executeParallel({ common: w.common, chain, env, state: await merkleFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2, traceFallback: true })
      assert.equal(traced.traced, true)
      assert.deepEqual(summary(traced.outcome), summary(seq))
    }
  })
})

describe('the committer repairs whatever the grouping got wrong', () => {
  it('every transaction in its own group: conflicts are detected, repaired, and the block equals sequential', async () => {
    const { planBlock, commitBlock } = await import('../../src/pipeline/index.js')
    const { stateManagerReader } = await import('../../src/state/index.js')
    const w = await generateMixed({ txs: 60, accounts: 6, seed: 31 })
    const { env, raws, chain } = workloadBlockInput(w)
    const seq = await executeSequential({ common: w.common, env, state: await merkleFrom(w.genesis, w.common), raws })
    const state = await merkleFrom(w.genesis, w.common)
    const executor = createInProcessExecutor()
    const plan = await planBlock({ common: w.common, chain, env, state, raws, executor, groups: 2, forceParallel: true, reuseSpeculative: false, sliceMode: 'full' })
    // A deliberately wrong plan: split every package into one-transaction groups.
    plan.packages = plan.packages.flatMap((pkg) => pkg.txs.map((t, i) => ({ ...pkg, id: `${pkg.id}x${i}:g${1000 + t.index}`, group: 1000 + t.index, txs: [t] })))
    plan.groups = plan.packages.length
    const reader = stateManagerReader(state)
    const results = await Promise.all(plan.packages.map((p) => executor.execute(p, { fallback: reader })))
    const rep = await commitBlock({ common: w.common, plan, results, state })
    assert.ok(rep.repaired > 0, 'conflicting groups were repaired')
    assert.ok(rep.conflicts.length > 0)
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })
})

describe('staged prediction', () => {
  const run = async (w: Workload): Promise<{ rep: Awaited<ReturnType<typeof executeParallel>>; seq: BlockOutcome }> => {
    const { env, raws, chain } = workloadBlockInput(w)
    const seq = await executeSequential({ common: w.common, env, state: await merkleFrom(w.genesis, w.common), raws })
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2 })
    return { rep, seq }
  }

  it('a hot-key block falls back after checking its first part, and equals sequential', async () => {
    const { rep, seq } = await run(await generateErc20({ txs: 600, accounts: 200, seed: 9, hotKey: true }))
    assert.equal(rep.mode, 'sequential')
    assert.match(rep.fallbackReason ?? '', /no parallelism in the first \d+ transactions/)
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })

  it('a block whose value transfers to the coinbase join everything falls back before tracing anything, and equals sequential', async () => {
    // Neither static rules nor templates predict a transfer to the coinbase, but it certainly
    // reads the coinbase balance that every earlier transaction credited.
    const w = await generateMixed({ txs: 600, accounts: 600, seed: 9, weights: zeroWeights({ transfer: 80, erc20: 10, coinbaseTransfer: 10 }) })
    const { env, raws, chain } = workloadBlockInput(w)
    const plan = await planBlock({ common: w.common, chain, env, state: await merkleFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), groups: 2 })
    assert.match(plan.fallbackReason ?? '', /no parallelism in the first 128 transactions/)
    assert.equal(plan.predictedBy?.traced, 0)
    const { rep, seq } = await run(w)
    assert.equal(rep.mode, 'sequential')
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })

  it('the same block without the coinbase transfers runs in parallel, equal to sequential', async () => {
    const { rep, seq } = await run(await generateMixed({ txs: 600, accounts: 600, seed: 9, weights: zeroWeights({ transfer: 80, erc20: 10 }) }))
    assert.equal(rep.mode, 'parallel', rep.fallbackReason)
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })

  it('a uniform ERC-20 block of the same size passes the check and runs in parallel, equal to sequential', async () => {
    const { rep, seq } = await run(await generateErc20({ txs: 600, accounts: 1200, seed: 9 }))
    assert.equal(rep.mode, 'parallel', rep.fallbackReason)
    assert.deepEqual(summary(rep.outcome), summary(seq))
  })
})

describe('the seal on worker threads', () => {
  const pool = new WorkerExecutor({ workers: 2, id: 'seal-pool' })
  before(async () => pool.start())
  after(async () => pool.stop())

  /** `streamed`: in parts over the replica, each merged part's receipts encoded while later parts run. */
  const run = async (w: Workload, streamed = false): Promise<void> => {
    const { env, raws, chain } = workloadBlockInput(w)
    assert.ok(raws.length >= BODY_ON_WORKERS_FROM)
    const seq = await executeSequential({ common: w.common, env, state: await merkleFrom(w.genesis, w.common), raws })
    let pieces = 0
    const counting = Object.create(pool) as WorkerExecutor
    counting.receiptsPiece = (...a: Parameters<WorkerExecutor['receiptsPiece']>) => {
      pieces++
      return pool.receiptsPiece(...a)
    }
    const more = streamed ? { parts: 4, parentSnapshot: snapshotToJson(w.genesis) } : {}
    const rep = await executeParallel({ common: w.common, chain, env, state: await merkleFrom(w.genesis, w.common), raws, executor: counting, groups: 2, forceParallel: true, ...more })
    // Streamed: one piece per merged part before the last, one for the rest; else one per worker.
    assert.equal(pieces, streamed ? 4 : 2)
    assert.equal(rep.mode, 'parallel')
    // Receipts (with each bloom), receipts root, transactions root and block bloom from the workers.
    assert.deepEqual(summary(rep.outcome), summary(seq))
    assert.equal(bytesToHex(rep.outcome.transactionsRoot), bytesToHex(seq.transactionsRoot))
    assert.equal(bytesToHex(rep.outcome.logsBloom), bytesToHex(seq.logsBloom))
    assert.deepEqual(rep.outcome.included.map((i) => bytesToHex(i.receipt.bloom)), seq.included.map((i) => bytesToHex(i.receipt.bloom)))
  }

  it('an ERC-20 block, every transaction included', async () => run(await generateErc20({ txs: 300, accounts: 600, seed: 31 })))
  it('a mixed block with exclusions: the roots cover the included transactions only', async () => {
    const w = await generateMixed({ txs: 300, accounts: 120, seed: 32, invalidRate: 0.1 })
    await run(w)
  })
  it('streamed in four parts: the receipts of each merged part encoded early, the same block', async () => {
    await run(await generateErc20({ txs: 300, accounts: 600, seed: 33 }), true)
    await run(await generateMixed({ txs: 300, accounts: 120, seed: 34, invalidRate: 0.1 }), true)
  })
})

describe('flushing each streamed part while the workers run the next', () => {
  const pool = new WorkerExecutor({ workers: 2, id: 'flush-pool' })
  before(async () => pool.start())
  after(async () => pool.stop())

  // Few accounts: the same balances, slots and pool reserves are written in many parts.
  const cases: [string, () => Promise<Workload>][] = [
    ['a mixed block with exclusions', () => generateMixed({ txs: 240, accounts: 24, seed: 41, invalidRate: 0.1 })],
    ['an ERC-20 block among 12 holders', () => generateErc20({ txs: 240, accounts: 12, seed: 42 })],
  ]
  /** Runs `w` in 8 parts on the pool (optionally under an open checkpoint), counting flushes; checks it equals sequential. */
  const runCounting = async (w: Workload, underCheckpoint: boolean): Promise<{ flushes: number; depth: number }> => {
    const { env, raws, chain } = workloadBlockInput(w)
    const seq = await executeSequential({ common: w.common, env, state: await merkleFrom(w.genesis, w.common), raws })
    const state = await merkleFrom(w.genesis, w.common)
    if (underCheckpoint) await state.checkpoint()
    const flush = state.flush.bind(state)
    let flushes = 0
    state.flush = async () => {
      flushes++
      await flush()
    }
    const rep = await executeParallel({ common: w.common, chain, env, state, raws, executor: pool, groups: 2, forceParallel: true, parts: 8, parentSnapshot: snapshotToJson(w.genesis) })
    assert.equal(rep.mode, 'parallel')
    assert.deepEqual(summary(rep.outcome), summary(seq))
    return { flushes, depth: state.checkpointDepth }
  }

  for (const [name, make] of cases) {
    it(`${name}: 8 parts, a flush per part, the sequential block`, async () => {
      const { flushes } = await runCounting(await make(), false)
      // Seven parts flushed before the next one arrived, then the seal's own flush.
      assert.ok(flushes >= 8, `${flushes} flushes`)
    })
  }

  it("under a caller's checkpoint: no flush per part, the block's writes stay journaled until the seal", async () => {
    const { flushes, depth } = await runCounting(await generateErc20({ txs: 240, accounts: 12, seed: 43 }), true)
    assert.equal(flushes, 1, "only the seal's state root flushes")
    assert.equal(depth, 1)
  })
})
