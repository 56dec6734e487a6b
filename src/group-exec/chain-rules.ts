/**
 * Execution rules named by a package's `ChainSpec`: the Common, the EVM environment block, a VM
 * factory and (for OP-stack blocks) the `runTx` replacement with the L1/operator fee rules.
 * Built from plain JSON so a package is self-contained for workers and remote nodes.
 */
import type { Block } from '@ethereumjs/block'
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { hexToBytes } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import type { BlockEnv } from '../batch-committer/block.js'
import { createEnvBlock, createOpBlockContext, createOpRunTx, createOpVM, type L1BlockInfo, type OpBlockContext } from '../chain/index.js'
import { commonForVM, createFastCommon, fastCustomCrypto } from '../crypto/index.js'
import { WitnessBlockHashes, buildPreimageMap } from '../state/index.js'
import type { RunTxFn } from '../state-verification/index.js'
import { GroupExecError } from './errors.js'

/** Ethereum (L1 rules) chain spec. */
export interface EthereumChainSpec {
  kind: 'ethereum'
  chainId: string
  hardfork: string
}

/** OP-stack chain spec: enough to rebuild the block context (after the deposits ran). */
export interface OpChainSpec {
  kind: 'op'
  rollupConfig: unknown
  parentHeader: unknown
  /** Payload attributes (transactions may be left out). */
  payloadAttributes: unknown
  /** L1 fee parameters read after the deposits (bigints as decimal strings). */
  l1Info: Record<string, string | boolean>
  /** Ancestor headers (RLP hex) for BLOCKHASH. */
  ancestorHeaders: string[]
}

export type ChainSpec = EthereumChainSpec | OpChainSpec

/** What executing under a chain spec needs. */
export interface ExecRules {
  common: Common
  block: Block
  createVM(state: StateManagerInterface): Promise<VM>
  runTx?: RunTxFn
}

/** L1BlockInfo to the JSON form carried in an OP chain spec. */
export function l1InfoToJson(info: L1BlockInfo): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {}
  for (const [k, v] of Object.entries(info)) out[k] = typeof v === 'bigint' ? v.toString() : (v as boolean)
  return out
}

function l1InfoFromJson(j: Record<string, string | boolean>): L1BlockInfo {
  const out: Record<string, bigint | boolean> = {}
  for (const [k, v] of Object.entries(j)) out[k] = typeof v === 'boolean' ? v : BigInt(v)
  return out as unknown as L1BlockInfo
}

/** Picks the block headers out of witness preimages (RLP lists whose third item is a 20-byte coinbase). */
export function ancestorHeadersOf(witness: readonly string[]): string[] {
  return witness.filter((h) => {
    if (h.length < 2 * 400) return false
    try {
      const items = RLP.decode(hexToBytes(h as `0x${string}`)) as unknown
      return Array.isArray(items) && items.length >= 15 && items[2] instanceof Uint8Array && items[2].length === 20
    } catch {
      return false
    }
  })
}

/** Builds (or reuses from `cache`) the execution rules of a chain spec. */
export function rulesFor(chain: ChainSpec, env: BlockEnv, cache?: Map<string, unknown>): ExecRules {
  if (chain.kind === 'ethereum') {
    const key = `eth:${chain.chainId}:${chain.hardfork}`
    let common = cache?.get(key) as Common | undefined
    if (common === undefined) {
      common = createFastCommon({ chainId: BigInt(chain.chainId), hardfork: chain.hardfork })
      cache?.set(key, common)
    }
    const c = common
    return { common: c, block: createEnvBlock(env, c), createVM: (stateManager) => createVM({ common: commonForVM(c), stateManager }) }
  }
  if (chain.kind === 'op') {
    const ctx: OpBlockContext = createOpBlockContext({
      rollupConfig: chain.rollupConfig as never,
      parentHeader: chain.parentHeader as never,
      payloadAttributes: chain.payloadAttributes as never,
      customCrypto: fastCustomCrypto(),
    })
    ctx.l1Info = l1InfoFromJson(chain.l1Info)
    const hashes = new WitnessBlockHashes(buildPreimageMap(chain.ancestorHeaders), ctx.parentHeader.number, ctx.parentHash)
    return { common: ctx.common, block: ctx.block, createVM: (state) => createOpVM(ctx, state, hashes), runTx: createOpRunTx(ctx) }
  }
  throw new GroupExecError('EXEC_BAD_PACKAGE', `unknown chain kind ${String((chain as { kind?: unknown }).kind)}`)
}
