import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bytesToHex } from '@ethereumjs/util'
import { assertBlockHash, diffHeaders, executeOpBlock, headerFromJson, nextBaseFee, parseOpBlockFixture } from '../../src/chain/index.js'
import { fixtureNumbers, loadFixtureJson } from './fixtures-path.js'

const numbers = fixtureNumbers()

describe('OP Sepolia fixtures (sequential execution)', () => {
  it('finds the four fixtures', () => {
    assert.equal(numbers.length, 4)
  })

  for (const n of numbers) {
    it(`block ${n} reproduces expectedBlockHash`, async () => {
      const fx = parseOpBlockFixture(loadFixtureJson(n))
      const res = await executeOpBlock(fx)
      // The next fixture's parent header is this block's real header: compare field by field first.
      const next = numbers.includes(String(Number(n) + 1)) ? loadFixtureJson(String(Number(n) + 1)) : undefined
      const expectedHeader = next !== undefined ? headerFromJson(next['parentHeader'], 'parentHeader') : undefined
      if (expectedHeader !== undefined) assert.deepEqual(diffHeaders(expectedHeader, res.header), [], 'header fields differ')
      assertBlockHash(res, fx.expectedBlockHash, expectedHeader)
      assert.equal(bytesToHex(res.blockHash), bytesToHex(fx.expectedBlockHash))
      assert.equal(res.receipts.length, fx.payloadAttributes.transactions.length)
      assert.equal(res.results[0]?.isDeposit, true)
    })
  }

  it('computes each block base fee from its parent (Holocene extraData params)', () => {
    for (let i = 0; i + 1 < numbers.length; i++) {
      const a = parseOpBlockFixture(loadFixtureJson(numbers[i] as string))
      const b = parseOpBlockFixture(loadFixtureJson(numbers[i + 1] as string))
      // b's parent is the block built from a's payload: its base fee follows from a's parent.
      const parent = a.parentHeader
      const fee = nextBaseFee(
        a.rollupConfig,
        { ...parent, baseFeePerGas: parent.baseFeePerGas as bigint },
        a.payloadAttributes.timestamp,
      )
      assert.equal(fee, b.parentHeader.baseFeePerGas)
    }
  })
})
