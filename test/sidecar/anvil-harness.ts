/**
 * Test harness: a real anvil (`--network optimism`) on 127.0.0.1 and a workload driver that sends
 * signed transactions and deposits over JSON-RPC and mines blocks on demand. Setup makes the
 * chain OP-like where anvil is not: L1Block gets code and non-zero fee parameters (so L1 and
 * operator fees are charged), blocks are 2 s apart (OP timestamps strictly increase), and the
 * first two blocks (anvil's genesis quirks, see sidecar/profile.ts) are mined before the workload.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createDepositTx, encodeDepositTx } from '../../src/chain/index.js'
import { createFastCommon } from '../../src/crypto/index.js'
import { TxFactory, creationCode, encodeArgs, encodeCall, encodeDeploy, pairAddress, selector } from '../../src/workloads/index.js'

export const ANVIL_BIN = fileURLToPath(new URL('../../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil', import.meta.url))
export const L1_BLOCK = '0x4200000000000000000000000000000000000015'
/** anvil's default dev keys 0..5. */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
].map((k) => hexToBytes(k as `0x${string}`))
export const DEV_ADDRS = [
  '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
  '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65',
  '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc',
]

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface Anvil {
  url: string
  port: number
  proc: ChildProcess
  stop(): Promise<void>
}

/** Starts anvil --network optimism on a free loopback port. */
export async function startAnvil(): Promise<Anvil> {
  const port = await freePort()
  const proc = spawn(ANVIL_BIN, ['--network', 'optimism', '--host', '127.0.0.1', '--port', String(port), '--silent'], { stdio: 'ignore' })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    try {
      await rpc(url, 'eth_chainId', [])
      break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    url,
    port,
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      }),
  }
}

let rpcId = 0
/** A raw JSON-RPC call (test side; throws on an error answer). */
export async function rpc(url: string, method: string, params: unknown[]): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }) })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

function word(v: bigint): string {
  return `0x${v.toString(16).padStart(64, '0')}`
}

/** Drives a DeFi-ish workload against anvil, one mined block at a time. */
export class Workload {
  readonly factory = new TxFactory(createFastCommon({ chainId: 31337n, hardfork: 'prague' }))
  private readonly nonces = new Map<number, bigint>()
  private pending: string[] = []
  tokenA = ''
  tokenB = ''
  uniFactory = ''
  pair = ''
  blocks: bigint[] = []
  private depositSeq = 0

  constructor(readonly url: string) {}

  /** OP-like setup (see file comment); returns the first block the workload will produce. */
  async setup(): Promise<bigint> {
    await rpc(this.url, 'anvil_setCode', [L1_BLOCK, '0x00'])
    // l1BaseFee 1 gwei; baseFeeScalar 1368, blobBaseFeeScalar 810949; blobBaseFee 10; operator fee scalar 1000, constant 5000.
    await rpc(this.url, 'anvil_setStorageAt', [L1_BLOCK, '0x1', word(1_000_000_000n)])
    await rpc(this.url, 'anvil_setStorageAt', [L1_BLOCK, '0x3', `0x${'0'.repeat(32)}00000558000c5fc5${'0'.repeat(16)}`])
    await rpc(this.url, 'anvil_setStorageAt', [L1_BLOCK, '0x7', word(10n)])
    await rpc(this.url, 'anvil_setStorageAt', [L1_BLOCK, '0x8', `0x${'0'.repeat(40)}000003e8${(5000).toString(16).padStart(16, '0')}`])
    await rpc(this.url, 'anvil_setBlockTimestampInterval', [2])
    await rpc(this.url, 'evm_setAutomine', [false])
    await this.mine()
    await this.mine()
    this.blocks = []
    return BigInt(await rpc(this.url, 'eth_blockNumber', [])) + 1n
  }

  /** Forgets cached nonces (after evm_revert). */
  resetNonces(): void {
    this.nonces.clear()
  }

  private async nonce(i: number): Promise<bigint> {
    let n = this.nonces.get(i)
    if (n === undefined) n = BigInt(await rpc(this.url, 'eth_getTransactionCount', [DEV_ADDRS[i], 'latest']))
    this.nonces.set(i, n + 1n)
    return n
  }

  /** Queues a signed EIP-1559 transaction from dev account `i`. */
  async send(i: number, to: string | undefined, data: Uint8Array = new Uint8Array(0), value = 0n, gasLimit = 300_000n): Promise<void> {
    const { raw } = this.factory.build({
      type: 'eip1559',
      privateKey: DEV_KEYS[i]!,
      nonce: await this.nonce(i),
      ...(to !== undefined ? { to } : {}),
      value,
      data,
      gasLimit,
      maxFeePerGas: 20_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n + BigInt(i) * 1000n,
    })
    this.pending.push(await rpc(this.url, 'eth_sendRawTransaction', [bytesToHex(raw)]))
  }

