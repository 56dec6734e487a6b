import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import {
  applyOpTransaction,
  createDepositTx,
  createOpBlockContext,
  createOpVM,
  encodeDepositTx,
  parseOpBlockFixture,
  toOpReceipt,
  encodeReceipt,
} from '../../src/chain/index.js'
import { fixtureNumbers, loadFixtureJson } from './fixtures-path.js'

const first = fixtureNumbers()[0]
const FROM = new Address(hexToBytes('0x00000000000000000000000000000000000000aa'))
const TO = new Address(hexToBytes('0x00000000000000000000000000000000000000bb'))
const REVERTER = new Address(hexToBytes('0x00000000000000000000000000000000000000cc'))

async function setup() {
  const fx = parseOpBlockFixture(loadFixtureJson(first as string))
  const ctx = createOpBlockContext(fx)
  const state = new MerkleStateManager({ common: ctx.common, caches: new Caches() })
  await state.putAccount(FROM, new Account(5n, 100n))
  await state.putAccount(REVERTER, new Account(0n, 0n))
  await state.putCode(REVERTER, hexToBytes('0x60006000fd')) // PUSH1 0 PUSH1 0 REVERT
  const vm = await createOpVM(ctx, state)
  return { ctx, state, vm }
}

function deposit(f: { to?: Address; mint: bigint; value: bigint; gasLimit: bigint }) {
  const tx = createDepositTx({ sourceHash: new Uint8Array(32).fill(7), from: FROM, ...f })
  return { tx, raw: encodeDepositTx(tx) }
}

describe('deposit execution (Regolith+ semantics)', { skip: first === undefined }, () => {
  it('mints, transfers value, bumps the nonce, pays no fees', async () => {
    const { ctx, state, vm } = await setup()
    const { tx, raw } = deposit({ to: TO, mint: 1000n, value: 300n, gasLimit: 100_000n })
    const r = await applyOpTransaction(ctx, vm, tx, { raw, index: 0, blockGasUsed: 0n })
    assert.equal(r.status, 1)
    assert.equal(r.gasUsed, 21_000n)
    assert.equal(r.depositNonce, 5n)
    assert.equal(r.depositReceiptVersion, 1n)
    assert.equal((await state.getAccount(FROM))?.balance, 100n + 1000n - 300n)
    assert.equal((await state.getAccount(FROM))?.nonce, 6n)
    assert.equal((await state.getAccount(TO))?.balance, 300n)
    assert.equal(r.l1Fee + r.baseFee + r.operatorFee, 0n)
    // Canyon+ receipt encoding carries depositNonce and depositReceiptVersion.
    const enc = encodeReceipt(toOpReceipt(r, r.gasUsed))
    assert.equal(enc[0], 0x7e)
  })

  it('a failing deposit keeps the mint, bumps the nonce and uses its whole gas limit', async () => {
    const { ctx, state, vm } = await setup()
    const { tx, raw } = deposit({ to: TO, mint: 10n, value: 1_000_000n, gasLimit: 50_000n })
    const r = await applyOpTransaction(ctx, vm, tx, { raw, index: 0, blockGasUsed: 0n })
    assert.equal(r.status, 0)
    assert.equal(r.gasUsed, 50_000n)
    assert.equal(r.logs.length, 0)
    assert.equal((await state.getAccount(FROM))?.balance, 110n)
    assert.equal((await state.getAccount(FROM))?.nonce, 6n)
    assert.equal(await state.getAccount(TO), undefined)
  })

  it('a reverting deposit keeps the mint, bumps the nonce, reports real gas and undoes the value transfer', async () => {
    const { ctx, state, vm } = await setup()
    const { tx, raw } = deposit({ to: REVERTER, mint: 10n, value: 5n, gasLimit: 50_000n })
    const r = await applyOpTransaction(ctx, vm, tx, { raw, index: 0, blockGasUsed: 0n })
    assert.equal(r.status, 0)
    assert.equal(r.gasUsed, 21_006n)
    assert.equal((await state.getAccount(FROM))?.balance, 110n)
    assert.equal((await state.getAccount(FROM))?.nonce, 6n)
    assert.equal((await state.getAccount(REVERTER))?.balance, 0n)
  })

  it('a deposit that does not fit the block gas pool is a block error', async () => {
    const { ctx, vm } = await setup()
    const { tx, raw } = deposit({ to: TO, mint: 0n, value: 0n, gasLimit: 100_000n })
    await assert.rejects(applyOpTransaction(ctx, vm, tx, { raw, index: 3, blockGasUsed: ctx.gasLimit - 50_000n }), (e: unknown) =>
      (e as { code?: string }).code === 'CHAIN_BLOCK_GAS_EXCEEDED',
    )
  })
})
