/**
 * The sidecar's HTTP face on 127.0.0.1: JSON-RPC 2.0 (`paradag_planBatch`,
 * `paradag_replayBlock`, `paradag_status`) on POST /, Prometheus on GET /metrics, and
 * rollup-boost style probes: GET /healthz (200 while the node answers, 503 when it does not)
 * and GET /readyz (200 once following within `readyLag` blocks of the head, else 503).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Logger, ParadagError, silentLogger } from '../src/common/index.js'
import { API_MAX_BODY_BYTES } from './constants.js'
import { SidecarError } from './errors.js'

export type RpcHandler = (params: unknown, signal: AbortSignal) => Promise<unknown>

export interface ApiServerOptions {
  host: string
  port: number
  methods: Record<string, RpcHandler>
  metrics: () => Promise<{ contentType: string; body: string }>
  health: () => { healthy: boolean; ready: boolean; detail: Record<string, unknown> }
  logger?: Logger
}

const JSONRPC_ERRORS = { parse: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internal: -32603, server: -32000 } as const

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v
}

/** The HTTP server of the sidecar. */
export class ApiServer {
  private server: Server | undefined
  private readonly log: Logger
  private readonly inflight = new Set<AbortController>()

  constructor(private readonly opts: ApiServerOptions) {
    this.log = opts.logger ?? silentLogger
  }

  /** The bound address (after start). */
  address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo | null | undefined
    if (a == null) throw new SidecarError('SIDECAR_CONFIG_INVALID', 'server not started')
    return { host: a.address, port: a.port }
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res))
    server.keepAliveTimeout = 5_000
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.log('API listening on http://%s:%d', this.opts.host, this.address().port)
  }

  async stop(): Promise<void> {
    for (const c of this.inflight) c.abort()
    const s = this.server
    this.server = undefined
    if (s === undefined) return
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  private send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body, bigintSafe)
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]
      if (req.method === 'GET' && path === '/metrics') {
        const m = await this.opts.metrics()
        return this.send(res, 200, m.body, m.contentType)
      }
      if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
        const h = this.opts.health()
        const ok = path === '/healthz' ? h.healthy : h.ready
        return this.send(res, ok ? 200 : 503, { status: ok ? (path === '/healthz' ? 'healthy' : 'ready') : path === '/healthz' ? 'unhealthy' : 'not-ready', ...h.detail })
      }
      if (req.method !== 'POST' || path !== '/') return this.send(res, 404, { error: 'not found' })
      const body = await this.readBody(req)
      if (body === undefined) return this.send(res, 413, { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.invalidRequest, message: 'request too large' } })
      let msg: unknown
      try {
        msg = JSON.parse(body)
      } catch {
        return this.send(res, 200, { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.parse, message: 'parse error' } })
      }
      if (Array.isArray(msg)) {
        const out = []
        for (const m of msg.slice(0, 100)) out.push(await this.dispatch(m))
        return this.send(res, 200, out)
      }
      return this.send(res, 200, await this.dispatch(msg))
    } catch (err) {
      this.log.error('request failed: %s', (err as Error).message)
      if (!res.headersSent) this.send(res, 500, { error: 'internal error' })
    }
  }

  private readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size > API_MAX_BODY_BYTES) {
          resolve(undefined)
          req.destroy()
          return
        }
        chunks.push(c)
      })
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })
  }

  private async dispatch(m: unknown): Promise<unknown> {
    const o = (m ?? {}) as Record<string, unknown>
    const id = typeof o['id'] === 'string' || typeof o['id'] === 'number' ? o['id'] : null
    if (typeof m !== 'object' || m === null || o['jsonrpc'] !== '2.0' || typeof o['method'] !== 'string') {
      return { jsonrpc: '2.0', id, error: { code: JSONRPC_ERRORS.invalidRequest, message: 'invalid request' } }
    }
    const handler = Object.hasOwn(this.opts.methods, o['method']) ? this.opts.methods[o['method']] : undefined
    if (handler === undefined) return { jsonrpc: '2.0', id, error: { code: JSONRPC_ERRORS.methodNotFound, message: `method ${o['method']} not found` } }
    const ac = new AbortController()
    this.inflight.add(ac)
    try {
      const result = await handler(o['params'] ?? [], ac.signal)
      return JSON.parse(JSON.stringify({ jsonrpc: '2.0', id, result }, bigintSafe))
    } catch (err) {
      const code = err instanceof SidecarError && err.code === 'SIDECAR_BAD_REQUEST' ? JSONRPC_ERRORS.invalidParams : JSONRPC_ERRORS.server
      const data = err instanceof ParadagError ? { code: err.code, details: JSON.parse(JSON.stringify(err.details, bigintSafe)) } : { code: 'INTERNAL' }
      return { jsonrpc: '2.0', id, error: { code, message: (err as Error).message, data } }
    } finally {
      this.inflight.delete(ac)
    }
  }
}
