import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, createTxFromRLP } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { runTx, type VM } from '@ethereumjs/vm'
import { MapStateManager, snapshotToJson, toAddress } from '../../src/state/index.js'
import { hasCode, toHex } from '../../src/common/index.js'
import {
  INVALID_REASONS,
  MIXED_WEIGHTS,
  TxFactory,
  WORKLOAD_DEFAULTS,
  createEnvBlock,
  createRng,
  createZipf,
  decodeWord,
  deriveAccounts,
  encodeCall,
  generateErc20,
  generateMixed,
  generateTransfers,
  generateUniswap,
  generateWorkload,
  workloadFromJson,
  workloadToJson,
  type Workload,
} from '../../src/workloads/index.js'
import { createFastCommon } from '../../src/crypto/index.js'
import { createVM } from '@ethereumjs/vm'
import { runSequentially } from './sequential.js'

const small = { txs: 60, accounts: 20, seed: 7 }

function json(w: Workload): string {
  return JSON.stringify(workloadToJson(w))
}

/** Asserts every transaction behaves as its metadata says under sequential execution. */
async function assertOutcomes(w: Workload, backend: 'map' | 'merkle' = 'map'): Promise<Awaited<ReturnType<typeof runSequentially>>> {
  const run = await runSequentially(w, backend)
  run.outcomes.forEach((o, i) => {
    const m = w.meta[i]!
    assert.equal(o.status, m.expect, `tx ${i} (${m.kind}${m.invalid !== undefined ? `:${m.invalid}` : ''}): ${o.error ?? ''}`)
    if (m.expect === 'invalid') assert.equal(o.stage, m.rejectedAt, `tx ${i} ${m.invalid}`)
  })
  return run
}

async function call(vm: VM, to: string, data: Uint8Array): Promise<Uint8Array> {
  const r = await vm.evm.runCall({ to: toAddress(to), data, caller: toAddress(`0x${'00'.repeat(19)}01`), gasLimit: 1_000_000n })
  assert.equal(r.execResult.exceptionError, undefined)
  return r.execResult.returnValue
}

async function genesisVM(w: Workload): Promise<VM> {
  return createVM({ common: w.common, stateManager: new MapStateManager({ snapshot: w.genesis }) })
}

test('each generator is deterministic for a seed and differs across seeds', async () => {
  for (const name of ['transfers', 'erc20', 'uniswap', 'mixed']) {
    const opts = { ...small, txs: 30, invalidRate: 0.2, txType: 'mixed' as const, pools: 2 }
    const a = await generateWorkload(name, opts)
    const b = await generateWorkload(name, opts)
    const c = await generateWorkload(name, { ...opts, seed: 8 })
    assert.equal(json(a), json(b), name)
    assert.notDeepEqual(a.raw, c.raw, name)
  }
})

test('transfers: every transaction succeeds sequentially and is signed by its listed sender', async () => {
  const w = await generateTransfers({ ...small, txType: 'mixed' })
  await assertOutcomes(w)
  w.raw.forEach((r, i) => {
    const tx = createTxFromRLP(r, { common: w.common })
    assert.equal(tx.getSenderAddress().toString(), w.meta[i]!.sender)
    assert.deepEqual(tx.serialize(), r)
  })
  assert.ok(new Set(w.txs.map((t) => t.type)).size === 3, 'legacy, 2930 and 1559 envelopes')
  for (const a of w.genesis.values()) assert.equal(a?.storageComplete, true)
})

test('fully dependent options: one sender, or one hot key', async () => {
  const one = await generateErc20({ ...small, oneSender: true })
  assert.equal(new Set(one.meta.map((m) => m.sender)).size, 1)
  await assertOutcomes(one)
  const hot = await generateTransfers({ ...small, hotKey: true })
  assert.equal(new Set(hot.txs.map((t) => t.to?.toString())).size, 1)
  await assertOutcomes(hot)
  const hotMixed = await generateMixed({ ...small, hotKey: true, oneSender: true })
  assert.ok(hotMixed.meta.every((m) => m.kind === 'hotSlot'))
  const run = await assertOutcomes(hotMixed)
  // The hot counter ends at the number of increments.
  const counter = await run.state.getStorage(toAddress(hotMixed.contracts.probe!), new Uint8Array(32))
  assert.equal(decodeWord(new Uint8Array([...new Uint8Array(32 - counter.length), ...counter])), BigInt(small.txs))
})

test('erc20: holders hold their balances, total supply matches, transfers all succeed (Merkle and map states)', async () => {
  const w = await generateErc20({ ...small, tokens: 3, txType: 'mixed' })
  const vm = await genesisVM(w)
  for (const token of w.contracts.tokens) {
    const supply = decodeWord(await call(vm, token, encodeCall('totalSupply()')))
    assert.equal(supply, BigInt(small.accounts) * WORKLOAD_DEFAULTS.TOKEN_BALANCE)
    const holder = w.accounts[3]!.address
    assert.equal(decodeWord(await call(vm, token, encodeCall('balanceOf(address)', [holder]))), WORKLOAD_DEFAULTS.TOKEN_BALANCE)
  }
  await assertOutcomes(w, 'map')
  await assertOutcomes(w, 'merkle')
})

