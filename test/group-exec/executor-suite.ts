/**
 * The shared `Executor` compliance suite (STYLE.md #3): every executor — in-process, worker
 * threads, remote execution groups — must give, for the same package, exactly the result
 * `runPackage` gives in this thread (receipts, exclusions, access sets, write sets, misses),
 * read keys outside the slice through the `fallback` it is given, and fail with coded errors.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { bytesToHex } from '@ethereumjs/util'
import fc from 'fast-check'
import { envToJson, runPackage } from '../../src/group-exec/index.js'
import type { Executor, GroupResult, WorkPackage } from '../../src/group-exec/index.js'
import { snapshotReader, snapshotToJson } from '../../src/state/index.js'
import type { StateSnapshot } from '../../src/state/index.js'
import { encodeCall, generateErc20 } from '../../src/workloads/index.js'
import type { Workload } from '../../src/workloads/index.js'
import { TxFactory } from '../../src/workloads/index.js'

/** What a suite run needs from an executor under test. */
export interface ExecutorHandle {
  executor: Executor
  stop?: () => Promise<void>
}

/** A generated package plus the parent state it was cut from. */
export interface PackageFixture {
  pkg: WorkPackage
  genesis: StateSnapshot
}

/** The block environment of a workload in the pipeline's form. */
export function pipelineEnv(w: Workload): Parameters<typeof envToJson>[0] {
  return {
    chainId: w.blockEnv.chainId,
    hardfork: w.blockEnv.hardfork,
    number: w.blockEnv.number,
    timestamp: w.blockEnv.timestamp,
    coinbase: w.blockEnv.coinbase,
    gasLimit: w.blockEnv.gasLimit,
    baseFeePerGas: w.blockEnv.baseFee,
    prevRandao: bytesToHex(w.blockEnv.prevRandao),
    parentHash: `0x${'00'.repeat(32)}`,
  }
}

/**
 * An ERC-20 package with, besides the generated transfers, a transfer that reverts (more
 * tokens than the sender holds), a replayed transaction (nonce too low: excluded) and one from
 * the future (nonce too high: excluded). `fullSlice` false leaves the slice empty: every key is
 * a miss read from the fallback.
 */
export async function makePackage(seed: number, txs: number, fullSlice = true): Promise<PackageFixture> {
  const w = await generateErc20({ txs, accounts: 8, tokens: 2, seed })
  const factory = new TxFactory(w.common)
  const raws = [...w.raw]
  const user = w.accounts[0]!
  const used = w.meta.filter((m) => m.sender === user.address).length
  const nonce0 = (await snapshotReader(w.genesis).getAccount(user.address))!.nonce + BigInt(used)
  const token = w.contracts.tokens[0]!
  const revert = factory.build({
    type: 'eip1559',
    privateKey: user.privateKey,
    nonce: nonce0,
    to: token,
    gasLimit: 100_000n,
    data: encodeCall('transfer(address,uint256)', [w.accounts[1]!.address, 10n ** 40n]),
  })
  raws.push(revert.raw)
  raws.push(raws[0]!)
  const future = factory.build({ type: 'legacy', privateKey: user.privateKey, nonce: nonce0 + 5n, to: w.accounts[2]!.address, value: 1n, gasLimit: 21_000n })
  raws.push(future.raw)
  const pkg: WorkPackage = {
    id: `suite:${seed}:${fullSlice ? 'full' : 'empty'}`,
    blockNumber: w.blockEnv.number.toString(),
    round: 1,
    group: 0,
    chain: { kind: 'ethereum', chainId: w.blockEnv.chainId.toString(), hardfork: w.blockEnv.hardfork },
    env: envToJson(pipelineEnv(w)),
    txs: raws.map((r, index) => ({ index, raw: bytesToHex(r) })),
    slice: fullSlice ? snapshotToJson(w.genesis) : {},
    feeRecipients: [w.blockEnv.coinbase],
  }
  return { pkg, genesis: w.genesis }
}

