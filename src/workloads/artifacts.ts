/** Contract bytecode: the committed ParadagToken/Probe artifacts and the real Uniswap V2 builds. */
import { createRequire } from 'node:module'
import { ARTIFACTS } from './contracts/artifacts.js'

const require = createRequire(import.meta.url)

interface UniswapArtifact {
  bytecode: string
  evm?: { deployedBytecode?: { object?: string } }
}

function uni(path: string): string {
  const a = require(path) as UniswapArtifact
  return a.bytecode.startsWith('0x') ? a.bytecode : `0x${a.bytecode}`
}

let cache: Record<string, string> | undefined

/** Creation bytecode of the contracts the workloads deploy (Uniswap from the npm artifacts, unchanged). */
export function creationCode(): {
  token: string
  probe: string
  destructible: string
  ephemeral: string
  uniswapFactory: string
  uniswapPair: string
  uniswapRouter02: string
  weth9: string
} {
  cache ??= {
    token: ARTIFACTS.contracts.ParadagToken.bytecode,
    probe: ARTIFACTS.contracts.Probe.bytecode,
    destructible: ARTIFACTS.contracts.Destructible.bytecode,
    ephemeral: ARTIFACTS.contracts.Ephemeral.bytecode,
    uniswapFactory: uni('@uniswap/v2-core/build/UniswapV2Factory.json'),
    uniswapPair: uni('@uniswap/v2-core/build/UniswapV2Pair.json'),
    uniswapRouter02: uni('@uniswap/v2-periphery/build/UniswapV2Router02.json'),
    weth9: uni('@uniswap/v2-periphery/build/WETH9.json'),
  }
  return cache as ReturnType<typeof creationCode>
}