test('uniswap: real factory pairs at their CREATE2 addresses, router swaps succeed and move reserves', async () => {
  const w = await generateUniswap({ ...small, pools: 3, txs: 40 })
  const before = await genesisVM(w)
  const reservesBefore: bigint[][] = []
  for (const p of w.contracts.pools) {
    const got = decodeWord(await call(before, w.contracts.factory!, encodeCall('getPair(address,address)', [p.token1, p.token0])))
    assert.equal(`0x${got.toString(16).padStart(40, '0')}`, p.pair)
    const r = await call(before, p.pair, encodeCall('getReserves()'))
    reservesBefore.push([decodeWord(r, 0), decodeWord(r, 1)])
    assert.ok(decodeWord(r, 0) > 0n && decodeWord(r, 1) > 0n)
  }
  const run = await assertOutcomes(w)
  let moved = 0
  for (const [i, p] of w.contracts.pools.entries()) {
    const r = await call(run.vm, p.pair, encodeCall('getReserves()'))
    const [r0, r1] = [decodeWord(r, 0), decodeWord(r, 1)]
    if (r0 !== reservesBefore[i]![0] || r1 !== reservesBefore[i]![1]) moved++
  }
  assert.equal(moved, w.contracts.pools.length, 'every pool traded (40 swaps over 3 pools)')
})

test('mixed: every kind and every invalid reason occurs, and each behaves as flagged', async () => {
  const w = await generateMixed({ txs: 400, accounts: 30, seed: 11, invalidRate: 0.25 })
  const kinds = new Set(w.meta.map((m) => m.kind))
  for (const k of Object.keys(MIXED_WEIGHTS)) assert.ok(kinds.has(k as never), `kind ${k} present`)
  const reasons = new Set(w.meta.map((m) => m.invalid).filter((r) => r !== undefined))
  for (const r of INVALID_REASONS) assert.ok(reasons.has(r), `invalid ${r} present`)
  assert.ok(w.meta.some((m) => m.chainId !== undefined))
  await assertOutcomes(w)
})

test('mixed on a Merkle state behaves the same', async () => {
  const w = await generateMixed({ txs: 120, accounts: 20, seed: 12, invalidRate: 0.2 })
  await assertOutcomes(w, 'merkle')
})

test('mixed: invalid transactions are rejected by runTx itself with the expected error', async () => {
  const w = await generateMixed({ txs: 80, accounts: 10, seed: 13, invalidRate: 1, invalidKinds: ['gasLimitAboveBlock', 'nonceTooHigh', 'insufficientFunds', 'intrinsicGasTooLow', 'feeCapBelowBaseFee'] })
  const vm = await genesisVM(w)
  const block = createEnvBlock(w.blockEnv, w.common)
  const patterns: Record<string, RegExp> = {
    gasLimitAboveBlock: /higher gas limit than the block/,
    nonceTooHigh: /correct nonce/,
    insufficientFunds: /enough funds/,
    intrinsicGasTooLow: /INTRINSIC_GAS_TOO_LOW/,
    feeCapBelowBaseFee: /less than the block's baseFeePerGas/,
  }
  for (const [i, tx] of w.txs.entries()) {
    const reason = w.meta[i]!.invalid!
    await assert.rejects(runTx(vm, { tx, block }), (e: Error) => patterns[reason]!.test(e.message), `${i} ${reason}`)
  }
  // A wrong-chain transaction does not decode with the block's Common.
  const wrong = await generateMixed({ txs: 5, accounts: 10, seed: 13, invalidRate: 1, invalidKinds: ['wrongChainId'] })
  for (const r of wrong.raw) assert.throws(() => createTxFromRLP(r, { common: wrong.common }))
})

test('workload JSON round-trips (including wrong-chain transactions) and bad input gets coded errors', async () => {
  const w = await generateMixed({ txs: 60, accounts: 12, seed: 3, invalidRate: 0.3 })
  const text = JSON.stringify(workloadToJson(w))
  const back = workloadFromJson(JSON.parse(text))
  assert.deepEqual(back.raw, w.raw)
  assert.deepEqual(back.meta, w.meta)
  assert.deepEqual(back.blockEnv, w.blockEnv)
  assert.deepEqual(snapshotToJson(back.genesis), snapshotToJson(w.genesis))
  assert.deepEqual(back.txs.map((t) => toHex(t.hash())), w.txs.map((t) => toHex(t.hash())))
  assert.deepEqual(back.contracts, w.contracts)
  assert.deepEqual(back.accounts, w.accounts)
  assert.equal(JSON.stringify(workloadToJson(back)), text)
  // Without metadata the senders are recovered.
  const bare = JSON.parse(text)
  delete bare.meta
  const noMeta = workloadFromJson(bare)
  assert.ok(noMeta.meta.every((m, i) => m.kind === 'unknown' && m.sender === w.meta[i]!.sender))
  assert.throws(() => workloadFromJson({ format: 'other' }), (e: unknown) => hasCode(e, 'WORKLOAD_BAD_JSON'))
  assert.throws(() => workloadFromJson({ ...JSON.parse(text), txs: ['0x02c0ffee'] , meta: undefined }), (e: unknown) => hasCode(e, 'WORKLOAD_TX_UNDECODABLE'))
})

