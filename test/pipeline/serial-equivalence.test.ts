import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, createInProcessExecutor, type Executor, type GroupResult, type WorkPackage } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential, type ParallelReport, type PipelineExecutor } from '../../src/pipeline/index.js'
import { accessSetToJson, buildBlockAccessList } from '../../src/state-verification/index.js'
import { MapStateManager, merkleStateFrom, snapshotToJson } from '../../src/state/index.js'
import { generateMixed, workloadBlockInput } from '../../src/workloads/index.js'

const SLOW = process.env.PARADAG_SLOW === '1' || process.env.CI === 'true'
const RUNS = Number(process.env.PARADAG_PROPERTY_RUNS ?? (SLOW ? 500 : 200))

/** Wraps an executor so results arrive in a random order (each call waits a random few ms). */
function shuffled(inner: PipelineExecutor, rand: () => number): PipelineExecutor {
  const delay = async (): Promise<void> => new Promise((r) => setTimeout(r, Math.floor(rand() * 4)))
  const out: PipelineExecutor = {
    id: `${inner.id}+shuffle`,
    async execute(pkg: WorkPackage, o?: object): Promise<GroupResult> {
      await delay()
      return (inner.execute as (p: WorkPackage, o?: object) => Promise<GroupResult>)(pkg, o)
    },
  }
  if (inner.executeIsolated !== undefined) out.executeIsolated = inner.executeIsolated.bind(inner)
  if (inner.setParent !== undefined) out.setParent = inner.setParent.bind(inner)
  return out
}

function blockSummary(r: { outcome: ParallelReport['outcome'] }): unknown {
  const o = r.outcome
  return {
    hash: bytesToHex(o.blockHash),
    stateRoot: bytesToHex(o.stateRoot),
    receiptsRoot: bytesToHex(o.receiptsRoot),
    receipts: o.included.map((i) => [i.index, i.receipt.status, i.receipt.gasUsed, i.receipt.cumulativeGasUsed, i.receipt.logs.map((l) => l.map((x) => (Array.isArray(x) ? x.map(bytesToHex) : bytesToHex(x))))]),
    excluded: o.excluded.map((e) => [e.index, e.code]),
  }
}

describe('serial equivalence (property)', () => {
  const pools: WorkerExecutor[] = []
  before(async () => {
    for (let w = 1; w <= 4; w++) {
      const p = new WorkerExecutor({ workers: w, id: `pool${w}` })
      await p.start()
      pools.push(p)
    }
  })
  after(async () => {
    for (const p of pools) await p.stop()
  })

  it(`parallel = sequential on random mixed blocks (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          txs: fc.integer({ min: 4, max: 28 }),
          accounts: fc.integer({ min: 3, max: 12 }),
          invalidRate: fc.constantFrom(0, 0, 0.1, 0.25),
          workers: fc.integer({ min: 0, max: 4 }),
          groups: fc.integer({ min: 1, max: 6 }),
          reuse: fc.boolean(),
          replica: fc.boolean(),
          cut: fc.constantFrom('auto' as const, 'always' as const),
          order: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        async (c) => {
          const w = await generateMixed({ txs: c.txs, accounts: c.accounts, seed: c.seed, invalidRate: c.invalidRate, pools: 2, tokens: 3 })
          const { env, raws, chain } = workloadBlockInput(w)
          const seq = await executeSequential({ common: w.common, env, state: await merkleStateFrom(w.genesis, w.common), raws })
          const traced = await executeParallel({ common: w.common, chain, env, state: await merkleStateFrom(w.genesis, w.common), raws, executor: createInProcessExecutor(), sequential: true })
          let s = c.order
          const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
          const base: PipelineExecutor = c.workers === 0 ? createInProcessExecutor() : pools[c.workers - 1]!
          const par = await executeParallel({
            common: w.common,
            chain,
            env,
            state: await merkleStateFrom(w.genesis, w.common),
            raws,
            executor: shuffled(base, rand),
            groups: c.groups,
            forceParallel: true,
            reuseSpeculative: c.reuse,
            cutSenderChains: c.cut,
            ...(c.replica ? { parentSnapshot: snapshotToJson(w.genesis) } : { sliceMode: 'full' as const }),
          })
          const want = blockSummary({ outcome: seq })
          assert.deepEqual(blockSummary(traced), want)
          assert.deepEqual(blockSummary(par), want)
          // Same access sets, DAG hint and EIP-7928 block access list as the traced sequential run.
          assert.deepEqual(par.accessSets.map(accessSetToJson), traced.accessSets.map(accessSetToJson))
          assert.deepEqual(par.dagHint, traced.dagHint)
          const bal = async (r: ParallelReport): Promise<string> =>
            bytesToHex((await buildBlockAccessList(r.traces, new MapStateManager({ snapshot: w.genesis }), { alwaysTouched: [env.coinbase] })).rlp)
          assert.equal(await bal(par), await bal(traced))
        },
      ),
      { numRuns: RUNS },
    )
  })
})
