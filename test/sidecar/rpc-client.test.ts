/** The JSON-RPC client and answer parsers: every bad answer gives its coded error. */
import assert from 'node:assert/strict'
import { type Server, createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { SidecarError, createRpcClient, parseExecutionWitness, parseReceipt } from '../../sidecar/index.js'

type Reply = (body: { id: number; method: string }) => { status?: number; text?: string; hang?: boolean }

function code(err: unknown): string {
  assert.ok(err instanceof SidecarError, `not a SidecarError: ${String(err)}`)
  return err.code
}

describe('rpc client', () => {
  let server: Server
  let url: string
  let reply: Reply = () => ({ text: '' })
  let hits = 0
  before(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        hits++
        const r = reply(JSON.parse(body) as { id: number; method: string })
        if (r.hang === true) return
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' })
        res.end(r.text ?? '')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })
  const ok = (result: unknown): Reply => (b) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: b.id, result }) })

  it('malformed JSON, bad envelopes, wrong id, error objects, unavailable methods', async () => {
    const c = createRpcClient({ url, retries: 0 })
    const cases: [Reply, string][] = [
      [() => ({ text: '{"jsonrpc":"2.0",' }), 'SIDECAR_RPC_MALFORMED_JSON'],
      [(b) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: b.id }) }), 'SIDECAR_RPC_BAD_RESPONSE'],
      [(b) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: b.id + 1, result: '0x1' }) }), 'SIDECAR_RPC_BAD_RESPONSE'],
      [() => ({ text: '[1,2]' }), 'SIDECAR_RPC_BAD_RESPONSE'],
      [(b) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: b.id, error: { code: -32000, message: 'boom' } }) }), 'SIDECAR_RPC_ERROR'],
      [(b) => ({ text: JSON.stringify({ jsonrpc: '2.0', id: b.id, error: { code: -32601, message: 'Method not found' } }) }), 'SIDECAR_RPC_METHOD_UNAVAILABLE'],
      [() => ({ status: 500, text: 'oops' }), 'SIDECAR_RPC_HTTP'],
      [ok('not-a-quantity'), 'SIDECAR_RPC_INVALID_FIELD'],
    ]
    for (const [r, expected] of cases) {
      reply = r
      await assert.rejects(c.call('eth_chainId', [], (v) => {
        if (typeof v !== 'string' || !/^0x[0-9a-f]+$/.test(v)) throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', 'bad')
        return BigInt(v)
      }), (e) => code(e) === expected)
    }
  })

  it('times out, retries transient failures with backoff, and honours AbortSignal', async () => {
    reply = () => ({ hang: true })
    const c = createRpcClient({ url, retries: 2, timeoutMs: 100, backoffMs: 10 })
    hits = 0
    await assert.rejects(c.call('eth_blockNumber', [], (v) => v), (e) => code(e) === 'SIDECAR_RPC_TIMEOUT')
    assert.equal(hits, 3)
    let n = 0
    reply = (b) => (++n < 3 ? { status: 503, text: 'busy' } : { text: JSON.stringify({ jsonrpc: '2.0', id: b.id, result: '0x2a' }) })
    assert.equal(await c.call('eth_blockNumber', [], (v) => v), '0x2a')
    reply = () => ({ hang: true })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 20)
    await assert.rejects(createRpcClient({ url, timeoutMs: 5_000 }).call('x', [], (v) => v, { signal: ac.signal }), (e) => code(e) === 'SIDECAR_ABORTED')
  })

  it('an unreachable node is SIDECAR_RPC_UNREACHABLE', async () => {
    const c = createRpcClient({ url: 'http://127.0.0.1:9', retries: 0 })
    await assert.rejects(c.call('eth_chainId', [], (v) => v), (e) => code(e) === 'SIDECAR_RPC_UNREACHABLE')
  })
})

describe('answer parsers', () => {
  const receipt = {
    transactionHash: `0x${'11'.repeat(32)}`,
    transactionIndex: '0x0',
    type: '0x2',
    status: '0x1',
    cumulativeGasUsed: '0x5208',
    gasUsed: '0x5208',
    logs: [],
  }
  it('receipts: every missing field is MISSING_FIELD, every wrongly typed one INVALID_FIELD', () => {
    for (const k of Object.keys(receipt).filter((k) => k !== 'type')) {
      const r: Record<string, unknown> = { ...receipt }
      delete r[k]
      assert.throws(() => parseReceipt(r), (e) => code(e) === 'SIDECAR_RPC_MISSING_FIELD')
    }
    fc.assert(
      fc.property(fc.constantFrom('status', 'cumulativeGasUsed', 'gasUsed', 'logs', 'transactionHash'), fc.oneof(fc.boolean(), fc.object(), fc.string().filter((s) => !/^0x/.test(s))), (k, v) => {
        assert.throws(() => parseReceipt({ ...receipt, [k]: v }), (e) => ['SIDECAR_RPC_INVALID_FIELD', 'SIDECAR_RPC_MISSING_FIELD'].includes(code(e)))
      }),
    )
    assert.throws(() => parseReceipt({ ...receipt, status: '0x2' }), (e) => code(e) === 'SIDECAR_RPC_INVALID_FIELD')
  })

  it('execution witness: list and map shapes give the same preimages; a map entry must hash to its key', () => {
    const a = '0xc0ffee'
    const b = `0x${'ab'.repeat(40)}`
    const h = (x: string): string => bytesToHex(keccak_256(Buffer.from(x.slice(2), 'hex')))
    const list = parseExecutionWitness({ state: [a], codes: [b], keys: [], headers: [] })
    const map = parseExecutionWitness({ state: { [h(a)]: a }, codes: { [h(b)]: b }, keys: {} })
    assert.deepEqual(list.preimages.sort(), map.preimages.sort())
    assert.equal(map.shape, 'map')
    assert.throws(() => parseExecutionWitness({ state: { [h(b)]: a }, codes: {} }), (e) => code(e) === 'SIDECAR_RPC_INVALID_FIELD')
    assert.throws(() => parseExecutionWitness({ codes: [] }), (e) => code(e) === 'SIDECAR_RPC_MISSING_FIELD')
    assert.throws(() => parseExecutionWitness({ state: ['0xzz'] }), (e) => code(e) === 'SIDECAR_RPC_INVALID_FIELD')
  })
})
