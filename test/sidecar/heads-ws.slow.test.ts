import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { HeadSource, NodeApi, createRpcClient } from '../../sidecar/index.js'
import { rpc, startAnvil, type Anvil } from './anvil-harness.js'

describe('newHeads over WebSocket (anvil)', { timeout: 60_000 }, () => {
  let anvil: Anvil
  before(async () => {
    anvil = await startAnvil()
  })
  after(async () => {
    await anvil.stop()
  })

  it('delivers every mined head through the subscription, with polling too slow to matter', async () => {
    const seen: bigint[] = []
    const heads = new HeadSource({
      api: new NodeApi(createRpcClient({ url: anvil.url })),
      wsUrl: `ws://127.0.0.1:${anvil.port}`,
      // Polling runs once at start and then only after 10 minutes: later heads can only come over WS.
      pollIntervalMs: 600_000,
      onHead: (h) => seen.push(h.number),
    })
    await heads.start()
    try {
      for (let i = 0; i < 50 && !heads.wsConnected; i++) await new Promise((r) => setTimeout(r, 100))
      assert.equal(heads.wsConnected, true)
      const start = BigInt(await rpc(anvil.url, 'eth_blockNumber', []))
      for (let i = 0; i < 3; i++) await rpc(anvil.url, 'evm_mine', [])
      for (let i = 0; i < 50 && !seen.includes(start + 3n); i++) await new Promise((r) => setTimeout(r, 100))
      for (const n of [start + 1n, start + 2n, start + 3n]) assert.ok(seen.includes(n), `head ${n} not delivered (saw ${seen.join(',')})`)
      assert.equal(heads.latest(), start + 3n)
    } finally {
      await heads.stop()
    }
  })
})
