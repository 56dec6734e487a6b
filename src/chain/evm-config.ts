/**
 * Maps the OP fork schedule onto ethereumjs: a Common per block (chain id from the rollup config,
 * hardfork Paris/Shanghai/Cancun/Prague for Bedrock/Canyon/Ecotone/Isthmus) plus the OP
 * precompile differences: P256VERIFY at 0x100 for 3450 gas (Fjord, RIP-7212), the bn256Pairing
 * input limit (Granite; tighter in Jovian) and the BLS12-381 input limits (Isthmus; Jovian).
 */
import { type CustomCrypto, Common, Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import { type CustomPrecompile, EVMError, type PrecompileFunc, type PrecompileInput, getActivePrecompiles } from '@ethereumjs/evm'
import { Address, hexToBytes } from '@ethereumjs/util'
import {
  GRANITE_BN256_PAIRING_MAX_INPUT,
  ISTHMUS_BLS_G1_MSM_MAX_INPUT,
  ISTHMUS_BLS_G2_MSM_MAX_INPUT,
  ISTHMUS_BLS_PAIRING_MAX_INPUT,
  JOVIAN_BLS_G1_MSM_MAX_INPUT,
  JOVIAN_BLS_G2_MSM_MAX_INPUT,
  JOVIAN_BLS_PAIRING_MAX_INPUT,
  JOVIAN_BN256_PAIRING_MAX_INPUT,
  P256VERIFY_ADDRESS,
  P256VERIFY_GAS,
} from './constants.js'
import { ChainError } from './errors.js'
import type { OpForkFlags, RollupConfig } from './rollup-config.js'

/** The ethereumjs hardfork whose EVM rules an OP block follows. */
export function evmHardfork(forks: OpForkFlags): string {
  if (forks.isthmus) return Hardfork.Prague
  if (forks.ecotone) return Hardfork.Cancun
  if (forks.canyon) return Hardfork.Shanghai
  if (forks.regolith) return Hardfork.Paris
  throw new ChainError('CHAIN_UNSUPPORTED_FORK', 'pre-Regolith (Bedrock) blocks are not supported')
}

/** A Common for the chain at the given forks. */
export function createOpCommon(config: RollupConfig, forks: OpForkFlags, customCrypto?: CustomCrypto): Common {
  return createCustomCommon(
    { chainId: Number(config.l2ChainId), name: `op-${config.l2ChainId}` },
    Mainnet,
    customCrypto !== undefined ? { hardfork: evmHardfork(forks), customCrypto } : { hardfork: evmHardfork(forks) },
  )
}

function addr(hex: string): Address {
  return new Address(hexToBytes(hex as `0x${string}`))
}

function limited(inner: PrecompileFunc, maxInput: number): PrecompileFunc {
  return (opts: PrecompileInput) => {
    // op-geth returns an error from Run: the call fails and consumes all of its gas.
    if (opts.data.length > maxInput) {
      return {
        returnValue: new Uint8Array(0),
        executionGasUsed: opts.gasLimit,
        exceptionError: new EVMError(EVMError.errorMessages.INVALID_INPUT_LENGTH),
      }
    }
    return inner(opts)
  }
}

let p256Impl: PrecompileFunc | undefined

/** ethereumjs' EIP-7951 P256VERIFY (same checks as RIP-7212), re-priced to OP's 3450 gas. */
function p256Verify(): PrecompileFunc {
  if (p256Impl === undefined) {
    const c = new Common({ chain: Mainnet, hardfork: Hardfork.Prague, eips: [7951] })
    const f = getActivePrecompiles(c).get(P256VERIFY_ADDRESS.slice(2))
    if (f === undefined) throw new ChainError('CHAIN_UNSUPPORTED_FORK', 'this ethereumjs has no P256VERIFY precompile')
    const eip7951Gas = 6900n // ethereumjs' hard-coded EIP-7951 price
    const inner = f
    p256Impl = async (opts: PrecompileInput) => {
      if (opts.gasLimit < P256VERIFY_GAS) {
        return { returnValue: new Uint8Array(0), executionGasUsed: opts.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) }
      }
      // The inner check only compares gasLimit with its own (higher) price; give it enough, charge ours.
      const res = await inner({ ...opts, gasLimit: opts.gasLimit > eip7951Gas ? opts.gasLimit : eip7951Gas })
      return { ...res, executionGasUsed: P256VERIFY_GAS }
    }
  }
  return p256Impl
}

/** The OP-specific precompile overrides for a block at `forks` on top of `common`'s defaults. */
export function opCustomPrecompiles(forks: OpForkFlags, common: Common): CustomPrecompile[] {
  const active = getActivePrecompiles(common)
  const out: CustomPrecompile[] = []
  const wrap = (address: string, max: number): void => {
    const unprefixed = address.slice(2).padStart(40, '0')
    const f = active.get(unprefixed)
    if (f !== undefined) out.push({ address: addr(`0x${unprefixed}`), function: limited(f, max) })
  }
  if (forks.fjord) out.push({ address: addr(P256VERIFY_ADDRESS), function: p256Verify() })
  if (forks.jovian) wrap('0x08', JOVIAN_BN256_PAIRING_MAX_INPUT)
  else if (forks.granite) wrap('0x08', GRANITE_BN256_PAIRING_MAX_INPUT)
  if (forks.isthmus) {
    wrap('0x0c', forks.jovian ? JOVIAN_BLS_G1_MSM_MAX_INPUT : ISTHMUS_BLS_G1_MSM_MAX_INPUT)
    wrap('0x0e', forks.jovian ? JOVIAN_BLS_G2_MSM_MAX_INPUT : ISTHMUS_BLS_G2_MSM_MAX_INPUT)
    wrap('0x0f', forks.jovian ? JOVIAN_BLS_PAIRING_MAX_INPUT : ISTHMUS_BLS_PAIRING_MAX_INPUT)
  }
  return out
}
