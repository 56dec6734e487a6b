/**
 * The hand-written encoders against the libraries they replace: `encodeRlp` against
 * `@ethereumjs/rlp`, receipt encoding against ethereumjs' `encodeReceipt`, and the logs bloom
 * against ethereumjs' `Bloom`, on random inputs around the RLP length boundaries.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RLP } from '@ethereumjs/rlp'
import { Bloom, encodeReceipt } from '@ethereumjs/vm'
import type { Log } from '@ethereumjs/evm'
import { bytesToHex } from '@ethereumjs/util'
import { encodeRlp, bloomOfLogs, hexInto, type RlpItem } from '../../src/common/index.js'
import { blockBloom, buildReceipts, encodeCommittedReceipt, piecesRoot, receiptsPiece, receiptsRoot } from '../../src/batch-committer/block.js'
import { encodeReceipt as encodeOpReceipt } from '../../src/chain/receipts.js'
import { keccak256 } from '../../src/crypto/index.js'

// Byte strings of the lengths where RLP changes form: 0, 1 (below and above 0x80), 55, 56, 256+.
const bytes = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 2 }),
  fc.uint8Array({ minLength: 54, maxLength: 57 }),
  fc.uint8Array({ minLength: 0, maxLength: 300 }),
)
const item: fc.Arbitrary<RlpItem> = fc.letrec((tie) => ({
  item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, bytes, fc.array(tie('item'), { maxLength: 6 })),
})).item as fc.Arbitrary<RlpItem>

test('encodeRlp writes the bytes @ethereumjs/rlp encodes, with and without a type prefix', () => {
  fc.assert(
    fc.property(item, fc.option(fc.integer({ min: 1, max: 0x7f }), { nil: undefined }), (x, prefix) => {
      const ref = RLP.encode(x as never)
      const got = encodeRlp(x, prefix)
      assert.equal(bytesToHex(got), bytesToHex(prefix === undefined ? ref : Uint8Array.from([prefix, ...ref])))
    }),
    { numRuns: 400 },
  )
  // A list whose payload needs a two-byte length.
  const big = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff, 1))
  assert.equal(bytesToHex(encodeRlp(big)), bytesToHex(RLP.encode(big)))
})

const log: fc.Arbitrary<Log> = fc.tuple(
  fc.uint8Array({ minLength: 20, maxLength: 20 }),
  fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
  fc.uint8Array({ maxLength: 200 }),
) as fc.Arbitrary<Log>

test('receipts: blooms equal ethereumjs Bloom, encodings equal ethereumjs encodeReceipt, for every type and status', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ txType: fc.constantFrom(0, 1, 2, 3, 4), status: fc.constantFrom(0 as const, 1 as const), gasUsed: fc.bigInt({ min: 0n, max: 1n << 40n }), logs: fc.array(log, { maxLength: 3 }) }), { minLength: 1, maxLength: 5 }),
      (inputs) => {
        const receipts = buildReceipts(inputs)
        let cumulative = 0n
        receipts.forEach((r, k) => {
          cumulative += inputs[k]!.gasUsed
          const bloom = new Bloom()
          for (const [a, topics] of inputs[k]!.logs) {
            bloom.add(a)
            for (const t of topics) bloom.add(t)
          }
          assert.equal(bytesToHex(r.bloom), bytesToHex(bloom.bitvector))
          assert.equal(bytesToHex(bloomOfLogs(r.logs, keccak256)), bytesToHex(bloom.bitvector))
          const ref = encodeReceipt({ status: r.status, cumulativeBlockGasUsed: cumulative, bitvector: bloom.bitvector, logs: r.logs }, r.txType as never)
          assert.equal(bytesToHex(encodeCommittedReceipt(r)), bytesToHex(ref))
        })
      },
    ),
    { numRuns: 150 },
  )
})

test('OP receipts: a deposit receipt carries its nonce and version after the logs', () => {
  const logs: Log[] = [[new Uint8Array(20).fill(1), [new Uint8Array(32).fill(2)], Uint8Array.of(3)]]
  const bloom = new Bloom()
  bloom.add(logs[0]![0])
  bloom.add(logs[0]![1][0]!)
  const body = [Uint8Array.of(1), Uint8Array.of(0x52, 0x08), bloom.bitvector, logs, Uint8Array.of(7), Uint8Array.of(1)]
  const ref = Uint8Array.from([0x7e, ...RLP.encode(body as never)])
  assert.equal(bytesToHex(encodeOpReceipt({ type: 0x7e, status: 1, cumulativeGasUsed: 21000n, logs, depositNonce: 7n, depositReceiptVersion: 1n })), bytesToHex(ref))
})

test('hexInto decodes hex digits of either case as Node does, and stops at anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.nat(5), (bytes, upper, pad) => {
      let hex = Buffer.from(bytes).toString('hex')
      if (upper) hex = hex.toUpperCase()
      const s = `${'x'.repeat(pad)}${hex}`
      const out = new Uint8Array(bytes.length + 3)
      assert.equal(hexInto(s, pad, out, 3, bytes.length), true)
      assert.deepEqual(out.subarray(3), bytes)
    }),
  )
  for (const bad of ['0g', 'g0', '0x', ' 1', '1\u0661', '\u00e9a', '1']) {
    assert.equal(hexInto(bad, 0, new Uint8Array(1), 0, 1), false, JSON.stringify(bad))
  }
})

test('receipts encoded in consecutive pieces give the blooms, receipts root and block bloom of the whole', async () => {
  const receipt = fc.record({ txType: fc.constantFrom(0, 1, 2), status: fc.constantFrom(0 as const, 1 as const), gasUsed: fc.bigInt({ min: 0n, max: 1n << 40n }), logs: fc.array(log, { maxLength: 2 }) })
  await fc.assert(
    fc.asyncProperty(fc.array(receipt, { maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 3 }), async (inputs, cuts) => {
      const bounds = [0, ...cuts.map((c) => Math.min(c, inputs.length)).sort((a, b) => a - b), inputs.length]
      const pieces = []
      let cumulative = 0n
      for (let j = 0; j + 1 < bounds.length; j++) {
        const part = inputs.slice(bounds[j], bounds[j + 1])
        pieces.push(receiptsPiece(part, cumulative))
        for (const r of part) cumulative += r.gasUsed
      }
      const whole = buildReceipts(inputs)
      assert.equal(bytesToHex(await piecesRoot(pieces)), bytesToHex(await receiptsRoot(whole)))
      const blooms = pieces.flatMap((p) => Array.from({ length: p.blooms.length / 256 }, (_, k) => bytesToHex(p.blooms.subarray(k * 256, (k + 1) * 256))))
      assert.deepEqual(blooms, whole.map((r) => bytesToHex(r.bloom)))
      const or = new Uint8Array(256)
      for (const p of pieces) for (let i = 0; i < 256; i++) or[i]! |= p.logsBloom[i]!
      assert.equal(bytesToHex(or), bytesToHex(blockBloom(whole)))
    }),
    { numRuns: 150 },
  )
})
