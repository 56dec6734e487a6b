// The committer's chain store: restart resumes at the head with nothing lost or repeated, also
// after the writing process is killed with SIGKILL in the middle of commits.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openChainStore } from '../../network/index.js'
import type { StoredBlock } from '../../network/index.js'
import { balanceKey } from '../../src/state-verification/index.js'
import { rejectsWithCode } from './helpers.js'

const dir = await mkdtemp(join(tmpdir(), 'paradag-chain-'))
after(() => rm(dir, { recursive: true, force: true }))

const hashOf = (n: bigint, salt = 0): string => `0x${(n * 1000n + BigInt(salt)).toString(16).padStart(64, '0')}`
const ALICE = balanceKey(`0x${'aa'.repeat(20)}`)
const BOB = balanceKey(`0x${'bb'.repeat(20)}`)

function block(n: bigint, salt = 0): StoredBlock {
  return {
    number: n,
    hash: hashOf(n, salt),
    parentHash: n === 0n ? `0x${'00'.repeat(32)}` : hashOf(n - 1n),
    header: { number: `0x${n.toString(16)}`, gasUsed: '0x5208' },
    receipts: [{ status: 1, cumulativeGasUsed: '0x5208' }],
    // Alice's balance is the block number; Bob exists only in even blocks.
    stateDiff: { [ALICE]: `0x${n.toString(16).padStart(2, '0')}`, [BOB]: n % 2n === 0n ? '0x01' : null },
    meta: { groups: 2 },
  }
}

describe('chain store', () => {
  it('resumes at the head after close and reopen, without duplicates', async () => {
    const path = join(dir, 'plain')
    let store = await openChainStore({ path })
    assert.equal(store.head(), undefined)
    for (const n of [0n, 1n, 2n]) assert.equal(await store.putBlock(block(n)), 'written')
    await store.close()
    await rejectsWithCode(store.getBlock(0n), 'CHAIN_STORE_CLOSED')

    store = await openChainStore({ path })
    try {
      assert.deepEqual(store.head(), { number: 2n, hash: hashOf(2n) })
      assert.equal(await store.putBlock(block(2n)), 'duplicate')
      await rejectsWithCode(store.putBlock(block(2n, 7)), 'CHAIN_STORE_CONFLICT')
      await rejectsWithCode(store.putBlock(block(4n)), 'CHAIN_STORE_GAP')
      await rejectsWithCode(store.putBlock({ ...block(3n), parentHash: hashOf(9n) }), 'CHAIN_STORE_CONFLICT')
      await rejectsWithCode(store.putBlock({ ...block(3n), stateDiff: { [ALICE]: 'zz' } }), 'CHAIN_STORE_INVALID')
      assert.equal(await store.putBlock(block(3n)), 'written')
      const all = []
      for await (const b of store.blocks()) all.push(b)
      assert.deepEqual(all, [0n, 1n, 2n, 3n].map((n) => block(n)))
      assert.equal(await store.getBlockNumber(hashOf(2n)), 2n)
      assert.equal(await store.getState(ALICE), '0x03')
      assert.equal(await store.getState(BOB), undefined)
      const some = []
      for await (const b of store.blocks(1n, 2n)) some.push(b.number)
      assert.deepEqual(some, [1n, 2n])
    } finally {
      await store.close()
    }
  })

  it('serialises concurrent commits: exactly one of two racing blocks at a height wins', async () => {
    const store = await openChainStore({ path: join(dir, 'race'), sync: false })
    try {
      await store.putBlock(block(0n))
      const results = await Promise.allSettled([store.putBlock(block(1n)), store.putBlock(block(1n, 5))])
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
      assert.equal(store.head()?.number, 1n)
    } finally {
      await store.close()
    }
  })

  it('keeps every commit whole when the writer is killed with SIGKILL', async () => {
    const path = join(dir, 'killed')
    const storeUrl = new URL('../../network/chain-store.js', import.meta.url).href
    const keyUrl = new URL('../../src/state-verification/index.js', import.meta.url).href
    // The child commits blocks as fast as it can and reports each one; it is killed mid-stream.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        const { openChainStore } = await import(${JSON.stringify(storeUrl)})
        const { balanceKey } = await import(${JSON.stringify(keyUrl)})
        const store = await openChainStore({ path: ${JSON.stringify(path)} })
        const h = (n) => '0x' + (n * 1000n).toString(16).padStart(64, '0')
        for (let n = 0n; ; n++) {
          await store.putBlock({ number: n, hash: h(n), parentHash: n === 0n ? '0x' + '00'.repeat(32) : h(n - 1n),
            header: {}, receipts: [], stateDiff: { [balanceKey('0x' + 'aa'.repeat(20))]: '0x' + n.toString(16).padStart(2, '0') } })
          process.stdout.write(n + '\\n')
        }`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let reported = -1n
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', () => resolve())
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (chunk: string) => {
        const lines = chunk.trim().split('\n')
        reported = BigInt(lines.at(-1) ?? '-1')
        if (reported >= 30n) child.kill('SIGKILL')
      })
    })
    assert.equal(child.signalCode, 'SIGKILL')

    const store = await openChainStore({ path })
    try {
      const head = store.head()
      assert.ok(head !== undefined)
      // Everything reported as committed survived; the head may be ahead of the last report by
      // the commit in flight, never behind it.
      assert.ok(head.number >= reported, `head ${head.number} < reported ${reported}`)
      const numbers = []
      for await (const b of store.blocks()) numbers.push(b.number)
      assert.deepEqual(numbers, Array.from({ length: Number(head.number) + 1 }, (_, i) => BigInt(i)))
      assert.equal(await store.getState(ALICE), `0x${head.number.toString(16).padStart(2, '0')}`)
      // The chain continues where it stopped.
      const next = head.number + 1n
      assert.equal(
        await store.putBlock({ number: next, hash: hashOf(next), parentHash: head.hash, header: {}, receipts: [], stateDiff: {} }),
        'written',
      )
    } finally {
      await store.close()
    }
  })
})
