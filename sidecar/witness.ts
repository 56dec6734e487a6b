/**
 * The parent state of a block as witness preimages. First choice: the node's
 * `debug_executionWitness`. Otherwise: `eth_getProof` at the parent for every account and slot
 * the block touches (from prestateTracer, plus the OP system accounts and slots a tracer may not
 * report), whose proof nodes are trie preimages, with `eth_getCode` for code. Every proof is
 * checked against the parent state root, every code against its hash: a node cannot feed us a
 * witness of some other state.
 */
import { bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { BEACON_ROOTS_ADDRESS, BEACON_ROOTS_HISTORY_LENGTH, HISTORY_SERVE_WINDOW, HISTORY_STORAGE_ADDRESS } from '../src/chain/index.js'
import { L1_BLOCK_ADDRESS, L1_BLOCK_FEE_SLOTS, OP_SYSTEM_ACCOUNTS } from './constants.js'
import { SidecarError } from './errors.js'
import type { NodeApi } from './node-api.js'
import type { RpcBlock, TouchedKeys } from './rpc-types.js'

const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
const PROOF_CONCURRENCY = 8

export type WitnessSource = 'executionWitness' | 'proofs'
export type WitnessMode = 'auto' | WitnessSource

export interface BlockWitness {
  source: WitnessSource
  preimages: string[]
  accounts?: number
  slots?: number
}

export interface FetchWitnessOptions {
  mode: WitnessMode
  /** RLP headers (0x-hex) of recent ancestors, for BLOCKHASH in proof-built witnesses. */
  ancestorHeaders?: readonly string[]
  signal?: AbortSignal | undefined
}

function slotHex(n: bigint): string {
  return `0x${n.toString(16).padStart(64, '0')}`
}

/** Accounts and slots an OP block may touch that a tracer need not report. */
export function systemKeys(block: RpcBlock): TouchedKeys {
  const keys: TouchedKeys = new Map()
  const add = (a: string, slots: string[] = []): void => {
    const s = keys.get(a.toLowerCase()) ?? new Set<string>()
    for (const x of slots) s.add(x)
    keys.set(a.toLowerCase(), s)
  }
  for (const a of OP_SYSTEM_ACCOUNTS) add(a)
  add(L1_BLOCK_ADDRESS, L1_BLOCK_FEE_SLOTS.map(slotHex))
  const idx = block.timestamp % BEACON_ROOTS_HISTORY_LENGTH
  add(BEACON_ROOTS_ADDRESS, [slotHex(idx), slotHex(idx + BEACON_ROOTS_HISTORY_LENGTH)])
  if (block.number > 0n) add(HISTORY_STORAGE_ADDRESS, [slotHex((block.number - 1n) % HISTORY_SERVE_WINDOW)])
  add(bytesToHex(block.header.coinbase))
  for (const t of block.transactions) add(t.from)
  return keys
}

function merge(into: TouchedKeys, from: TouchedKeys): void {
  for (const [a, slots] of from) {
    const s = into.get(a) ?? new Set<string>()
    for (const x of slots) s.add(x)
    into.set(a, s)
  }
}

function rootOf(proof: readonly string[]): string | undefined {
  const first = proof[0]
  return first === undefined ? undefined : bytesToHex(keccak_256(Buffer.from(first.slice(2), 'hex')))
}

async function pool<T>(items: readonly T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  const run = async (): Promise<void> => {
    while (next < items.length) await f(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, run))
}

// Some nodes (anvil) end a proof of absence in an empty trie with '0x80', the RLP of the empty
// string, whose hash is the empty-trie root. It is not a trie node; keeping it would make the
// empty root resolve to garbage instead of "empty".
function addNode(into: Set<string>, node: string): void {
  if (node !== '0x80') into.add(node)
}

/** Builds the witness of `block` from proofs at its parent (`parentStateRoot` checks every proof). */
export async function witnessFromProofs(api: NodeApi, block: RpcBlock, parentStateRoot: string, touched: TouchedKeys, opts: FetchWitnessOptions): Promise<BlockWitness> {
  const keys: TouchedKeys = new Map()
  merge(keys, touched)
  merge(keys, systemKeys(block))
  const parent = block.number - 1n
  const preimages = new Set<string>(opts.ancestorHeaders ?? [])
  let slots = 0
  await pool([...keys.entries()], PROOF_CONCURRENCY, async ([addr, slotSet]) => {
    const proof = await api.proof(addr, [...slotSet], parent, { signal: opts.signal })
    if (proof === undefined) throw new SidecarError('SIDECAR_WITNESS_UNAVAILABLE', 'the node offers neither debug_executionWitness nor eth_getProof')
    const root = rootOf(proof.accountProof)
    if (root !== undefined && root !== parentStateRoot) {
      throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `eth_getProof(${addr}) at block ${parent} is rooted at ${root}, not the parent's stateRoot ${parentStateRoot}`, {
        details: { field: 'proof.accountProof', address: addr, root, stateRoot: parentStateRoot },
      })
    }
    for (const n of proof.accountProof) addNode(preimages, n)
    for (const sp of proof.storageProof) {
      const sroot = rootOf(sp.proof)
      if (sroot !== undefined && proof.storageHash !== EMPTY_TRIE_ROOT && sroot !== proof.storageHash) {
        throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `storage proof of ${addr}[${sp.key}] is rooted at ${sroot}, not the account's storageHash ${proof.storageHash}`, {
          details: { field: 'proof.storageProof', address: addr, slot: sp.key },
        })
      }
      for (const n of sp.proof) addNode(preimages, n)
      slots++
    }
    if (proof.codeHash !== EMPTY_CODE_HASH) {
      const code = await api.code(addr, parent, { signal: opts.signal })
      const h = bytesToHex(keccak_256(code))
      if (h !== proof.codeHash) {
        throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `eth_getCode(${addr}) hashes to ${h}, not the proof's codeHash ${proof.codeHash}`, { details: { field: 'code', address: addr } })
      }
      preimages.add(bytesToHex(code))
    }
  })
  return { source: 'proofs', preimages: [...preimages], accounts: keys.size, slots }
}

/** The block's witness: the node's execution witness when offered (and allowed), else proofs. */
export async function fetchWitness(api: NodeApi, block: RpcBlock, parentStateRoot: string, opts: FetchWitnessOptions): Promise<BlockWitness> {
  if (opts.mode !== 'proofs') {
    const w = await api.executionWitness(block.number, { signal: opts.signal })
    if (w !== undefined) return { source: 'executionWitness', preimages: [...w.preimages, ...(opts.ancestorHeaders ?? [])] }
    if (opts.mode === 'executionWitness') throw new SidecarError('SIDECAR_WITNESS_UNAVAILABLE', 'the node does not offer debug_executionWitness (try --witness proofs)')
  }
  const touched = await api.touchedKeys(block.number, { signal: opts.signal })
  if (touched === undefined) {
    throw new SidecarError('SIDECAR_WITNESS_UNAVAILABLE', 'the node offers neither debug_executionWitness nor debug_traceBlockByNumber(prestateTracer) to find the keys to prove')
  }
  return witnessFromProofs(api, block, parentStateRoot, touched, opts)
}