test('signing matches ethereumjs create().sign() byte for byte', () => {
  const common = createFastCommon({ chainId: 901, hardfork: 'prague' })
  const factory = new TxFactory(common)
  const [acct] = deriveAccounts(1, 'user', 1)
  const hex = (n: number): `0x${string}` => `0x${n.toString(16).padStart(2, '0').repeat(20)}`
  fc.assert(
    fc.property(
      fc.constantFrom('eip1559' as const, 'legacy' as const, 'eip2930' as const),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 2n }),
      fc.bigInt({ min: 0n, max: 1n << 100n }),
      fc.uint8Array({ maxLength: 80 }),
      fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
      fc.boolean(),
      (type, nonce, value, data, toByte, withList) => {
        const to = toByte === undefined ? undefined : hex(toByte)
        const accessList = withList ? [{ address: hex(9), storageKeys: [`0x${'00'.repeat(31)}05` as const] }] : []
        const spec = { type, privateKey: acct!.privateKey, nonce, value, data, gasLimit: 1_000_000n, ...(to !== undefined ? { to } : {}), accessList }
        const mine = factory.build(spec)
        const base = { nonce, value, data, gasLimit: 1_000_000n, ...(to !== undefined ? { to } : {}) }
        const ref =
          type === 'eip1559'
            ? createFeeMarket1559Tx({ ...base, maxFeePerGas: WORKLOAD_DEFAULTS.MAX_FEE_PER_GAS, maxPriorityFeePerGas: WORKLOAD_DEFAULTS.MAX_PRIORITY_FEE, accessList }, { common })
            : type === 'eip2930'
              ? createAccessList2930Tx({ ...base, gasPrice: WORKLOAD_DEFAULTS.LEGACY_GAS_PRICE, accessList }, { common })
              : createLegacyTx({ ...base, gasPrice: WORKLOAD_DEFAULTS.LEGACY_GAS_PRICE }, { common })
        assert.deepEqual(mine.raw, ref.sign(acct!.privateKey, false).serialize())
      },
    ),
    { numRuns: 60 },
  )
})

test('derived accounts: addresses belong to the keys', () => {
  const accts = deriveAccounts(5, 'user', 40, 3)
  for (const a of accts) assert.equal(a.address, toHex(privateToAddress(a.privateKey)))
  assert.equal(new Set(accts.map((a) => a.address)).size, 40)
  assert.deepEqual(deriveAccounts(5, 'user', 1, 10)[0], accts[7])
})

test('Zipf skew: a larger exponent gives the most popular item a larger share', async () => {
  const share = (s: number): number => {
    const z = createZipf(100, s)
    const rng = createRng(42, `zipf-${s}`)
    let top = 0
    for (let i = 0; i < 5000; i++) if (z.sample(rng) === 0) top++
    return top / 5000
  }
  const [s0, s6, s12] = [share(0), share(0.6), share(1.2)]
  assert.ok(s0 < 0.03, `uniform top share ${s0}`)
  assert.ok(s6 > s0 * 2 && s12 > s6 * 1.5, `${s0} < ${s6} < ${s12}`)
  assert.ok(s12 > 0.2, `s=1.2 top share ${s12}`)
  // The same holds for the senders of a generated block.
  const topSenderShare = async (skew: number): Promise<number> => {
    const w = await generateTransfers({ txs: 600, accounts: 50, seed: 9, skew })
    const counts = new Map<string, number>()
    for (const m of w.meta) counts.set(m.sender, (counts.get(m.sender) ?? 0) + 1)
    return Math.max(...counts.values()) / w.meta.length
  }
  const [u, z] = [await topSenderShare(0), await topSenderShare(1.2)]
  assert.ok(z > 2 * u && z > 0.15, `top sender share ${u} (s=0) vs ${z} (s=1.2)`)
})

test('bad options give coded errors', async () => {
  await assert.rejects(generateTransfers({ accounts: 1 }), (e: unknown) => hasCode(e, 'WORKLOAD_BAD_OPTIONS'))
  await assert.rejects(generateMixed({ tokens: 2, pools: 2 }), (e: unknown) => hasCode(e, 'WORKLOAD_BAD_OPTIONS'))
  await assert.rejects(generateWorkload('nope'), (e: unknown) => hasCode(e, 'WORKLOAD_BAD_OPTIONS'))
})
