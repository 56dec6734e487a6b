/**
 * A `StateReader` over the node's JSON-RPC at a fixed block: accounts from `eth_getProof`
 * (balance, nonce, code hash, storage root in one call), code from `eth_getCode` (checked
 * against the code hash), slots from `eth_getStorageAt`. Used to trace planning batches against
 * the parent state without a witness.
 */
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { AccountState, StateReader } from '../src/state/index.js'
import { SidecarError } from './errors.js'
import { type NodeApi, blockTag } from './node-api.js'
import { data } from './validate.js'

const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'

/** Reads parent state from the node at block `at`. */
export function createRpcStateReader(api: NodeApi, at: bigint, signal?: AbortSignal): StateReader {
  return {
    async getAccount(address) {
      const p = await api.proof(address, [], at, { signal })
      if (p === undefined) throw new SidecarError('SIDECAR_WITNESS_UNAVAILABLE', 'the node does not offer eth_getProof')
      if (p.nonce === 0n && p.balance === 0n && p.codeHash === EMPTY_CODE_HASH) return null
      const acct: AccountState = { balance: p.balance, nonce: p.nonce, codeHash: hexToBytes(p.codeHash as `0x${string}`), storageRoot: hexToBytes(p.storageHash as `0x${string}`) }
      return acct
    },
    async getCode(address, codeHash) {
      const code = await api.code(address, at, { signal })
      const h = keccak_256(code)
      if (bytesToHex(h) !== bytesToHex(codeHash)) {
        throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `eth_getCode(${address}) does not hash to the account's code hash`, { details: { field: 'code', address } })
      }
      return code
    },
    async getStorage(address, slot) {
      const v = await api.client.call('eth_getStorageAt', [address, slot, blockTag(at)], (x) => data(x, 'storage', 32), { signal })
      let i = 0
      while (i < v.length && v[i] === 0) i++
      return v.subarray(i)
    },
  }
}
