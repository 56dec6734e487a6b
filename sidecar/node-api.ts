/**
 * The node's JSON-RPC surface the sidecar uses, typed and validated, with capability probing:
 * a method the node lacks (-32601) is remembered and its fallback used from then on
 * (eth_getBlockReceipts -> per-transaction receipts; debug_executionWitness -> proofs).
 */
import { SidecarError } from './errors.js'
import type { CallOptions, RpcClient } from './rpc-client.js'
import {
  type NormalizedWitness,
  type RpcBlock,
  type RpcHead,
  type RpcProof,
  type RpcReceipt,
  type TouchedKeys,
  parseBlock,
  parseBlockNumber,
  parseChainId,
  parseCode,
  parseExecutionWitness,
  parseHead,
  parsePrestateTrace,
  parseProof,
  parseReceiptOrNull,
  parseReceipts,
  parseRollupConfigAnswer,
} from './rpc-types.js'

/** Hex block tag of a number. */
export function blockTag(n: bigint): string {
  return `0x${n.toString(16)}`
}

export type Capability = 'blockReceipts' | 'executionWitness' | 'prestateTracer' | 'getProof' | 'rollupConfig'

/** Typed node calls; `capabilities` records what the node was found to lack. */
export class NodeApi {
  readonly missing = new Set<Capability>()
  constructor(readonly client: RpcClient) {}

  private async probe<T>(cap: Capability, f: () => Promise<T>): Promise<T | undefined> {
    if (this.missing.has(cap)) return undefined
    try {
      return await f()
    } catch (err) {
      if (err instanceof SidecarError && err.code === 'SIDECAR_RPC_METHOD_UNAVAILABLE') {
        this.missing.add(cap)
        return undefined
      }
      throw err
    }
  }

  chainId(o?: CallOptions): Promise<bigint> {
    return this.client.call('eth_chainId', [], parseChainId, o)
  }

  blockNumber(o?: CallOptions): Promise<bigint> {
    return this.client.call('eth_blockNumber', [], parseBlockNumber, o)
  }

  head(n: bigint | 'latest', o?: CallOptions): Promise<RpcHead | null> {
    return this.client.call('eth_getBlockByNumber', [n === 'latest' ? n : blockTag(n), false], (v) => parseHead(v), o)
  }

  async block(n: bigint, o?: CallOptions): Promise<RpcBlock> {
    const b = await this.client.call('eth_getBlockByNumber', [blockTag(n), true], (v) => parseBlock(v), o)
    if (b === null) throw new SidecarError('SIDECAR_BLOCK_NOT_FOUND', `the node has no block ${n}`, { details: { number: n.toString() } })
    if (b.number !== n) throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `asked for block ${n}, got ${b.number}`, { details: { field: 'block.number' } })
    return b
  }

  /** Receipts of `block` (eth_getBlockReceipts, else one eth_getTransactionReceipt per tx). */
  async receipts(block: RpcBlock, o?: CallOptions): Promise<RpcReceipt[]> {
    const all = await this.probe('blockReceipts', () => this.client.call('eth_getBlockReceipts', [block.hash], parseReceipts, o))
    if (all !== undefined) {
      if (all === null) throw new SidecarError('SIDECAR_BLOCK_NOT_FOUND', `the node has no receipts for block ${block.hash}`, { details: { hash: block.hash } })
      return all
    }
    const out: RpcReceipt[] = []
    for (const tx of block.transactions) {
      const r = await this.client.call('eth_getTransactionReceipt', [tx.hash], parseReceiptOrNull, o)
      if (r === null) throw new SidecarError('SIDECAR_BLOCK_NOT_FOUND', `the node has no receipt for ${tx.hash}`, { details: { hash: tx.hash } })
      out.push(r)
    }
    return out
  }

  /** debug_executionWitness, or undefined when the node does not offer it. */
  executionWitness(n: bigint, o?: CallOptions): Promise<NormalizedWitness | undefined> {
    return this.probe('executionWitness', () => this.client.call('debug_executionWitness', [blockTag(n)], parseExecutionWitness, o))
  }

  /** Accounts and slots block `n` touched (prestateTracer), or undefined when unavailable. */
  touchedKeys(n: bigint, o?: CallOptions): Promise<TouchedKeys | undefined> {
    return this.probe('prestateTracer', () => this.client.call('debug_traceBlockByNumber', [blockTag(n), { tracer: 'prestateTracer' }], parsePrestateTrace, o))
  }

  proof(addr: string, slots: readonly string[], at: bigint, o?: CallOptions): Promise<RpcProof | undefined> {
    return this.probe('getProof', () => this.client.call('eth_getProof', [addr, slots, blockTag(at)], (v) => parseProof(v), o))
  }

  code(addr: string, at: bigint, o?: CallOptions): Promise<Uint8Array> {
    return this.client.call('eth_getCode', [addr, blockTag(at)], parseCode, o)
  }

  /** optimism_rollupConfig (an op-node method; execution nodes usually lack it). */
  rollupConfig(o?: CallOptions): Promise<Record<string, unknown> | undefined> {
    return this.probe('rollupConfig', () => this.client.call('optimism_rollupConfig', [], parseRollupConfigAnswer, o))
  }
}