  /** Queues a deposit (mint to `from`, optional call). */
  async deposit(from: string, to: string | undefined, mint: bigint, data: Uint8Array = new Uint8Array(0), value = 0n, gasLimit = 200_000n): Promise<void> {
    const src = new Uint8Array(32)
    src[31] = ++this.depositSeq
    src[0] = 0xd0
    const tx = createDepositTx({ sourceHash: src, from: new Address(hexToBytes(from as `0x${string}`)), to: to === undefined ? undefined : new Address(hexToBytes(to as `0x${string}`)), mint, value, gasLimit, data })
    this.pending.push(await rpc(this.url, 'eth_sendRawTransaction', [bytesToHex(encodeDepositTx(tx))]))
  }

  /** Mines one block with everything queued; returns its number. */
  async mine(): Promise<bigint> {
    await rpc(this.url, 'evm_mine', [])
    const n = BigInt(await rpc(this.url, 'eth_blockNumber', []))
    const block = await rpc(this.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
    if ((block.transactions as string[]).length !== this.pending.length) throw new Error(`block ${n} has ${block.transactions.length} txs, ${this.pending.length} were sent`)
    this.pending = []
    this.blocks.push(n)
    return n
  }

  async call(to: string, data: Uint8Array): Promise<string> {
    return rpc(this.url, 'eth_call', [{ to, data: bytesToHex(data) }, 'latest'])
  }

  /** Deploys tokens and a Uniswap V2 pair with liquidity (3 blocks). */
  async deployDefi(): Promise<void> {
    const cc = creationCode()
    const base = await this.nonce(0)
    this.nonces.set(0, base)
    await this.send(0, undefined, encodeDeploy(cc.token, [10n ** 30n]), 0n, 3_000_000n)
    await this.send(0, undefined, encodeDeploy(cc.token, [10n ** 30n]), 0n, 3_000_000n)
    await this.send(0, undefined, encodeDeploy(cc.uniswapFactory, [DEV_ADDRS[0]!]), 0n, 6_000_000n)
    await this.mine()
    const created = async (nonce: bigint): Promise<string> => {
      const { keccak256 } = await import('../../src/crypto/index.js')
      const { RLP } = await import('@ethereumjs/rlp')
      const { bigIntToUnpaddedBytes } = await import('@ethereumjs/util')
      return bytesToHex(keccak256(RLP.encode([hexToBytes(DEV_ADDRS[0] as `0x${string}`), bigIntToUnpaddedBytes(nonce)])).subarray(12))
    }
    this.tokenA = await created(base)
    this.tokenB = await created(base + 1n)
    this.uniFactory = await created(base + 2n)
    this.pair = pairAddress(this.uniFactory, this.tokenA, this.tokenB).toLowerCase()
    await this.send(0, this.uniFactory, encodeCall('createPair(address,address)', [this.tokenA, this.tokenB]), 0n, 4_000_000n)
    for (let i = 1; i < 6; i++) {
      await this.send(0, this.tokenA, encodeCall('transfer(address,uint256)', [DEV_ADDRS[i]!, 10n ** 24n]), 0n, 100_000n)
      await this.send(0, this.tokenB, encodeCall('transfer(address,uint256)', [DEV_ADDRS[i]!, 10n ** 24n]), 0n, 100_000n)
    }
    await this.mine()
    await this.send(0, this.tokenA, encodeCall('transfer(address,uint256)', [this.pair, 10n ** 24n]), 0n, 100_000n)
    await this.send(0, this.tokenB, encodeCall('transfer(address,uint256)', [this.pair, 2n * 10n ** 24n]), 0n, 100_000n)
    // sync() rather than mint(): mint() SLOADs kLast (zero, left unchanged) and anvil then stores a
    // zero-valued leaf in the pair's storage trie, a non-canonical state root no OP node would
    // produce (anvil.zeroStorageLeaves, see sidecar/profile.ts). sync() sets the reserves without it.
    await this.send(0, this.pair, encodeCall('sync()', []), 0n, 400_000n)
    await this.mine()
  }

  /** Queues a swap of `amountIn` tokenA for tokenB through the pair (transfer, then swap). */
  async swapAforB(i: number, amountIn: bigint): Promise<void> {
    const r = await this.call(this.pair, encodeCall('getReserves()', []))
    const r0 = BigInt(`0x${r.slice(2, 66)}`)
    const r1 = BigInt(`0x${r.slice(66, 130)}`)
    const aIsToken0 = this.tokenA < this.tokenB
    const [rin, rout] = aIsToken0 ? [r0, r1] : [r1, r0]
    // Half the quoted output: several swaps on one pair in one block still pass the K check.
    const out = (amountIn * 997n * rout) / (rin * 1000n + amountIn * 997n) / 2n
    await this.send(i, this.tokenA, encodeCall('transfer(address,uint256)', [this.pair, amountIn]), 0n, 100_000n)
    // swap(uint256,uint256,address,bytes) with empty bytes: offset 0x80, length 0.
    const args = encodeArgs([aIsToken0 ? 0n : out, aIsToken0 ? out : 0n, DEV_ADDRS[i]!, 0x80n, 0n])
    await this.send(i, this.pair, new Uint8Array([...selector('swap(uint256,uint256,address,bytes)'), ...args]), 0n, 250_000n)
  }
}
