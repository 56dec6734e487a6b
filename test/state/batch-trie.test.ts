/**
 * The batch trie update (deferred hashing) against ethereumjs' MPT applying the same updates one
 * by one: equal roots after every batch, for dense key sets (deep shared prefixes, embedded
 * nodes) and sparse ones, with deletions that collapse branches. And the Merkle state that uses it
 * against ethereumjs' plain MerkleStateManager.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, bytesToHex, bytesToUnprefixedHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { RLP } from '@ethereumjs/rlp'
import { CachedMerkleStateManager, batchUpdateTrie, emptyTrieRoot, orderedTrieRoot, type TrieUpdate } from '../../src/state/index.js'

const RUNS = Number(process.env.PARADAG_PROPERTY_RUNS ?? 200)

/** Keys that share long prefixes (dense) or not: differing only in the bytes chosen by `shape`. */
function keyOf(id: number, dense: boolean): Uint8Array {
  const k = new Uint8Array(32)
  if (dense) {
    k[30] = (id >> 4) & 0x0f
    k[31] = id & 0xff
    k[3] = id % 3 === 0 ? 0x10 : 0
  } else k.set(keccak_256(Uint8Array.of(id)))
  return k
}

const valueArb = fc.oneof(
  fc.constant<Uint8Array | null>(null),
  fc.uint8Array({ minLength: 1, maxLength: 3 }),
  fc.uint8Array({ minLength: 30, maxLength: 70 }),
)
const batchArb = fc.array(fc.record({ id: fc.nat(40), value: valueArb }), { maxLength: 30 })

class MapStore {
  readonly nodes = new Map<string, Uint8Array>()
  reads = 0
  read = (h: Uint8Array): Uint8Array | undefined => {
    this.reads++
    return this.nodes.get(bytesToUnprefixedHex(h))
  }
  write = (h: Uint8Array, rlp: Uint8Array): void => void this.nodes.set(bytesToUnprefixedHex(h), rlp)
}

describe('batchUpdateTrie', () => {
  it('gives the same root as ethereumjs applying the updates one by one (puts, then deletions)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(batchArb, { minLength: 1, maxLength: 4 }), async (dense, batches) => {
        const ref = new MerklePatriciaTrie()
        const store = new MapStore()
        let root = emptyTrieRoot(keccak_256)
        for (const batch of batches) {
          const updates: TrieUpdate[] = batch.map((b) => ({ key: keyOf(b.id, dense), value: b.value }))
          // Last update of a key wins, as in the batch.
          const last = new Map<string, Uint8Array | null>()
          for (const u of updates) {
            last.delete(bytesToHex(u.key))
            last.set(bytesToHex(u.key), u.value)
          }
          for (const [k, v] of last) if (v !== null) await ref.put(hexKey(k), v)
          for (const [k, v] of last) if (v === null) await ref.del(hexKey(k))
          root = await batchUpdateTrie(root, updates, { read: store.read, write: store.write, keccak256: keccak_256 })
          assert.equal(bytesToHex(root), bytesToHex(ref.root()))
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('changes nothing (same root, no writes) for deletions of absent keys and unchanged values', async () => {
    const store = new MapStore()
    const updates = Array.from({ length: 50 }, (_, i) => ({ key: keyOf(i, false), value: Uint8Array.of(i + 1) }))
    const root = await batchUpdateTrie(emptyTrieRoot(keccak_256), updates, { read: store.read, write: store.write, keccak256: keccak_256 })
    const size = store.nodes.size
    const again = await batchUpdateTrie(root, [...updates.slice(0, 10), { key: keyOf(99, false), value: null }], { read: store.read, write: store.write, keccak256: keccak_256 })
    assert.equal(bytesToHex(again), bytesToHex(root))
    assert.equal(store.nodes.size, size)
  })

  it('names the key and the node when a needed node is missing', async () => {
    const store = new MapStore()
    const updates = Array.from({ length: 40 }, (_, i) => ({ key: keyOf(i, false), value: new Uint8Array(40).fill(i) }))
    const root = await batchUpdateTrie(emptyTrieRoot(keccak_256), updates, { read: store.read, write: store.write, keccak256: keccak_256 })
    const rootHex = bytesToUnprefixedHex(root)
    for (const h of [...store.nodes.keys()]) if (h !== rootHex) store.nodes.delete(h)
    await assert.rejects(
      batchUpdateTrie(root, [{ key: keyOf(3, false), value: null, label: 'slot 0x03' }], { read: store.read, write: store.write, keccak256: keccak_256, trieName: 'storage of 0xabc' }),
      (e: unknown) => (e as { code?: string }).code === 'STATE_MISSING_TRIE_NODE' && /slot 0x03/.test(String(e)) && /storage of 0xabc/.test(String(e)),
    )
  })

  it('refuses keys that are not 32 bytes and corrupt nodes, with codes', async () => {
    const store = new MapStore()
    await assert.rejects(batchUpdateTrie(emptyTrieRoot(keccak_256), [{ key: new Uint8Array(20), value: Uint8Array.of(1) }], { read: store.read, write: store.write, keccak256: keccak_256 }), /STATE_INVALID_WRITE|32 bytes/)
    const bogus = keccak_256(Uint8Array.of(1))
    store.nodes.set(bytesToUnprefixedHex(bogus), Uint8Array.of(0xc3, 0x01, 0x02, 0x03))
    await assert.rejects(batchUpdateTrie(bogus, [{ key: keyOf(1, false), value: Uint8Array.of(1) }], { read: store.read, write: store.write, keccak256: keccak_256 }), (e: unknown) => (e as { code?: string }).code === 'STATE_TRIE_CORRUPT')
  })
})

describe('orderedTrieRoot', () => {
  it('equals ethereumjs inserting rlp(i) -> value one by one (sizes across the 128 and 256 key boundaries, tiny and large values)', async () => {
    const sizes = [0, 1, 2, 15, 16, 17, 127, 128, 129, 255, 256, 300]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sizes), fc.integer({ min: 0, max: 1000 }), fc.boolean(), async (n, seed, tiny) => {
        const values = Array.from({ length: n }, (_, i) => Uint8Array.from({ length: tiny ? 1 + ((i + seed) % 3) : 20 + ((i * 7 + seed) % 90) }, (_, j) => (i + j + seed) & 0xff || 1))
        const ref = new MerklePatriciaTrie()
        for (let i = 0; i < n; i++) await ref.put(RLP.encode(i), values[i]!)
        assert.equal(bytesToHex(orderedTrieRoot(values, keccak_256)), bytesToHex(ref.root()))
      }),
      { numRuns: Math.min(RUNS, 60) },
    )
  })
})

