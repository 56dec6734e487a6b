// Shared fixtures for state-verification tests: a small genesis with funded EOAs, the Probe
// contract, two pre-existing Child contracts, and a random workload over them.
import { type Block, createBlock } from '@ethereumjs/block'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { type FeeMarketEIP1559TxData, type LegacyTxData, type TypedTransaction, createTx } from '@ethereumjs/tx'
import { Address, bytesToHex, createAddressFromString, createContractAddress2, hexToBytes, privateToAddress, setLengthLeft, bigIntToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { StateSnapshot } from '../../src/state/index.js'
import { CHILD_INIT, CHILD_RUNTIME, PROBE_METHODS, PROBE_RUNTIME } from './contracts/probe.js'

export const COINBASE = '0xc0ffee0000000000000000000000000000000001'
export const FEE_VAULT = '0xfee0000000000000000000000000000000000002'
export const PROBE = '0x1000000000000000000000000000000000000001'
export const OLD_CHILDREN = ['0x2000000000000000000000000000000000000001', '0x2000000000000000000000000000000000000002']
export const BASE_FEE = 7n

/** Mainnet Prague rules, optionally with EIP-7928 (the block access list observer). */
export function makeCommon(withBal = false): Common {
  return new Common({ chain: Mainnet, hardfork: Hardfork.Prague, ...(withBal ? { eips: [7928] } : {}) })
}

export interface Wallet {
  key: Uint8Array
  address: string
}

/** Deterministic test wallets. */
export function wallets(n: number): Wallet[] {
  const out: Wallet[] = []
  for (let i = 0; i < n; i++) {
    const key = keccak_256(new TextEncoder().encode(`paradag-sv-${i}`))
    out.push({ key, address: bytesToHex(privateToAddress(key)) })
  }
  return out
}

/** Genesis: funded wallets, Probe, two old children (with balance and a slot). */
export function genesis(ws: Wallet[]): StateSnapshot {
  const s: StateSnapshot = new Map()
  for (const w of ws) s.set(w.address, { balance: 10n ** 21n, nonce: 0n })
  s.set(PROBE, { balance: 0n, nonce: 1n, code: hexToBytes(PROBE_RUNTIME as `0x${string}`), storage: new Map(), storageComplete: true })
  for (const c of OLD_CHILDREN) {
    const slot0 = `0x${'0'.repeat(64)}`
    s.set(c, { balance: 5n, nonce: 1n, code: hexToBytes(CHILD_RUNTIME as `0x${string}`), storage: new Map([[slot0, Uint8Array.of(1)]]), storageComplete: true })
  }
  return s
}

export function makeBlock(common: Common, coinbase = COINBASE): Block {
  return createBlock(
    { header: { number: 1n, timestamp: 1_700_000_000n, gasLimit: 60_000_000n, baseFeePerGas: BASE_FEE, coinbase: createAddressFromString(coinbase), mixHash: new Uint8Array(32) } },
    { common },
  )
}

const word = (v: bigint | string): string =>
  typeof v === 'bigint' ? v.toString(16).padStart(64, '0') : v.replace(/^0x/, '').toLowerCase().padStart(64, '0')

/** ABI-encodes a Probe call from static words (and an optional trailing bytes argument). */
export function probeCall(sig: string, args: Array<bigint | string> = [], bytesArg?: Uint8Array): Uint8Array {
  const sel = PROBE_METHODS[sig]
  if (sel === undefined) throw new Error(`no method ${sig}`)
  let hex = sel + args.map(word).join('')
  if (bytesArg !== undefined) {
    const head = word(BigInt(32 * (args.length + 1)))
    const len = word(BigInt(bytesArg.length))
    const body = Buffer.from(bytesArg).toString('hex').padEnd(Math.ceil(bytesArg.length / 32) * 64, '0')
    hex = sel + args.map(word).join('') + head + len + body
  }
  return hexToBytes(`0x${hex}`)
}

/** One step of the random workload. */
export type Op =
  | { kind: 'transfer'; from: number; to: number; value: bigint }
  | { kind: 'transferNew'; from: number; seed: number; value: bigint }
  | { kind: 'store'; from: number; k: number; v: number }
  | { kind: 'load'; from: number; k: number }
  | { kind: 'revertingStore'; from: number; k: number; v: number }
  | { kind: 'readCoinbase'; from: number }
  | { kind: 'payCoinbase'; from: number; value: bigint }
  | { kind: 'readBalance'; from: number; of: number }
  | { kind: 'readCodeHash'; from: number; seed: number }
  | { kind: 'hash'; from: number; len: number }
  | { kind: 'identity'; from: number; len: number }
  | { kind: 'recover'; from: number }
  | { kind: 'create'; from: number; value: bigint }
  | { kind: 'create2'; from: number; salt: number; value: bigint }
  | { kind: 'createAndKill'; from: number; salt: number; to: number; value: bigint }
  | { kind: 'killOld'; from: number; child: number; to: number }
  | { kind: 'setChild'; from: number; child: number; v: number }
  | { kind: 'deploy'; from: number }
  | { kind: 'badNonce'; from: number }
  | { kind: 'outOfGas'; from: number }

const addrWord = (a: string): string => a

/** Builds signed transactions for the ops (correct nonces; `badNonce` skips ahead). */
export function buildTxs(ops: Op[], ws: Wallet[], common: Common, coinbase = COINBASE): TypedTransaction[] {
  const nonces = ws.map(() => 0n)
  const txs: TypedTransaction[] = []
  for (const [i, op] of ops.entries()) {
    const w = ws[op.from % ws.length] as Wallet
    const fromIdx = op.from % ws.length
    let to: string | undefined = PROBE
    let data: Uint8Array = new Uint8Array()
    let value = 0n
    let gasLimit = 300_000n
    let nonce = nonces[fromIdx] as bigint
    switch (op.kind) {
      case 'transfer':
        to = (ws[op.to % ws.length] as Wallet).address
        value = op.value
        gasLimit = 21_000n
        break
      case 'transferNew':
        to = bytesToHex(keccak_256(Uint8Array.of(op.seed, 7)).slice(12))
        value = op.value
        gasLimit = 21_000n
        break
      case 'store':
        data = probeCall('store(uint256,uint256)', [BigInt(op.k), BigInt(op.v)])
        break
      case 'load':
        data = probeCall('load(uint256)', [BigInt(op.k)])
        break
      case 'revertingStore':
        data = probeCall('revertingStore(uint256,uint256)', [BigInt(op.k), BigInt(op.v)])
        break
      case 'readCoinbase':
        data = probeCall('readCoinbase()')
        break
      case 'payCoinbase':
        data = probeCall('payCoinbase()')
        value = op.value
        break
      case 'readBalance':
        data = probeCall('readBalance(address)', [addrWord((ws[op.of % ws.length] as Wallet).address)])
        break
      case 'readCodeHash': {
        const targets = [PROBE, COINBASE, ...OLD_CHILDREN, (ws[op.seed % ws.length] as Wallet).address, '0x0000000000000000000000000000000000000002']
        data = probeCall('readCodeHash(address)', [targets[op.seed % targets.length] as string])
        break
      }
      case 'hash':
        data = probeCall('hash(bytes)', [], new Uint8Array(op.len).fill(3))
        break
      case 'identity':
        data = probeCall('identity(bytes)', [], new Uint8Array(op.len).fill(5))
        break
      case 'recover':
        data = probeCall('recover(bytes32,uint8,bytes32,bytes32)', [1n, 27n, 2n, 3n])
        break
      case 'create':
        data = probeCall('create()')
        value = op.value
        break
      case 'create2':
        data = probeCall('create2(bytes32)', [BigInt(op.salt)])
        value = op.value
        break
      case 'createAndKill':
        data = probeCall('createAndKill(bytes32,address)', [BigInt(op.salt), (ws[op.to % ws.length] as Wallet).address])
        value = op.value
        break
      case 'killOld':
        data = probeCall('killOld(address,address)', [OLD_CHILDREN[op.child % 2] as string, (ws[op.to % ws.length] as Wallet).address])
        break
      case 'setChild':
        data = probeCall('setChild(address,uint256)', [OLD_CHILDREN[op.child % 2] as string, BigInt(op.v)])
        break
      case 'deploy':
        to = undefined
        data = hexToBytes(CHILD_INIT as `0x${string}`)
        break
      case 'badNonce':
        nonce += 5n
        data = probeCall('store(uint256,uint256)', [1n, 1n])
        break
      case 'outOfGas':
        data = probeCall('spin(uint256)', [50n])
        gasLimit = 60_000n
        break
    }
    if (op.kind !== 'badNonce') nonces[fromIdx] = nonce + 1n
    let tx: TypedTransaction
    if (i % 2 === 0) {
      const d: FeeMarketEIP1559TxData = { type: 2, nonce, gasLimit, value, data, maxFeePerGas: 100n, maxPriorityFeePerGas: BigInt(1 + (i % 5)), chainId: common.chainId() }
      if (to !== undefined) d.to = createAddressFromString(to)
      tx = createTx(d, { common })
    } else {
      const d: LegacyTxData = { type: 0, nonce, gasLimit, value, data, gasPrice: 20n + BigInt(i % 3) }
      if (to !== undefined) d.to = createAddressFromString(to)
      tx = createTx(d, { common })
    }
    txs.push(tx.sign(w.key))
  }
  void coinbase
  return txs
}

/** The CREATE2 address of a Probe child with `salt`. */
export function childAddress2(salt: number): string {
  return createContractAddress2(new Address(hexToBytes(PROBE)), setLengthLeft(bigIntToBytes(BigInt(salt)), 32), hexToBytes(CHILD_INIT as `0x${string}`)).toString()
}
