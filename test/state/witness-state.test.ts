import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, MapDB, ValueEncoding, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { WitnessBlockHashes, buildPreimageMap, createWitnessStateManager } from '../../src/state/index.js'
import { hasCode } from '../../src/common/index.js'

const ADDRS = [1, 2, 3, 4].map((i) => new Address(hexToBytes(`0x${i.toString(16).padStart(40, '0')}`)))
const SLOTS = [0, 1, 2, 3, 4, 5].map((i) => hexToBytes(`0x${(i * 7919).toString(16).padStart(64, '0')}`))

/** A parent state in a MerkleStateManager over a MapDB; its DB values are a complete witness. */
async function buildParent(values: number[][]): Promise<{ root: Uint8Array; witness: Uint8Array[]; sm: MerkleStateManager }> {
  const map = new Map<string, Uint8Array>()
  const trie = await createMPT({ db: new MapDB<string, Uint8Array>(map), useKeyHashing: true, valueEncoding: ValueEncoding.Bytes })
  const sm = new MerkleStateManager({ trie, prefixCodeHashes: false })
  for (let a = 0; a < ADDRS.length; a++) {
    await sm.putAccount(ADDRS[a] as Address, new Account(BigInt(a), BigInt(1000 + a)))
    await sm.putCode(ADDRS[a] as Address, Uint8Array.from([0x60, a, 0x00]))
    for (let s = 0; s < SLOTS.length; s++) {
      const v = values[a]?.[s] ?? 0
      if (v !== 0) await sm.putStorage(ADDRS[a] as Address, SLOTS[s] as Uint8Array, Uint8Array.from([v]))
    }
  }
  const root = await sm.getStateRoot()
  return { root, witness: [...map.values()], sm }
}

const valuesArb = fc.array(fc.array(fc.nat(3), { minLength: 6, maxLength: 6 }), { minLength: 4, maxLength: 4 })
const writesArb = fc.array(fc.record({ a: fc.nat(3), s: fc.nat(5), v: fc.nat(3) }), { maxLength: 30 })

describe('witness-backed state', () => {
  it('reads the parent state and computes the same post-state root as a full Merkle state', async () => {
    await fc.assert(
      fc.asyncProperty(valuesArb, writesArb, async (values, writes) => {
        const parent = await buildParent(values)
        const ws = await createWitnessStateManager({ witness: parent.witness, stateRoot: parent.root })
        for (let a = 0; a < ADDRS.length; a++) {
          assert.equal((await ws.getAccount(ADDRS[a] as Address))?.balance, BigInt(1000 + a))
          assert.deepEqual(await ws.getCode(ADDRS[a] as Address), Uint8Array.from([0x60, a, 0x00]))
        }
        const full = new MerkleStateManager({ trie: parent.sm['_trie'], prefixCodeHashes: false, caches: new Caches() })
        await ws.checkpoint()
        for (const w of writes) {
          const v = w.v === 0 ? new Uint8Array(0) : Uint8Array.from([w.v])
          await ws.putStorage(ADDRS[w.a] as Address, SLOTS[w.s] as Uint8Array, v)
          await full.putStorage(ADDRS[w.a] as Address, SLOTS[w.s] as Uint8Array, v)
        }
        await ws.commit()
        assert.equal(bytesToHex(await ws.getStateRoot()), bytesToHex(await full.getStateRoot()))
      }),
      { numRuns: 25 },
    )
  })

  it('a missing trie node is a coded error naming the account', async () => {
    const parent = await buildParent([[1, 2, 3, 0, 0, 0], [1], [2], [3]])
    const preimages = buildPreimageMap(parent.witness)
    // Keep only the root: any account read needs deeper nodes.
    const rootOnly = new Map([...preimages].filter(([k]) => k === bytesToHex(parent.root).slice(2)))
    const ws = await createWitnessStateManager({ witness: rootOnly, stateRoot: parent.root })
    await assert.rejects(ws.getAccount(ADDRS[1] as Address), (e: unknown) => hasCode(e, 'STATE_WITNESS_MISSING_NODE') && /0x0+2/.test(String((e as Error).message)))
  })

  it('a state root absent from the witness is STATE_NO_ROOT', async () => {
    await assert.rejects(createWitnessStateManager({ witness: [], stateRoot: new Uint8Array(32).fill(1) }), (e: unknown) => hasCode(e, 'STATE_NO_ROOT'))
  })

  it('BLOCKHASH walks ancestor headers; a missing one is STATE_WITNESS_MISSING_HEADER', async () => {
    const { RLP } = await import('@ethereumjs/rlp')
    const { keccak_256 } = await import('@noble/hashes/sha3.js')
    // Three fake ancestors: header(n) = [parentHash, ...pad, number at index 8]
    const mk = (parent: Uint8Array, n: number): Uint8Array =>
      RLP.encode([parent, ...Array.from({ length: 7 }, () => new Uint8Array(0)), Uint8Array.from([n]), new Uint8Array(0)])
    const h8 = mk(new Uint8Array(32), 8)
    const h9 = mk(keccak_256(h8), 9)
    const h10 = mk(keccak_256(h9), 10)
    const bh = new WitnessBlockHashes(buildPreimageMap([h9, h10]), 10n, keccak_256(h10))
    assert.deepEqual((await bh.getBlock(10)).hash(), keccak_256(h10))
    assert.deepEqual((await bh.getBlock(9)).hash(), keccak_256(h9))
    assert.deepEqual((await bh.getBlock(8)).hash(), keccak_256(h8))
    await assert.rejects(bh.getBlock(7), (e: unknown) => hasCode(e, 'STATE_WITNESS_MISSING_HEADER'))
  })
})