function hexKey(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}

type SmOp =
  | { op: 'account'; a: number; balance: bigint; nonce: bigint }
  | { op: 'delete'; a: number }
  | { op: 'slot'; a: number; s: number; v: number }
  | { op: 'clear'; a: number }
  | { op: 'code'; a: number; c: number }
  | { op: 'root' }

const smOpArb: fc.Arbitrary<SmOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('account' as const), a: fc.nat(5), balance: fc.bigInt(0n, 10n ** 20n), nonce: fc.bigInt(0n, 3n) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), a: fc.nat(5) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('slot' as const), a: fc.nat(5), s: fc.nat(20), v: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), a: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('code' as const), a: fc.nat(5), c: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'root' as const }) },
)

const addr = (a: number): Address => new Address(Uint8Array.from({ length: 20 }, (_, i) => (i === 19 ? a + 1 : 0xaa)))
const slotKey = (s: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? s : 0))

interface ModelAccount {
  nonce: bigint
  balance: bigint
  storage: Map<number, Uint8Array>
  code?: Uint8Array
}

/** A fresh ethereumjs MerkleStateManager holding exactly the model (only puts: no deletion paths involved). */
async function referenceRoot(model: Map<number, ModelAccount>): Promise<string> {
  const ref = new MerkleStateManager()
  for (const [a, m] of model) {
    await ref.putAccount(addr(a), new Account(m.nonce, m.balance))
    if (m.code !== undefined) await ref.putCode(addr(a), m.code)
    for (const [s, v] of m.storage) await ref.putStorage(addr(a), slotKey(s), v)
  }
  return bytesToHex(await ref.getStateRoot())
}

describe('CachedMerkleStateManager with batch flushes', () => {
  // ethereumjs' own MerkleStateManager keeps a deleted account's storage trie (a re-created
  // account reads the old slots), so the reference is a model replayed into a fresh one.
  it('has the state root of a fresh ethereumjs Merkle state holding the same state, after any ops', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(smOpArb, { maxLength: 60 }), async (ops) => {
        const ours = new CachedMerkleStateManager({ caches: new Caches() })
        const model = new Map<number, ModelAccount>()
        const touch = (a: number): ModelAccount => {
          let m = model.get(a)
          if (m === undefined) model.set(a, (m = { nonce: 0n, balance: 0n, storage: new Map() }))
          return m
        }
        for (const o of [...ops, { op: 'root' as const }]) {
          switch (o.op) {
            case 'account': {
              const acc = (await ours.getAccount(addr(o.a))) ?? new Account()
              acc.balance = o.balance
              acc.nonce = o.nonce
              await ours.putAccount(addr(o.a), acc)
              const m = touch(o.a)
              m.balance = o.balance
              m.nonce = o.nonce
              break
            }
            case 'delete':
              await ours.deleteAccount(addr(o.a))
              model.delete(o.a)
              break
            case 'slot': {
              if ((await ours.getAccount(addr(o.a))) === undefined) await ours.putAccount(addr(o.a), new Account())
              const v = o.v === 0 ? new Uint8Array(0) : Uint8Array.of(o.v, 0, o.v)
              await ours.putStorage(addr(o.a), slotKey(o.s), v)
              if (o.v === 0) touch(o.a).storage.delete(o.s)
              else touch(o.a).storage.set(o.s, v)
              break
            }
            case 'clear':
              if ((await ours.getAccount(addr(o.a))) !== undefined) {
                await ours.clearStorage(addr(o.a))
                touch(o.a).storage.clear()
              }
              break
            case 'code': {
              const code = Uint8Array.of(0x60, o.c, 0x00)
              await ours.putCode(addr(o.a), code)
              touch(o.a).code = code
              break
            }
            case 'root':
              assert.equal(bytesToHex(await ours.getStateRoot()), await referenceRoot(model))
              break
          }
        }
      }),
      { numRuns: RUNS },
    )
  })
})
