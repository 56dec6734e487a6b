/**
 * A batch Merkle-Patricia trie update with deferred hashing: the whole set of key updates of a
 * trie (one block's storage writes of an account, or its account writes) is applied to an
 * in-memory copy of the touched paths, and every changed node is encoded and hashed once at the
 * end. ethereumjs' MPT re-hashes the full path on every single put, which made the state root
 * the largest cost of a block (ARCHITECTURE.md, "State root").
 *
 * Scope: secure state tries only — every key is 32 bytes (already keccak-hashed), so branch nodes
 * never hold values. Node encoding and hashing follow the Yellow Paper (Appendix D): a node whose
 * RLP is shorter than 32 bytes is embedded in its parent, the root is always hashed.
 *
 * Which nodes are resolved (read from the store) matters for stateless execution, where the
 * witness holds only what go-ethereum reads. This follows geth's `trie.delete`/`trie.insert`:
 * the nodes on each updated key's path, and the one remaining child of a branch that a deletion
 * reduces to a single child. A batch that changes nothing returns the original root and reads no
 * more than the paths.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToUnprefixedHex } from '@ethereumjs/util'
import { StateError } from '../errors.js'
import { rlpHeaderLength, rlpStringLength, writeRlpHeader, writeRlpString } from '../../common/rlp.js'

/** An unresolved child: its hash (`n` memoizes the decoded node for readers). */
export type HashRef = { k: 'h'; h: Uint8Array; n?: Node }
type Leaf = { k: 'l'; p: Uint8Array; v: Uint8Array }
type Ext = { k: 'e'; p: Uint8Array; c: Child }
type Branch = { k: 'b'; c: (Child | null)[] }
export type Node = Leaf | Ext | Branch
export type Child = Node | HashRef
export type Encoded = Uint8Array | Encoded[]

/** Reads a node by hash; `undefined` (or a thrown error) when the store does not hold it. */
export type NodeReader = (hash: Uint8Array) => Promise<Uint8Array | undefined> | Uint8Array | undefined

/** One update of a secure trie: a 32-byte key and its new value (`null` or empty: delete). */
export interface TrieUpdate {
  key: Uint8Array
  value: Uint8Array | null
  /** What the key stands for (an address, a slot), named in errors. */
  label?: string
}

export interface BatchUpdateOptions {
  read: NodeReader
  /** Receives every new node (hash, RLP) the updated trie needs; the root is always included. */
  write: (hash: Uint8Array, rlp: Uint8Array) => void
  keccak256: (data: Uint8Array) => Uint8Array
  /** Names the trie in errors (e.g. "storage of 0x…"). */
  trieName?: string
  /** The root as a reference that may carry decoded nodes already (`TrieReader.rootRef`): those are not read again. */
  rootRef?: HashRef
  /** Receives the updated trie in memory (null when empty), e.g. to keep it for reads (`TrieReader.adopt`). */
  onUpdated?: (root: Uint8Array, node: Child | null) => void
}

interface Op {
  n: Uint8Array // 64 nibbles
  v: Uint8Array | null
  label: string
}

/** The root of the empty trie: keccak256(rlp("")). */
export function emptyTrieRoot(keccak256: (d: Uint8Array) => Uint8Array): Uint8Array {
  return keccak256(Uint8Array.of(0x80))
}

function nibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4
    out[2 * i + 1] = key[i]! & 15
  }
  return out
}

