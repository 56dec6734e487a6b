/**
 * The per-block environment every transaction of an OP block runs in: forks, Common, the
 * header-in-progress (number, timestamp, coinbase, base fee, prevRandao, extraData...), the
 * ethereumjs Block used as EVM environment, the OP precompile overrides, and the L1 fee
 * parameters once the deposits have run. Built once per block; shared read-only by the
 * sequential builder and by parallel executors.
 */
import type { Common, CustomCrypto, StateManagerInterface } from '@ethereumjs/common'
import { type Block, createBlock } from '@ethereumjs/block'
import type { CustomPrecompile, EVMMockBlockchainInterface } from '@ethereumjs/evm'
import { type VM, createVM } from '@ethereumjs/vm'
import { Address, hexToBytes } from '@ethereumjs/util'
import { encodeHoloceneExtraData, encodeJovianExtraData, nextBaseFee } from './base-fee.js'
import { SHA256_EMPTY } from './constants.js'
import { ChainError } from './errors.js'
import { createOpCommon, opCustomPrecompiles } from './evm-config.js'
import { type OpHeader, headerFromJson, headerHash } from './header.js'
import { type L1BlockInfo, readL1BlockInfo } from './l1-fee.js'
import { type OpPayloadAttributes, parsePayloadAttributes } from './payload.js'
import { type OpForkFlags, type RollupConfig, activeForks, assertKnownForks, isActivationBlock, parseRollupConfig } from './rollup-config.js'

/** Everything fixed for one block before its transactions run. */
export interface OpBlockContext {
  readonly config: RollupConfig
  readonly forks: OpForkFlags
  readonly common: Common
  readonly parentHeader: OpHeader
  readonly parentHash: Uint8Array
  readonly attributes: OpPayloadAttributes
  readonly number: bigint
  readonly timestamp: bigint
  readonly coinbase: Address
  readonly gasLimit: bigint
  readonly baseFeePerGas: bigint
  readonly prevRandao: Uint8Array
  readonly parentBeaconBlockRoot: Uint8Array | undefined
  readonly extraData: Uint8Array
  /** The ethereumjs block used as EVM environment (header-in-progress; roots are placeholders). */
  readonly block: Block
  readonly customPrecompiles: CustomPrecompile[]
  /** L1 fee parameters; set by `loadL1BlockInfo` once the deposits have run. */
  l1Info: L1BlockInfo | undefined
}

export interface CreateOpBlockContextOptions {
  /** Parsed rollup config or its JSON. */
  rollupConfig: RollupConfig | Record<string, unknown>
  /** Parsed parent header or its JSON-RPC form. */
  parentHeader: OpHeader | Record<string, unknown>
  /** Parsed payload attributes or their JSON. */
  payloadAttributes: OpPayloadAttributes | Record<string, unknown>
  /** E.g. native ecrecover/keccak for speed. */
  customCrypto?: CustomCrypto
}

function isParsedConfig(c: unknown): c is RollupConfig {
  return typeof (c as RollupConfig).l2ChainId === 'bigint'
}
function isParsedHeader(h: unknown): h is OpHeader {
  return (h as OpHeader).parentHash instanceof Uint8Array
}
function isParsedAttributes(a: unknown): a is OpPayloadAttributes {
  return typeof (a as OpPayloadAttributes).timestamp === 'bigint'
}

