// Benchmark of the fast crypto (src/crypto) against ethereumjs' pure-JS defaults.
// Usage: npm run build && node scripts/bench-crypto.mjs [txs]
// Prints per-operation times and ratios, and one JSON line.
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx, createTxFromRLP } from '@ethereumjs/tx'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createFastCommon, keccak256 } from '../dist/src/crypto/index.js'

const n = Number(process.argv[2] ?? 2000)
const slow = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: 'prague' })
const fast = createFastCommon({ chainId: 1, hardfork: 'prague' })
const key = (i) => Uint8Array.from(Buffer.from((BigInt(i) + 1000n).toString(16).padStart(64, '0'), 'hex'))
const txData = (i) => ({ nonce: BigInt(i), to: `0x${'22'.repeat(20)}`, value: 1n, gasLimit: 21000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n })

function time(label, f) {
  const t0 = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const out = {}
// Signing.
const warm = Math.min(200, n)
for (let i = 0; i < warm; i++) createFeeMarket1559Tx(txData(i), { common: fast }).sign(key(i), false)
out.signJsMsPerTx = time('sign js', () => { for (let i = 0; i < n; i++) createFeeMarket1559Tx(txData(i), { common: slow }).sign(key(i), false) }) / n
out.signNativeMsPerTx = time('sign native', () => { for (let i = 0; i < n; i++) createFeeMarket1559Tx(txData(i), { common: fast }).sign(key(i), false) }) / n
const raws = []
for (let i = 0; i < n; i++) raws.push(createFeeMarket1559Tx(txData(i), { common: fast }).sign(key(i), false).serialize())
// Sender recovery on freshly decoded txs (decode cost is measured separately and subtracted).
const decodeOnly = (common) => time('decode', () => { for (const r of raws) createTxFromRLP(r, { common }) }) / n
const recover = (common) => time('recover', () => { for (const r of raws) createTxFromRLP(r, { common }).getSenderAddress() }) / n
decodeOnly(fast); recover(fast)
out.decodeJsMsPerTx = decodeOnly(slow)
out.decodeFastMsPerTx = decodeOnly(fast)
out.recoverJsMsPerTx = recover(slow) - out.decodeJsMsPerTx
out.recoverNativeMsPerTx = recover(fast) - out.decodeFastMsPerTx
out.recoverSpeedup = out.recoverJsMsPerTx / out.recoverNativeMsPerTx
out.signSpeedup = out.signJsMsPerTx / out.signNativeMsPerTx
// Keccak.
for (const size of [32, 64, 136, 600]) {
  const b = new Uint8Array(size).map((_, i) => i)
  const m = 100000
  for (let i = 0; i < 10000; i++) { keccak_256(b); keccak256(b) }
  const noble = time('noble', () => { for (let i = 0; i < m; i++) keccak_256(b) }) * 1e6 / m
  const js = time('js-sha3', () => { for (let i = 0; i < m; i++) keccak256(b) }) * 1e6 / m
  out[`keccak${size}NobleNs`] = Math.round(noble)
  out[`keccak${size}FastNs`] = Math.round(js)
}
for (const [k, v] of Object.entries(out)) console.log(k.padEnd(24), typeof v === 'number' && v < 100 ? v.toFixed(4) : v)
console.log(JSON.stringify(out))