function compareNibbles(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

function concatNibbles(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** Hex-prefix encoding of a nibble path (Yellow Paper, Appendix C). */
function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length & 1
  const out = new Uint8Array((path.length >> 1) + 1)
  out[0] = ((leaf ? 2 : 0) + odd) << 4
  let i = 0
  if (odd === 1) out[0]! |= path[i++]!
  for (let j = 1; i < path.length; i += 2, j++) out[j] = (path[i]! << 4) | path[i + 1]!
  return out
}

function decodeHexPrefix(enc: Uint8Array): { leaf: boolean; path: Uint8Array } {
  if (enc.length === 0) throw new StateError('STATE_TRIE_CORRUPT', 'trie node with an empty path encoding')
  const flag = enc[0]! >> 4
  if (flag > 3) throw new StateError('STATE_TRIE_CORRUPT', `trie node path has an invalid flag nibble ${flag}`)
  const odd = flag & 1
  const path = new Uint8Array((enc.length - 1) * 2 + odd)
  let j = 0
  if (odd === 1) path[j++] = enc[0]! & 15
  for (let i = 1; i < enc.length; i++) {
    path[j++] = enc[i]! >> 4
    path[j++] = enc[i]! & 15
  }
  return { leaf: flag >= 2, path }
}

function decodeChild(x: Encoded): Child | null {
  if (x instanceof Uint8Array) {
    if (x.length === 0) return null
    if (x.length !== 32) throw new StateError('STATE_TRIE_CORRUPT', `trie node reference of ${x.length} bytes (expected a 32-byte hash or an embedded node)`)
    return { k: 'h', h: x }
  }
  return decodeNode(x)
}

/** Decodes a trie node from its RLP structure (embedded children decoded too). */
export function decodeNode(x: Encoded): Node {
  if (!Array.isArray(x)) throw new StateError('STATE_TRIE_CORRUPT', 'trie node is not an RLP list')
  if (x.length === 17) {
    const c: (Child | null)[] = new Array(16)
    for (let i = 0; i < 16; i++) c[i] = decodeChild(x[i]!)
    const v = x[16]!
    if (!(v instanceof Uint8Array) || v.length !== 0) throw new StateError('STATE_TRIE_CORRUPT', 'branch node with a value in a secure trie')
    return { k: 'b', c }
  }
  if (x.length === 2) {
    const enc = x[0]!
    if (!(enc instanceof Uint8Array)) throw new StateError('STATE_TRIE_CORRUPT', 'short node path is not a byte string')
    const { leaf, path } = decodeHexPrefix(enc)
    if (leaf) {
      const v = x[1]!
      if (!(v instanceof Uint8Array)) throw new StateError('STATE_TRIE_CORRUPT', 'leaf value is not a byte string')
      return { k: 'l', p: path, v }
    }
    const c = decodeChild(x[1]!)
    if (c === null) throw new StateError('STATE_TRIE_CORRUPT', 'extension node without a child')
    return { k: 'e', p: path, c }
  }
  throw new StateError('STATE_TRIE_CORRUPT', `trie node is a list of ${x.length} items (expected 2 or 17)`)
}

// Builds a subtree from scratch for the (sorted) live entries of es[lo, hi); all keys share
// nibbles [0, d) and none is a prefix of another (secure-trie keys all have 64 nibbles).
function build(d: number, es: readonly Op[], lo: number, hi: number): Node | null {
  while (lo < hi && es[lo]!.v === null) lo++
  while (hi > lo && es[hi - 1]!.v === null) hi--
  if (lo >= hi) return null
  const first = es[lo]!
  if (hi - lo === 1) return { k: 'l', p: first.n.subarray(d), v: first.v! }
  const last = es[hi - 1]!
  const end = Math.min(first.n.length, last.n.length)
  let cp = 0
  while (d + cp < end && first.n[d + cp] === last.n[d + cp]) cp++
  if (cp > 0) return { k: 'e', p: first.n.subarray(d, d + cp), c: build(d + cp, es, lo, hi)! }
  const c: (Child | null)[] = new Array(16).fill(null)
  let i = lo
  while (i < hi) {
    const nib = es[i]!.n[d]!
    let j = i + 1
    while (j < hi && es[j]!.n[d] === nib) j++
    c[nib] = build(d + 1, es, i, j)
    i = j
  }
  return normalizeBranch(c)
}

// A branch built from live entries can have lost entries to deletions (nulls): collapse it.
function normalizeBranch(c: (Child | null)[]): Node | null {
  let count = 0
  let pos = -1
  for (let i = 0; i < 16; i++) if (c[i] !== null) (count++, (pos = i))
  if (count === 0) return null
  if (count > 1) return { k: 'b', c }
  return withPrefix(Uint8Array.of(pos), c[pos] as Node)
}

// `prefix` followed by node `n` (already resolved) as one node.
function withPrefix(prefix: Uint8Array, n: Node): Node {
  if (n.k === 'l') return { k: 'l', p: concatNibbles(prefix, n.p), v: n.v }
  if (n.k === 'e') return { k: 'e', p: concatNibbles(prefix, n.p), c: n.c }
  return { k: 'e', p: prefix, c: n }
}

// ---- node encoding: RLP written straight into one buffer per node ----
// A child reference is either a 32-byte hash or the RLP of an embedded node (always shorter than
// 32 bytes), so its length tells the two apart. The generic RLP encoder built every item and
// every list as its own array and concatenated them, once for each enclosing node: on the 10k
// ERC-20 block that was 0.45-0.9 s of the state root and 0.4 GB of garbage.

/** Encoded length of a child reference as a list item: a hash is a string, an embedded node its own RLP. */
const refLength = (ref: Uint8Array | null): number => (ref === null ? 1 : ref.length === 32 ? 33 : ref.length)

function writeRef(out: Uint8Array, o: number, ref: Uint8Array | null): number {
  if (ref === null) {
    out[o] = 0x80
    return o + 1
  }
  if (ref.length === 32) {
    out[o] = 0xa0
    out.set(ref, o + 1)
    return o + 33
  }
  out.set(ref, o)
  return o + ref.length
}

/** RLP of a two-item node: a hex-prefix path and either a value (leaf) or a child reference. */
function shortNodeRlp(path: Uint8Array, second: Uint8Array, secondIsRef: boolean): Uint8Array {
  const second_ = secondIsRef ? refLength(second) : rlpStringLength(second.length, second[0] ?? 0)
  const payload = rlpStringLength(path.length, path[0]!) + second_
  const out = new Uint8Array(payload + rlpHeaderLength(payload))
  let o = writeRlpHeader(out, 0, payload, 0xc0)
  o = writeRlpString(out, o, path)
  if (secondIsRef) writeRef(out, o, second)
  else writeRlpString(out, o, second)
  return out
}

/** RLP of a branch node of a secure trie (no value): 16 child references and an empty value. */
function branchRlp(refs: readonly (Uint8Array | null)[]): Uint8Array {
  let payload = 1
  for (let i = 0; i < 16; i++) payload += refLength(refs[i]!)
  const out = new Uint8Array(payload + rlpHeaderLength(payload))
  let o = writeRlpHeader(out, 0, payload, 0xc0)
  for (let i = 0; i < 16; i++) o = writeRef(out, o, refs[i]!)
  out[o] = 0x80
  return out
}

/** Encodes and hashes every in-memory node of `root` once, bottom-up; returns the root hash. */
function commitNodes(root: Node, keccak256: (d: Uint8Array) => Uint8Array, write: (hash: Uint8Array, rlp: Uint8Array) => void): Uint8Array {
  // A child's reference: its hash, or its RLP when shorter than 32 bytes (embedded in the parent).
  const encodeRef = (n: Child): Uint8Array => {
    if (n.k === 'h') return n.h
    const rlp = nodeRlp(n)
    if (rlp.length < 32) return rlp
    const h = keccak256(rlp)
    write(h, rlp)
    return h
  }
  // A hashed child becomes a reference carrying its decoded node, so the tree can be kept for
  // reads and later updates without encoding unchanged subtrees again. Only nodes built by this
  // update are modified (unchanged hashed subtrees are references already).
  const asRef = (child: Child, ref: Uint8Array): Child => (child.k !== 'h' && ref.length === 32 ? { k: 'h', h: ref, n: child } : child)
  const refs: (Uint8Array | null)[] = new Array(16)
  const nodeRlp = (n: Node): Uint8Array => {
    if (n.k === 'l') return shortNodeRlp(hexPrefix(n.p, true), n.v, false)
    if (n.k === 'e') {
      const ref = encodeRef(n.c)
      n.c = asRef(n.c, ref)
      return shortNodeRlp(hexPrefix(n.p, false), ref, true)
    }
    // Children are encoded first (recursion reuses `refs`), then this node's references collected.
    for (let i = 0; i < 16; i++) {
      const ch = n.c[i]!
      if (ch !== null && ch.k !== 'h') {
        const ref = encodeRef(ch)
        n.c[i] = asRef(ch, ref)
        if (ref.length !== 32) embedded.set(n.c[i]!, ref)
      }
    }
    for (let i = 0; i < 16; i++) {
      const ch = n.c[i]!
      refs[i] = ch === null ? null : ch.k === 'h' ? ch.h : embedded.get(ch)!
    }
    return branchRlp(refs)
  }
  // RLP of the embedded (short) children encoded above, for their parent's references.
  const embedded = new Map<Child, Uint8Array>()
  const rootRlp = nodeRlp(root)
  const rootHash = keccak256(rootRlp)
  write(rootHash, rootRlp)
  return rootHash
}

/**
 * The root of a trie holding `entries` (built from scratch, nothing stored), for tries whose keys
 * are not hashed, such as the ordered receipts and transactions tries keyed by rlp(index). No key
 * may be a prefix of another (true of rlp(index) keys).
 */
export function trieRootOf(entries: readonly { key: Uint8Array; value: Uint8Array }[], keccak256: (d: Uint8Array) => Uint8Array): Uint8Array {
  const ops: Op[] = entries.map((e) => ({ n: nibbles(e.key), v: e.value.length === 0 ? null : e.value, label: '' }))
  ops.sort((a, b) => compareNibbles(a.n, b.n))
  const root = build(0, ops, 0, ops.length)
  return root === null ? emptyTrieRoot(keccak256) : commitNodes(root, keccak256, () => {})
}

/** Applies `updates` to the trie with root `root` and returns the new root; new nodes go to `opts.write`. */
export async function batchUpdateTrie(root: Uint8Array, updates: readonly TrieUpdate[], opts: BatchUpdateOptions): Promise<Uint8Array> {
  const k = opts.keccak256
  const emptyRoot = emptyTrieRoot(k)
  if (updates.length === 0) return root
  // Sort by key; for a key given twice the last update wins.
  const byKey = new Map<string, Op>()
  for (const u of updates) {
    if (u.key.length !== 32) throw new StateError('STATE_INVALID_WRITE', `trie key must be 32 bytes, got ${u.key.length}`)
    const hex = bytesToUnprefixedHex(u.key)
    byKey.delete(hex)
    byKey.set(hex, { n: nibbles(u.key), v: u.value === null || u.value.length === 0 ? null : u.value, label: u.label ?? `0x${hex}` })
  }
  const ops = [...byKey.values()].sort((a, b) => compareNibbles(a.n, b.n))

  const resolve = async (ref: HashRef, op: Op): Promise<Node> => {
    if (ref.n !== undefined) return ref.n
    let rlp: Uint8Array | undefined
    try {
      rlp = await opts.read(ref.h)
    } catch (cause) {
      throw missing(ref, op, cause)
    }
    if (rlp === undefined) throw missing(ref, op, undefined)
    const n = decodeNode(RLP.decode(rlp) as Encoded)
    ref.n = n
    return n
  }
  const missing = (ref: HashRef, op: Op, cause: unknown): StateError => {
    const hash = `0x${bytesToUnprefixedHex(ref.h)}`
    const where = opts.trieName === undefined ? '' : ` in the ${opts.trieName}`
    // A witness-backed store reports its own, more specific code.
    const code = cause instanceof StateError && cause.code === 'STATE_WITNESS_MISSING_NODE' ? 'STATE_WITNESS_MISSING_NODE' : 'STATE_MISSING_TRIE_NODE'
    const e = new StateError(code, `trie node ${hash} needed to update ${op.label}${where} is not available`, {
      details: { node: hash, key: op.label, ...(opts.trieName !== undefined ? { trie: opts.trieName } : {}) },
      ...(cause !== undefined ? { cause } : {}),
    })
    return e
  }

  // Returns `node` itself when the ops change nothing below it.
  const apply = async (node: Child | null, d: number, lo: number, hi: number): Promise<Child | null> => {
    if (node === null) return build(d, ops, lo, hi)
    if (node.k === 'h') {
      const r = await applyNode(await resolve(node, ops[lo]!), d, lo, hi)
      return r.changed ? r.node : node
    }
    const r = await applyNode(node, d, lo, hi)
    return r.changed ? r.node : node
  }

  const applyNode = async (node: Node, d: number, lo: number, hi: number): Promise<{ changed: boolean; node: Node | null }> => {
    if (node.k === 'l') {
      // Merge the leaf's own entry with the ops and rebuild (everything here is in memory).
      const leafKey = concatNibbles(ops[lo]!.n.subarray(0, d), node.p)
      let found = false
      let changed = false
      for (let i = lo; i < hi; i++) {
        const o = ops[i]!
        if (compareNibbles(o.n, leafKey) === 0) {
          found = true
          if (o.v === null || !eq(o.v, node.v)) changed = true
        } else if (o.v !== null) changed = true
      }
      if (!changed) return { changed: false, node }
      const es: Op[] = []
      for (let i = lo; i < hi; i++) es.push(ops[i]!)
      if (!found) {
        es.push({ n: leafKey, v: node.v, label: '' })
        es.sort((a, b) => compareNibbles(a.n, b.n))
      }
      return { changed: true, node: build(d, es, 0, es.length) }
    }
    if (node.k === 'e') {
      const p = node.p
      if (sharesPrefix(ops[lo]!.n, d, p) && sharesPrefix(ops[hi - 1]!.n, d, p)) {
        const c = await apply(node.c, d + p.length, lo, hi)
        if (c === node.c) return { changed: false, node }
        if (c === null) return { changed: true, node: null }
        return { changed: true, node: withPrefix(p, c as Node) }
      }
      // Some keys leave the extension's path: continue as a branch at this depth.
      const c: (Child | null)[] = new Array(16).fill(null)
      c[p[0]!] = p.length === 1 ? node.c : { k: 'e', p: p.subarray(1), c: node.c }
      const r = await applyBranch(c, d, lo, hi)
      return r.changed ? r : { changed: false, node }
    }
    return applyBranch(node.c, d, lo, hi, node)
  }

  const applyBranch = async (children: (Child | null)[], d: number, lo: number, hi: number, orig?: Branch): Promise<{ changed: boolean; node: Node | null }> => {
    let c: (Child | null)[] | null = null
    let i = lo
    while (i < hi) {
      const nib = ops[i]!.n[d]!
      let j = i + 1
      while (j < hi && ops[j]!.n[d] === nib) j++
      const before = children[nib]!
      const after = await apply(before ?? null, d + 1, i, j)
      if (after !== before) {
        if (c === null) c = children.slice()
        c[nib] = after
      }
      i = j
    }
    if (c === null) return { changed: false, node: orig ?? { k: 'b', c: children } }
    let count = 0
    let pos = -1
    for (let x = 0; x < 16; x++) if (c[x] !== null) (count++, (pos = x))
    if (count === 0) return { changed: true, node: null }
    if (count > 1) return { changed: true, node: { k: 'b', c } }
    // One child left: geth resolves it to merge a short node into the new prefix.
    const only = c[pos]!
    if (only.k === 'h') {
      const resolved = await resolve(only, ops[lo]!)
      return { changed: true, node: resolved.k === 'b' ? { k: 'e', p: Uint8Array.of(pos), c: only } : withPrefix(Uint8Array.of(pos), resolved) }
    }
    return { changed: true, node: withPrefix(Uint8Array.of(pos), only) }
  }

  const sharesPrefix = (n: Uint8Array, d: number, p: Uint8Array): boolean => {
    if (d + p.length > n.length) return false
    for (let i = 0; i < p.length; i++) if (n[d + i] !== p[i]) return false
    return true
  }

  const rootNode: Child | null = eq(root, emptyRoot) ? null : (opts.rootRef ?? { k: 'h', h: root })
  const next = await apply(rootNode, 0, 0, ops.length)
  if (next === rootNode) return root
  if (next === null) {
    opts.onUpdated?.(emptyRoot, null)
    return emptyRoot
  }
  if (next.k === 'h') return next.h
  const hash = commitNodes(next, k, opts.write)
  opts.onUpdated?.(hash, next)
  return hash
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Root of the ordered trie rlp(index) -> value (transactions and receipts tries), built in one pass. */
export function orderedTrieRoot(values: readonly Uint8Array[], keccak256: (d: Uint8Array) => Uint8Array): Uint8Array {
  return trieRootOf(
    values.map((value, i) => ({ key: RLP.encode(i), value })),
    keccak256,
  )
}