/** Builds the block context from the rollup config, the parent header and the payload attributes. */
export function createOpBlockContext(opts: CreateOpBlockContextOptions): OpBlockContext {
  const config = isParsedConfig(opts.rollupConfig) ? opts.rollupConfig : parseRollupConfig(opts.rollupConfig)
  const parentHeader = isParsedHeader(opts.parentHeader) ? opts.parentHeader : headerFromJson(opts.parentHeader, 'parentHeader')
  const attributes = isParsedAttributes(opts.payloadAttributes) ? opts.payloadAttributes : parsePayloadAttributes(opts.payloadAttributes)
  const timestamp = attributes.timestamp
  if (timestamp <= parentHeader.timestamp) {
    throw new ChainError('CHAIN_INVALID_FIELD', `payload timestamp ${timestamp} is not after the parent's ${parentHeader.timestamp}`, {
      details: { field: 'payloadAttributes.timestamp' },
    })
  }
  assertKnownForks(config, timestamp)
  const forks = activeForks(config, timestamp)
  if (isActivationBlock(config, 'canyon', timestamp, parentHeader.timestamp)) {
    // The Canyon activation block force-deploys the create2 deployer; not implemented.
    throw new ChainError('CHAIN_UNSUPPORTED_FORK', 'the Canyon activation block (create2 deployer deployment) is not supported')
  }
  if (parentHeader.baseFeePerGas === undefined) throw new ChainError('CHAIN_MISSING_FIELD', 'parent header has no baseFeePerGas', { details: { field: 'parentHeader.baseFeePerGas' } })
  const common = createOpCommon(config, forks, opts.customCrypto)
  if (forks.ecotone && attributes.parentBeaconBlockRoot === undefined) {
    throw new ChainError('CHAIN_MISSING_FIELD', 'payload attributes lack parentBeaconBlockRoot (required from Ecotone)', {
      details: { field: 'payloadAttributes.parentBeaconBlockRoot' },
    })
  }
  let extraData: Uint8Array = new Uint8Array(0)
  if (forks.holocene) {
    if (attributes.eip1559Params === undefined) {
      throw new ChainError('CHAIN_MISSING_FIELD', 'payload attributes lack eip1559Params (required from Holocene)', {
        details: { field: 'payloadAttributes.eip1559Params' },
      })
    }
    if (forks.jovian) {
      if (attributes.minBaseFee === undefined) {
        throw new ChainError('CHAIN_MISSING_FIELD', 'payload attributes lack minBaseFee (required from Jovian)', { details: { field: 'payloadAttributes.minBaseFee' } })
      }
      extraData = encodeJovianExtraData(attributes.eip1559Params, config, attributes.minBaseFee)
    } else extraData = encodeHoloceneExtraData(attributes.eip1559Params, config)
  }
  const baseFeePerGas = nextBaseFee(
    config,
    {
      timestamp: parentHeader.timestamp,
      gasLimit: parentHeader.gasLimit,
      gasUsed: parentHeader.gasUsed,
      baseFeePerGas: parentHeader.baseFeePerGas,
      extraData: parentHeader.extraData,
      blobGasUsed: parentHeader.blobGasUsed,
    },
    timestamp,
  )
  const parentHash = headerHash(parentHeader)
  const number = parentHeader.number + 1n
  const coinbase = new Address(attributes.suggestedFeeRecipient)
  const block = createBlock(
    {
      header: {
        parentHash,
        coinbase,
        number,
        gasLimit: attributes.gasLimit,
        timestamp,
        baseFeePerGas,
        mixHash: attributes.prevRandao,
        difficulty: 0n,
        ...(forks.canyon ? { withdrawalsRoot: hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421') } : {}),
        // OP: no blobs, so BLOBBASEFEE evaluates to the minimum (1).
        ...(forks.ecotone ? { blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: attributes.parentBeaconBlockRoot as Uint8Array } : {}),
        ...(forks.isthmus ? { requestsHash: hexToBytes(SHA256_EMPTY) } : {}),
      },
    },
    { common, skipConsensusFormatValidation: true },
  )
  return {
    config,
    forks,
    common,
    parentHeader,
    parentHash,
    attributes,
    number,
    timestamp,
    coinbase,
    gasLimit: attributes.gasLimit,
    baseFeePerGas,
    prevRandao: attributes.prevRandao,
    parentBeaconBlockRoot: attributes.parentBeaconBlockRoot,
    extraData,
    block,
    customPrecompiles: opCustomPrecompiles(forks, common),
    l1Info: undefined,
  }
}

/** Creates an ethereumjs VM configured for the block (Common, OP precompiles) over `stateManager`. */
export async function createOpVM(
  ctx: OpBlockContext,
  stateManager: StateManagerInterface,
  blockchain?: EVMMockBlockchainInterface,
): Promise<VM> {
  return createVM({
    common: ctx.common,
    stateManager,
    ...(blockchain !== undefined ? { blockchain } : {}),
    evmOpts: { customPrecompiles: ctx.customPrecompiles },
  })
}

/** Reads the L1 fee parameters from L1Block storage into the context (call after the deposits). */
export async function loadL1BlockInfo(ctx: OpBlockContext, state: StateManagerInterface): Promise<L1BlockInfo> {
  ctx.l1Info = await readL1BlockInfo(state, ctx.forks)
  return ctx.l1Info
}
