import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import {
  L1_ATTRIBUTES_DEPOSITOR,
  L1_BLOCK_ADDRESS,
  activeForks,
  createDepositTx,
  createOpCommon,
  decodeDepositTx,
  decodeOpTransaction,
  depositTxHash,
  encodeDepositTx,
  isDepositTx,
  parseOpBlockFixture,
} from '../../src/chain/index.js'
import { hasCode } from '../../src/common/index.js'
import { fixtureNumbers, loadFixtureJson } from './fixtures-path.js'

const depositArb = fc.record({
  sourceHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  from: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  to: fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 }), { nil: undefined }),
  mint: fc.bigInt(0n, (1n << 256n) - 1n),
  value: fc.bigInt(0n, (1n << 256n) - 1n),
  gasLimit: fc.bigInt(0n, (1n << 64n) - 1n),
  isSystemTx: fc.boolean(),
  data: fc.uint8Array({ maxLength: 300 }),
})

function expectCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => hasCode(e, code), `expected ${code}`)
}

describe('deposit transactions (0x7E)', () => {
  it('round-trips encode/decode for arbitrary fields', () => {
    fc.assert(
      fc.property(depositArb, (f) => {
        const tx = createDepositTx({ ...f, from: new Address(f.from), to: f.to === undefined ? undefined : new Address(f.to) })
        const raw = encodeDepositTx(tx)
        assert.equal(raw[0], 0x7e)
        const back = decodeDepositTx(raw)
        assert.deepEqual(encodeDepositTx(back), raw)
        assert.equal(back.mint, f.mint)
        assert.equal(back.value, f.value)
        assert.equal(back.gasLimit, f.gasLimit)
        assert.equal(back.isSystemTx, f.isSystemTx)
        assert.equal(back.to?.toString(), f.to === undefined ? undefined : bytesToHex(f.to))
        assert.equal(bytesToHex(depositTxHash(back)), bytesToHex(keccak_256(raw)))
      }),
      { numRuns: 200 },
    )
  })

  it('decodes the L1 attributes deposit of a real block and re-encodes it byte for byte', () => {
    const n = fixtureNumbers()[0]
    if (n === undefined) return
    const fx = parseOpBlockFixture(loadFixtureJson(n))
    const raw = fx.payloadAttributes.transactions[0] as Uint8Array
    const tx = decodeDepositTx(raw)
    assert.equal(tx.from.toString(), L1_ATTRIBUTES_DEPOSITOR)
    assert.equal(tx.to?.toString(), L1_BLOCK_ADDRESS)
    assert.equal(tx.gasLimit, 1_000_000n)
    assert.equal(tx.mint, 0n)
    assert.equal(tx.isSystemTx, false)
    assert.deepEqual(encodeDepositTx(tx), raw)
  })

  it('rejects malformed encodings with CHAIN_TX_MALFORMED', () => {
    const good = encodeDepositTx(
      createDepositTx({ sourceHash: new Uint8Array(32), from: new Address(new Uint8Array(20)), gasLimit: 21000n }),
    )
    expectCode(() => decodeDepositTx(good.subarray(0, good.length - 1)), 'CHAIN_TX_MALFORMED')
    expectCode(() => decodeDepositTx(hexToBytes('0x7ec0')), 'CHAIN_TX_MALFORMED')
    expectCode(() => decodeDepositTx(hexToBytes('0x02c0')), 'CHAIN_TX_MALFORMED')
    // Arbitrary bytes after the type byte either decode or fail with the coded error, never otherwise.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (junk) => {
        try {
          decodeDepositTx(Uint8Array.from([0x7e, ...junk]))
        } catch (e) {
          assert.ok(hasCode(e, 'CHAIN_TX_MALFORMED'))
        }
      }),
    )
  })
})

describe('decodeOpTransaction', () => {
  const n = fixtureNumbers()[0]
  const fx = n === undefined ? undefined : parseOpBlockFixture(loadFixtureJson(n))

  it('decodes every transaction of a real block (deposits and typed/legacy txs)', () => {
    if (fx === undefined) return
    const forks = activeForks(fx.rollupConfig, fx.payloadAttributes.timestamp)
    const common = createOpCommon(fx.rollupConfig, forks)
    fx.payloadAttributes.transactions.forEach((raw, index) => {
      const tx = decodeOpTransaction(raw, { common, forks, index })
      assert.equal(isDepositTx(tx), index === 0)
    })
  })

  it('rejects blob, unknown and pre-Isthmus 7702 types naming the index', () => {
    if (fx === undefined) return
    const forks = activeForks(fx.rollupConfig, fx.payloadAttributes.timestamp)
    const common = createOpCommon(fx.rollupConfig, forks)
    for (const raw of ['0x03c0', '0x05c0', '0x04c0']) {
      assert.throws(
        () => decodeOpTransaction(hexToBytes(raw as `0x${string}`), { common, forks, index: 7 }),
        (e: unknown) => hasCode(e, 'CHAIN_TX_UNSUPPORTED_TYPE') && (e as { details: { index: number } }).details.index === 7,
      )
    }
    expectCode(() => decodeOpTransaction(new Uint8Array(0), { common, forks, index: 1 }), 'CHAIN_TX_MALFORMED')
    expectCode(() => decodeOpTransaction(hexToBytes('0x02c3010203'), { common, forks, index: 1 }), 'CHAIN_TX_MALFORMED')
    expectCode(() => decodeOpTransaction(hexToBytes('0xf8'), { common, forks, index: 1 }), 'CHAIN_TX_MALFORMED')
  })
})
