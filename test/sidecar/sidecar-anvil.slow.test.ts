/**
 * End to end against a real node: anvil --network optimism with OP-like setup, a workload of
 * deposits, ETH transfers, ERC-20 transfers and Uniswap V2 swaps over many blocks; the sidecar
 * (parallel replay, proof-built witnesses) must verify every block with zero mismatches, and its
 * API, metrics and probes must answer. anvil's deviations are handled by the `anvil` profile
 * (each one reported per block), never by skipping a check.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeCall } from '../../src/workloads/index.js'
import { type BlockReport, createSidecar } from '../../sidecar/index.js'
import { bytesToHex } from '@ethereumjs/util'
import { type Anvil, DEV_ADDRS, DEV_KEYS, Workload, rpc, startAnvil } from './anvil-harness.js'

describe('sidecar against anvil --network optimism', () => {
  let anvil: Anvil
  let w: Workload
  let first: bigint
  let last: bigint

  before(async () => {
    anvil = await startAnvil()
    w = new Workload(anvil.url)
    first = await w.setup()
    await w.deployDefi()
    // A block of deposits only: ETH mints, a deposit that calls a token, a reverting deposit.
    await w.deposit('0x00000000000000000000000000000000000d0001', '0x00000000000000000000000000000000000d0002', 10n ** 18n, new Uint8Array(0), 10n ** 17n)
    await w.deposit(DEV_ADDRS[1]!, w.tokenA, 0n, encodeCall('transfer(address,uint256)', [DEV_ADDRS[2]!, 12345n]), 0n, 100_000n)
    await w.deposit(DEV_ADDRS[3]!, w.tokenA, 5n, encodeCall('transfer(address,uint256)', [DEV_ADDRS[2]!, 10n ** 40n]), 0n, 100_000n)
    await w.mine()
    for (let b = 0; b < 8; b++) {
      for (let i = 1; i < 6; i++) await w.send(i, DEV_ADDRS[(i + b) % 6]!, new Uint8Array(0), 1000n + BigInt(b), 21_000n)
      for (let i = 1; i < 4; i++) await w.send(i, w.tokenB, encodeCall('transfer(address,uint256)', [DEV_ADDRS[(i + b + 1) % 6]!, 10n ** 18n]), 0n, 100_000n)
      await w.swapAforB(4, 10n ** 20n)
      await w.swapAforB(5, 10n ** 20n + BigInt(b))
      // A reverting ERC-20 transfer (more than the balance).
      if (b % 3 === 0) await w.send(3, w.tokenA, encodeCall('transfer(address,uint256)', [DEV_ADDRS[0]!, 10n ** 40n]), 0n, 100_000n)
      await w.mine()
    }
    last = w.blocks[w.blocks.length - 1]!
  })

  after(async () => {
    await anvil?.stop()
  })

  it('verifies every block of the workload with zero mismatches (parallel replay)', async () => {
    const reports: BlockReport[] = []
    const sc = createSidecar({ rpcUrl: anvil.url, profile: 'anvil', fromBlock: first, toBlock: last, api: { port: 0 }, pollIntervalMs: 200, forceParallel: true, groups: 4, onReport: (r) => reports.push(r) })
    await sc.start()
    try {
      await sc.waitFor(last)
      const bad = reports.filter((r) => r.status !== 'verified')
      assert.deepEqual(bad.map((r) => ({ n: r.number, status: r.status, diffs: r.diffs.slice(0, 3), error: r.error })), [])
      assert.equal(reports.length, Number(last - first + 1n))
      assert.ok(reports.every((r) => r.replayMode === 'parallel' && r.witness?.source === 'proofs'))
      // The regular transactions really ran in groups (not the small-block sequential fallback).
      assert.ok(reports.every((r) => r.parallel?.mode === 'parallel'))
      // Every block with regular transactions was predicted and executed by the group path (the
      // workload's few senders make each block one component, so one group; grouping across
      // groups and repairs are covered by test/pipeline against sequential execution).
      assert.ok(reports.filter((r) => (r.parallel?.reexecuted ?? 0) > 0).length >= 3, 'blocks executed by the group path')
      assert.ok(reports.some((r) => r.deviations.includes('anvil.depositNonceAfterExecution')), 'the deposit block exercised the deposit-nonce deviation')
      const txs = reports.reduce((s, r) => s + r.txs, 0)
      assert.ok(txs >= 100, `workload has ${txs} transactions`)

      const a = sc.apiAddress()!
      const base = `http://${a.host}:${a.port}`
      const health = await fetch(`${base}/healthz`)
      assert.equal(health.status, 200)
      const metrics = await (await fetch(`${base}/metrics`)).text()
      assert.match(metrics, new RegExp(`paradag_sidecar_blocks_verified_total ${reports.length}`))
      assert.match(metrics, /paradag_sidecar_block_mismatches_total 0/)
      const status = await rpc(base, 'paradag_status', [])
      assert.equal(status.follower.verified, reports.length)
      assert.equal(status.follower.mismatches, 0)
      const replay = await rpc(base, 'paradag_replayBlock', [Number(last)])
      assert.equal(replay.status, 'verified')

      // Planning: two independent token transfers and two that both credit the pair's tokenA balance.
      const raws: string[] = []
      const sign = async (i: number, to: string, data: Uint8Array): Promise<void> => {
        const nonce = BigInt(await rpc(anvil.url, 'eth_getTransactionCount', [DEV_ADDRS[i], 'latest']))
        const { raw } = w.factory.build({ type: 'eip1559', privateKey: DEV_KEYS[i]!, nonce, to, data, gasLimit: 100_000n, maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n })
        raws.push(bytesToHex(raw))
      }
      await sign(1, w.tokenB, encodeCall('transfer(address,uint256)', ['0x00000000000000000000000000000000000e0001', 5n]))
      await sign(2, w.tokenB, encodeCall('transfer(address,uint256)', ['0x00000000000000000000000000000000000e0002', 5n]))
      await sign(3, w.tokenA, encodeCall('transfer(address,uint256)', [w.pair, 5n]))
      await sign(4, w.tokenA, encodeCall('transfer(address,uint256)', [w.pair, 6n]))
      const serial = await rpc(base, 'paradag_planBatch', [raws, Number(last), { policy: 'serialize', groups: 2 }])
      assert.ok(serial.txs.every((t: { status: number }) => t.status === 1))
      assert.ok(serial.edges.some((e: { from: number; to: number }) => e.from === 2 && e.to === 3), JSON.stringify(serial.edges))
      assert.deepEqual(serial.batch, [0, 1, 2, 3])
      const g2 = serial.groups.find((g: { txs: number[] }) => g.txs.includes(2))
      assert.ok(g2.txs.includes(3), 'conflicting transactions share a group')
      const defer = await rpc(base, 'paradag_planBatch', [raws, Number(last), { policy: 'defer' }])
      assert.deepEqual(defer.deferred, [3])
      assert.deepEqual(defer.batch, [0, 1, 2])
      const badPlan = await fetch(base, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'paradag_planBatch', params: [['0xzz']] }) })
      assert.equal(((await badPlan.json()) as { error: { data: { code: string } } }).error.data.code, 'SIDECAR_BAD_REQUEST')
    } finally {
      await sc.stop()
    }
  })

  it('verifies the same blocks with the sequential reference replayer', async () => {
    const reports: BlockReport[] = []
    const sc = createSidecar({ rpcUrl: anvil.url, profile: 'anvil', fromBlock: first, toBlock: last, api: false, sequential: true, onReport: (r) => reports.push(r) })
    await sc.start()
    try {
      await sc.waitFor(last)
      assert.deepEqual(reports.filter((r) => r.status !== 'verified').map((r) => r.number), [])
      assert.ok(reports.every((r) => r.replayMode === 'sequential'))
    } finally {
      await sc.stop()
    }
  })
})