/** The comparable part of a result (what executed, not who or when), JSON-normalised. */
export function comparable(r: GroupResult): unknown {
  return JSON.parse(JSON.stringify({ packageId: r.packageId, results: r.results }))
}

async function expectCode(p: Promise<unknown>, codes: readonly string[]): Promise<void> {
  try {
    await p
  } catch (err) {
    const code = (err as { code?: unknown }).code
    assert.ok(typeof code === 'string' && codes.includes(code), `expected one of ${codes.join(', ')}, got ${String(code)}: ${(err as Error).message}`)
    return
  }
  assert.fail(`expected a rejection with ${codes.join(' or ')}`)
}

/** Registers the compliance tests for one executor. */
export function runExecutorSuite(name: string, makeExecutor: () => Promise<ExecutorHandle>): void {
  describe(`Executor compliance: ${name}`, { timeout: 120_000 }, () => {
    let handle: ExecutorHandle
    before(async () => {
      handle = await makeExecutor()
    })
    after(async () => {
      await handle?.stop?.()
    })

    it('gives runPackage’s result on a package with reverting and excluded transactions', async () => {
      const { pkg } = await makePackage(11, 12)
      const want = await runPackage(pkg, { executorId: 'reference' })
      // The fixture really has both kinds (a check of the fixture, not of the executor).
      assert.ok(want.results.some((t) => t.receipt?.status === 0))
      assert.ok(want.results.filter((t) => t.status === 'excluded').length >= 2)
      const got = await handle.executor.execute(pkg)
      assert.deepEqual(comparable(got), comparable(want))
      assert.ok(got.finishedAt >= got.startedAt)
    })

    it('equals runPackage on generated packages (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10 }), async (seed, txs) => {
          const { pkg } = await makePackage(seed, txs)
          const want = await runPackage(pkg, { executorId: 'reference' })
          const got = await handle.executor.execute(pkg)
          assert.deepEqual(comparable(got), comparable(want))
        }),
        { numRuns: 3 },
      )
    })

    it('reads keys outside the slice through the fallback and reports them as misses', async () => {
      const { pkg, genesis } = await makePackage(23, 6, false)
      const fallback = snapshotReader(genesis)
      const want = await runPackage(pkg, { executorId: 'reference', fallback })
      const got = await handle.executor.execute(pkg, { fallback })
      assert.deepEqual(comparable(got), comparable(want))
      assert.ok(got.results.some((t) => t.misses.length > 0))
      // Same transactions, full slice: same receipts (the fallback served the same state).
      const full = await runPackage({ ...pkg, slice: snapshotToJson(genesis) }, { executorId: 'reference' })
      assert.deepEqual(
        got.results.map((t) => [t.status, t.receipt]),
        full.results.map((t) => [t.status, t.receipt]),
      )
    })

    it('fails with a coded error on an undecodable transaction', async () => {
      const { pkg } = await makePackage(5, 2)
      const bad: WorkPackage = { ...pkg, id: 'suite:bad-raw', txs: [...pkg.txs, { index: pkg.txs.length, raw: '0x02ff' }] }
      await expectCode(handle.executor.execute(bad), ['EXEC_BAD_PACKAGE'])
    })

    it('refuses a later part of a session it has not run (coded error, nothing run)', async () => {
      const { pkg } = await makePackage(7, 3)
      const orphan: WorkPackage = { ...pkg, id: 'suite:orphan-part', session: { id: 'suite:never-started', part: 1, last: true } }
      await expectCode(handle.executor.execute(orphan), ['EXEC_SESSION_ORDER'])
    })

    it('fails with a coded error on an unknown chain kind', async () => {
      const { pkg } = await makePackage(6, 2)
      const bad = { ...pkg, id: 'suite:bad-chain', chain: { ...pkg.chain, kind: 'bogus' } } as unknown as WorkPackage
      await expectCode(handle.executor.execute(bad), ['EXEC_BAD_PACKAGE'])
    })
  })
}
