/** Deploying the workload contracts into a genesis: tokens, Uniswap V2, probes. */
import { fromHex, toHex } from '../common/index.js'
import { keccak256 } from '../crypto/index.js'
import { decodeWord, encodeCall, encodeDeploy } from './abi.js'
import { creationCode } from './artifacts.js'
import { ETHER } from './constants.js'
import { WorkloadError } from './errors.js'
import type { GenesisBuilder } from './genesis.js'
import type { Rng } from './rng.js'

/** Deploys `count` ParadagTokens (no initial supply; balances are written directly). */
export async function deployTokens(b: GenesisBuilder, count: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(await b.deploy(encodeDeploy(creationCode().token, [0n])))
  return out
}

/** Addresses of a Uniswap V2 deployment. */
export interface UniswapDeployment {
  weth: string
  factory: string
  router: string
}

/** Deploys the real WETH9, UniswapV2Factory (fee setter = deployer) and UniswapV2Router02. */
export async function deployUniswap(b: GenesisBuilder): Promise<UniswapDeployment> {
  const code = creationCode()
  const weth = await b.deploy(fromHex(code.weth9))
  const factory = await b.deploy(encodeDeploy(code.uniswapFactory, [b.deployer.address]))
  const router = await b.deploy(encodeDeploy(code.uniswapRouter02, [factory, weth]))
  return { weth, factory, router }
}

/** The CREATE2 address of the pair of two tokens, as UniswapV2Library.pairFor computes it. */
export function pairAddress(factory: string, tokenA: string, tokenB: string): string {
  const [t0, t1] = tokenA < tokenB ? [tokenA, tokenB] : [tokenB, tokenA]
  const salt = keccak256(new Uint8Array([...fromHex(t0), ...fromHex(t1)]))
  const initHash = keccak256(fromHex(creationCode().uniswapPair))
  const buf = new Uint8Array([0xff, ...fromHex(factory), ...salt, ...initHash])
  return toHex(keccak256(buf).subarray(12))
}

/** A created pool. */
export interface Pool {
  pair: string
  token0: string
  token1: string
}

/**
 * Creates a pair per token pair with the real factory (checking the CREATE2 address), gives it
 * random reserves of 1e24..1e25 per side (token balances written, then `pair.mint`).
 */
export async function createPools(b: GenesisBuilder, factory: string, tokenPairs: Array<[string, string]>, rng: Rng): Promise<Pool[]> {
  const pools: Pool[] = []
  for (const [a, c] of tokenPairs) {
    const ret = await b.call(factory, encodeCall('createPair(address,address)', [a, c]))
    const created = `0x${decodeWord(ret).toString(16).padStart(40, '0')}`
    const expected = pairAddress(factory, a, c)
    if (created !== expected) {
      throw new WorkloadError('WORKLOAD_SETUP_FAILED', 'pair address differs from the CREATE2 address', { details: { created, expected } })
    }
    const [token0, token1] = a < c ? [a, c] : [c, a]
    const unit = 1_000_000n * ETHER
    await b.setErc20Balance(token0, created, rng.bigint(unit, 10n * unit))
    await b.setErc20Balance(token1, created, rng.bigint(unit, 10n * unit))
    await b.call(created, encodeCall('mint(address)', [b.deployer.address]))
    pools.push({ pair: created, token0, token1 })
  }
  return pools
}

/** Deploys the Probe contract (hot slot, coinbase reads, reverts). */
export async function deployProbe(b: GenesisBuilder): Promise<string> {
  return b.deploy(fromHex(creationCode().probe))
}

/** Deploys `count` Destructible contracts, each holding `balance` wei. */
export async function deployDestructibles(b: GenesisBuilder, count: number, balance: bigint): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const addr = await b.deploy(fromHex(creationCode().destructible))
    await b.fund(addr, balance)
    out.push(addr)
  }
  return out
}
