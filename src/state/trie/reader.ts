/**
 * Point reads of a secure trie with a cache of decoded nodes. ethereumjs' `MPT.get` re-reads and
 * re-decodes every node of the path from its database on each lookup; a block reads thousands of
 * cold accounts and slots through the same upper nodes. Here each node is decoded once and kept
 * on its parent's reference, bounded by a node budget (the whole cache is dropped when it is
 * exceeded). Read errors of the store (e.g. a witness miss) propagate unchanged.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToUnprefixedHex } from '@ethereumjs/util'
import { StateError } from '../errors.js'
import { type Child, type Encoded, type HashRef, type Node, type NodeReader, decodeNode } from './batch-update.js'

/** Decoded-node cache size (nodes) before the cache is dropped. */
export const TRIE_READER_MAX_NODES = 1_000_000
/** Trie roots (accounts' storage tries, account tries of past blocks) kept before the cache is dropped. */
const MAX_ROOTS = 100_000

export class TrieReader {
  private roots = new Map<string, HashRef>()
  private decoded = 0

  constructor(
    private readonly read: NodeReader,
    private readonly emptyRootHex: string,
    private readonly maxNodes = TRIE_READER_MAX_NODES,
  ) {}

  /** The value under `key` (32 bytes, already hashed) in the trie with root `root`, or null. */
  async get(root: Uint8Array, key: Uint8Array): Promise<Uint8Array | null> {
    const rootHex = bytesToUnprefixedHex(root)
    if (rootHex === this.emptyRootHex) return null
    let node: Child = this.rootRef(root)
    let d = 0
    for (;;) {
      if (node.k === 'h') node = node.n ?? (await this.resolve(node))
      if (node.k === 'b') {
        const c: Child | null = node.c[nibble(key, d)]!
        if (c === null) return null
        node = c
        d++
      } else {
        const p = node.p
        for (let i = 0; i < p.length; i++) if (nibble(key, d + i) !== p[i]) return null
        d += p.length
        if (node.k === 'l') return d === 64 ? node.v : null
        node = node.c
      }
    }
  }

  /** The cached reference of `root` (decoded nodes hang off it), created when absent. */
  rootRef(root: Uint8Array): HashRef {
    const hex = bytesToUnprefixedHex(root)
    let ref = this.roots.get(hex)
    if (ref === undefined) {
      if (this.decoded > this.maxNodes || this.roots.size > MAX_ROOTS) this.clear()
      ref = { k: 'h', h: root }
      this.roots.set(hex, ref)
    }
    return ref
  }

  /** Keeps an updated trie held in memory (from `batchUpdateTrie`) as the decoded form of `root`. */
  adopt(root: Uint8Array, node: Child | null): void {
    if (node === null || node.k === 'h') return
    this.rootRef(root).n = node
  }

  /** Drops every cached node (e.g. after the store changed under the same hashes: never for content-addressed nodes). */
  clear(): void {
    this.roots = new Map()
    this.decoded = 0
  }

  private async resolve(ref: HashRef): Promise<Node> {
    const rlp = await this.read(ref.h)
    if (rlp === undefined) {
      const hash = `0x${bytesToUnprefixedHex(ref.h)}`
      throw new StateError('STATE_MISSING_TRIE_NODE', `trie node ${hash} is not in the database`, { details: { node: hash } })
    }
    const n = decodeNode(RLP.decode(rlp) as Encoded)
    ref.n = n
    this.decoded++
    return n
  }
}

function nibble(key: Uint8Array, i: number): number {
  const b = key[i >> 1]!
  return (i & 1) === 0 ? b >> 4 : b & 15
}
