// Static rules, hints, fee-vault credits, and the worker pool (results equal in-process).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { createTx } from '@ethereumjs/tx'
import { Address, bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { createVM } from '@ethereumjs/vm'
import { hasCode } from '../../src/common/index.js'
import { MapStateManager, snapshotToJson } from '../../src/state/index.js'
import {
  type PredictionEnv,
  type PredictionPool,
  TracingStateManager,
  accessListHint,
  accessSetToJson,
  createPredictionPool,
  creditBalance,
  predictAccessSet,
  predictBatch,
  predictTransferStatic,
  traceTransaction,
} from '../../src/state-verification/index.js'
import { BASE_FEE, COINBASE, FEE_VAULT, type Op, PROBE, buildTxs, genesis, makeBlock, makeCommon, probeCall, wallets } from './helpers.js'

const ws = wallets(4)

async function parentVm(common = makeCommon()) {
  const inner = new MapStateManager({ snapshot: genesis(ws) })
  const state = new TracingStateManager(inner)
  return { inner, state, vm: await createVM({ common, stateManager: state }) }
}

test('static transfer prediction equals the traced access set', async () => {
  const common = makeCommon()
  const block = makeBlock(common)
  await fc.assert(
    fc.asyncProperty(fc.nat(3), fc.nat(4), fc.bigInt(0n, 10n ** 18n), fc.boolean(), async (from, toSel, value, legacy) => {
      const { inner, vm } = await parentVm(common)
      const w = ws[from]!
      const to = toSel < 4 ? ws[toSel]!.address : '0x00000000000000000000000000000000000000ee'
      const data = legacy
        ? createTx({ type: 0, nonce: 0n, gasLimit: 21_000n, gasPrice: 20n, to: createAddressFromString(to), value }, { common })
        : createTx({ type: 2, nonce: 0n, gasLimit: 30_000n, maxFeePerGas: 50n, maxPriorityFeePerGas: 3n, to: createAddressFromString(to), value, chainId: 1n }, { common })
      const tx = data.sign(w.key)
      const predicted = await predictTransferStatic(tx, { parent: inner, block })
      if (to === w.address) {
        assert.equal(predicted, undefined, 'self transfer falls back to tracing')
        return
      }
      assert.ok(predicted !== undefined)
      const traced = await traceTransaction(vm, tx, { block, isolate: true })
      assert.deepEqual(accessSetToJson(predicted), accessSetToJson(traced.accessSet))
    }),
    { numRuns: 30 },
  )
})

test('static rules refuse contract calls and calls to code; predictAccessSet falls back to tracing', async () => {
  const common = makeCommon()
  const block = makeBlock(common)
  const { inner, vm } = await parentVm(common)
  const toCode = createTx({ type: 0, nonce: 0n, gasLimit: 100_000n, gasPrice: 20n, to: createAddressFromString(PROBE), value: 1n }, { common }).sign(ws[0]!.key)
  assert.equal(await predictTransferStatic(toCode, { parent: inner, block }), undefined)
  const p = await predictAccessSet(toCode, { vm, block })
  assert.equal(p.source, 'traced')
  assert.ok(p.accessSet.reads.has(`c:${PROBE}`))
  const plain = createTx({ type: 0, nonce: 0n, gasLimit: 21_000n, gasPrice: 20n, to: createAddressFromString(ws[1]!.address), value: 1n }, { common }).sign(ws[0]!.key)
  assert.equal((await predictAccessSet(plain, { vm, block })).source, 'static')
  const hint = { reads: new Set<string>(), writes: new Set<string>(['b:0x01']), credits: new Map<string, bigint>() }
  assert.equal((await predictAccessSet(plain, { vm, block, hint })).source, 'hint')
})

test('EIP-2930 access lists become hints covering the listed slots', async () => {
  const common = makeCommon()
  const block = makeBlock(common)
  const slot = `0x${'0'.repeat(63)}1` as `0x${string}`
  const tx = createTx(
    { type: 1, nonce: 0n, gasLimit: 100_000n, gasPrice: 20n, to: createAddressFromString(PROBE), data: probeCall('load(uint256)', [1n]), accessList: [{ address: PROBE, storageKeys: [slot] }], chainId: 1n },
    { common },
  ).sign(ws[0]!.key)
  const h = accessListHint(tx, block)
  assert.ok(h !== undefined)
  assert.ok(h.reads.has(`s:${PROBE}:${slot}`) && h.writes.has(`s:${PROBE}:${slot}`))
  assert.ok(h.writes.has(`n:${ws[0]!.address}`))
  assert.equal(h.credits.get(COINBASE), 100_000n * (20n - BASE_FEE))
  const noList = createTx({ type: 0, nonce: 0n, gasLimit: 21_000n, gasPrice: 20n, to: createAddressFromString(PROBE) }, { common }).sign(ws[0]!.key)
  assert.equal(accessListHint(noList, block), undefined)
})

test('fee-vault payments through creditBalance are credits; a later read sees every credit', async () => {
  const common = makeCommon()
  const block = makeBlock(common)
  const inner = new MapStateManager({ snapshot: genesis(ws) })
  const state = new TracingStateManager(inner, { feeRecipients: [FEE_VAULT] })
  const vm = await createVM({ common, stateManager: state })
  const vault = createAddressFromString(FEE_VAULT)
  // Two txs whose runner pays the vault (as OP-stack rules do), then a tx that reads it.
  const runTxPayingVault = async (v: typeof vm, o: Parameters<NonNullable<Parameters<typeof traceTransaction>[2]>['runTx'] & {}>[1]) => {
    const { runTx } = await import('@ethereumjs/vm')
    const r = await runTx(v, o)
    await creditBalance(v.stateManager, vault, 1000n)
    return r
  }
  const txs = [0, 1].map((i) => createTx({ type: 0, nonce: 0n, gasLimit: 21_000n, gasPrice: 20n, to: createAddressFromString(ws[3]!.address), value: 1n }, { common }).sign(ws[i]!.key))
  for (const tx of txs) {
    const t = await traceTransaction(vm, tx, { block, runTx: runTxPayingVault })
    assert.equal(t.accessSet.credits.get(FEE_VAULT), 1000n)
    assert.ok(!t.accessSet.reads.has(`b:${FEE_VAULT}`) && !t.accessSet.writes.has(`b:${FEE_VAULT}`))
    assert.equal(t.writeSet.credits.get(FEE_VAULT), 1000n)
  }
  assert.equal(state.pendingCredits().get(FEE_VAULT), 2000n, 'credits stay pending while nobody reads the vault')
  const read = createTx({ type: 0, nonce: 0n, gasLimit: 100_000n, gasPrice: 20n, to: createAddressFromString(PROBE), data: probeCall('readBalance(address)', [FEE_VAULT]) }, { common }).sign(ws[2]!.key)
  const t = await traceTransaction(vm, read, { block })
  assert.ok(t.accessSet.reads.has(`b:${FEE_VAULT}`))
  // The contract stored the balance it saw in `last` (slot 1): both earlier credits.
  const last = await inner.getStorage(createAddressFromString(PROBE), hexToBytes(`0x${'0'.repeat(63)}1`))
  assert.equal(BigInt(bytesToHex(last)), 2000n)
})

test('a tx that is not a tracing VM is a coded error', async () => {
  const common = makeCommon()
  const vm = await createVM({ common, stateManager: new MapStateManager({ snapshot: genesis(ws) }) })
  const tx = createTx({ type: 0, nonce: 0n, gasLimit: 21_000n, gasPrice: 20n, to: new Address(new Uint8Array(20)) }, { common }).sign(ws[0]!.key)
  await assert.rejects(traceTransaction(vm, tx), (e) => hasCode(e, 'SV_NOT_TRACING'))
})

let pool: PredictionPool
before(async () => {
  pool = createPredictionPool({ workers: 2 })
  await pool.start()
})
after(async () => {
  await pool.stop()
})

function envOf(): PredictionEnv {
  return { chainId: '1', hardfork: 'prague', number: '1', timestamp: '1700000000', coinbase: COINBASE, gasLimit: '60000000', baseFeePerGas: BASE_FEE.toString(), prevRandao: `0x${'00'.repeat(32)}` }
}

test('pool predictions equal in-process predictions; bad transactions are coded errors naming their index', async () => {
  const { createFastCommon } = await import('../../src/crypto/index.js')
  const common = createFastCommon({ chainId: 1n, hardfork: 'prague' })
  const ops: Op[] = [
    { kind: 'transfer', from: 0, to: 1, value: 3n },
    { kind: 'store', from: 1, k: 2, v: 1 },
    { kind: 'readCoinbase', from: 2 },
    { kind: 'create2', from: 3, salt: 1, value: 1n },
    { kind: 'createAndKill', from: 0, salt: 2, to: 1, value: 2n },
    { kind: 'revertingStore', from: 1, k: 1, v: 1 },
    { kind: 'badNonce', from: 2 },
    { kind: 'hash', from: 3, len: 7 },
    { kind: 'transferNew', from: 2, seed: 1, value: 1n },
  ]
  const txs = buildTxs(ops, ws, common)
  const raw = txs.map((t, index) => ({ index, raw: bytesToHex(t.serialize()) }))
  raw.push({ index: raw.length, raw: '0xdeadbeef' })
  const input = { parent: snapshotToJson(genesis(ws)), parentId: 'g', env: envOf(), txs: raw }
  const local = await predictBatch(input)
  const remote = await pool.predict(input)
  assert.deepEqual(remote, local)
  assert.deepEqual(remote.map((r) => r.index), raw.map((r) => r.index))
  const bad = remote[remote.length - 1]!
  assert.equal(bad.error?.code, 'SV_TX_DECODE')
  assert.equal(bad.error?.details.index, raw.length - 1)
  assert.equal(remote[0]?.source, 'static')
  assert.equal(remote[1]?.source, 'traced')
  const excluded = remote[6]!
  assert.equal(excluded.outcome?.included, false)
  // Every prediction is against the parent: the nonce-0 txs of different senders all read nonce 0.
  for (const r of remote.slice(0, 6)) assert.equal(r.error, undefined)
  // Again with the warm parent (same parentId).
  assert.deepEqual(await pool.predict(input), local)
})

test('pool rejects when not started, and after stop', async () => {
  const p = createPredictionPool({ workers: 1 })
  await assert.rejects(p.predict({ parent: {}, env: envOf(), txs: [{ index: 0, raw: '0x00' }] }), (e) => hasCode(e, 'SV_POOL_NOT_STARTED'))
  await p.start()
  assert.equal(p.size, 1)
  await p.stop()
  await assert.rejects(p.predict({ parent: {}, env: envOf(), txs: [{ index: 0, raw: '0x00' }] }), (e) => hasCode(e, 'SV_POOL_NOT_STARTED'))
})
