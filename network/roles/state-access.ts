/**
 * Keys outside a package's slice, over the state protocol: a `StateReader` that asks the node
 * holding the parent state, and the handler that answers from a local reader. Values on the
 * wire, per StateKey kind:
 *
 * - `b:addr` — the whole account as RLP `[nonce, balance, storageRoot, codeHash]` (ethereumjs'
 *   account encoding), plus the code as a fifth item when the source reader hands code out
 *   with the account (so a remote read records exactly the misses a local read would); absent
 *   accounts are null.
 * - `c:addr` — the runtime code.
 * - `s:addr:slot` — the slot value in its minimal bytes (empty = zero).
 *
 * `n:` keys are answered like `b:` keys (the nonce travels inside the account).
 */
import { RLP } from '@ethereumjs/rlp'
import { KECCAK256_NULL, KECCAK256_RLP, bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import { keccak256 } from '../../src/crypto/index.js'
import type { AccountState, StateReader } from '../../src/state/index.js'
import { WireError } from '../errors.js'
import type { ParadagNode, RequestOptions, StateEntries, StateHandler } from '../index.js'

/** A reader whose every read is a state request to `from` for `blockNumber`. */
export function remoteStateReader(node: ParadagNode, from: string, blockNumber: bigint, options: RequestOptions = {}): StateReader {
  const one = async (key: string): Promise<Uint8Array | null> => {
    const entries = await node.fetchState(from, { blockNumber, keys: [key] }, options)
    if (!entries.has(key)) throw new WireError('NETWORK_MALFORMED', `state answer from ${from} lacks ${key}`)
    return entries.get(key) ?? null
  }
  return {
    async getAccount(address) {
      const v = await one(`b:${address}`)
      if (v === null) return null
      return decodeAccount(v, from, address)
    },
    async getCode(address) {
      return (await one(`c:${address}`)) ?? new Uint8Array(0)
    },
    async getStorage(address, slot) {
      return (await one(`s:${address}:${slot}`)) ?? new Uint8Array(0)
    },
  }
}

/**
 * A state handler answering from the reader chosen for the requested block (`pick` returns
 * undefined when this node holds no state for it: the request then fails with `onMissing`).
 */
export function serveState(pick: (blockNumber: bigint) => StateReader | undefined, onMissing: (blockNumber: bigint) => Error): StateHandler {
  return async (keys, envelope) => {
    const reader = pick(envelope.blockNumber)
    if (reader === undefined) throw onMissing(envelope.blockNumber)
    const out: StateEntries = new Map()
    for (const key of keys) out.set(key, await readKey(reader, key))
    return out
  }
}

async function readKey(reader: StateReader, key: string): Promise<Uint8Array | null> {
  const addr = key.slice(2, 44)
  switch (key[0]) {
    case 'b':
    case 'n': {
      const a = await reader.getAccount(addr)
      if (a === null) return null
      const codeHash = a.codeHash ?? (a.code !== undefined && a.code.length > 0 ? keccak256(a.code) : KECCAK256_NULL)
      const items = [bigIntToUnpaddedBytes(a.nonce), bigIntToUnpaddedBytes(a.balance), a.storageRoot ?? KECCAK256_RLP, codeHash]
      if (a.code !== undefined && a.code.length > 0) items.push(a.code)
      return RLP.encode(items)
    }
    case 'c': {
      const a = await reader.getAccount(addr)
      if (a === null) return null
      if (a.code !== undefined) return a.code
      return reader.getCode(addr, a.codeHash ?? KECCAK256_NULL)
    }
    default:
      return reader.getStorage(addr, key.slice(45))
  }
}

function decodeAccount(v: Uint8Array, from: string, address: string): AccountState {
  let items: unknown
  try {
    items = RLP.decode(v)
  } catch (cause) {
    throw new WireError('NETWORK_MALFORMED', `state answer from ${from}: bad account RLP for ${address}`, { cause })
  }
  if (!Array.isArray(items) || (items.length !== 4 && items.length !== 5) || !items.every((x) => x instanceof Uint8Array)) {
    throw new WireError('NETWORK_MALFORMED', `state answer from ${from}: account of ${address} is not a 4- or 5-item list`)
  }
  const [nonce, balance, storageRoot, codeHash, code] = items as Uint8Array[]
  if (storageRoot!.length !== 32 || codeHash!.length !== 32) throw new WireError('NETWORK_MALFORMED', `state answer from ${from}: bad roots for ${address}`)
  const a: AccountState = { nonce: bytesToBigInt(nonce!), balance: bytesToBigInt(balance!), storageRoot: storageRoot!, codeHash: codeHash! }
  if (code !== undefined) a.code = code
  return a
}
