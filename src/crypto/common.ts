/**
 * `Common` with fast crypto: native secp256k1 recovery and signing, js-sha3 keccak and Node's
 * sha256, and memoized parameter updates (see params-memo.ts). Every ethereumjs package reads its crypto through `common.customCrypto`, so one
 * Common built here speeds up sender recovery, tx hashing, trie hashing and the precompiles.
 */
import { createHash } from 'node:crypto'
import { createCustomCommon, Mainnet, type Common, type CustomCrypto } from '@ethereumjs/common'
import { keccak256 } from './keccak.js'
import { memoizeParamUpdates } from './params-memo.js'
import { nativeEcrecover, nativeEcsign } from './secp256k1.js'

/** Options of `createFastCommon`. */
export interface FastCommonOptions {
  /** Chain id (default 1). */
  chainId?: bigint | number
  /** Hardfork name, e.g. 'cancun', 'prague' (default 'prague'). */
  hardfork?: string
  /** Extra EIPs to activate. */
  eips?: number[]
  /** Crypto overrides on top of the fast defaults. */
  customCrypto?: CustomCrypto
  /** Skip redundant `updateParams` deep copies in tx/VM/EVM constructors (default true). */
  memoizeParams?: boolean
}

export const DEFAULT_CHAIN_ID = 1n
export const DEFAULT_HARDFORK = 'prague'

/** sha256 through Node's OpenSSL binding. */
export function nativeSha256(msg: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(msg).digest())
}

/** The `customCrypto` object with native ecrecover/ecsign, fast keccak256 and native sha256. */
export function fastCustomCrypto(): CustomCrypto {
  return {
    keccak256,
    ecrecover: nativeEcrecover,
    sha256: nativeSha256,
    ecsign: nativeEcsign as NonNullable<CustomCrypto['ecsign']>,
  }
}

/** A mainnet-rules `Common` (custom chain id) using `fastCustomCrypto()`. */
export function createFastCommon(opts: FastCommonOptions = {}): Common {
  const chainId = BigInt(opts.chainId ?? DEFAULT_CHAIN_ID)
  const common = createCustomCommon({ chainId: Number(chainId), name: `paradag-${chainId}` }, Mainnet, {
    hardfork: opts.hardfork ?? DEFAULT_HARDFORK,
    ...(opts.eips !== undefined ? { eips: opts.eips } : {}),
    customCrypto: { ...fastCustomCrypto(), ...(opts.customCrypto ?? {}) },
  })
  return opts.memoizeParams === false ? common : memoizeParamUpdates(common)
}

/**
 * The Common to build one VM on. ethereumjs' EVM subscribes to its Common's `hardforkChanged`
 * event, so a VM built on a long-lived Common stays reachable, with its whole state, for as long
 * as that Common lives: a leak of one block's state per block. A copy (it shares the parameter
 * dictionaries and the memo above) is collected with its VM.
 */
export function commonForVM(common: Common): Common {
  return common.copy()
}
