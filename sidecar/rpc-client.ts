/**
 * A JSON-RPC 2.0 client over fetch: per-request timeout and caller AbortSignal, retries with
 * exponential backoff and jitter for transient failures only (timeouts, unreachable node,
 * 5xx/429), and strict envelope checks. Every answer then goes through a parser from
 * `rpc-types.ts`, so nothing unvalidated leaves this module.
 */
import { type Logger, silentLogger } from '../src/common/index.js'
import { RPC_BACKOFF_MS, RPC_MAX_BACKOFF_MS, RPC_MAX_RESPONSE_BYTES, RPC_RETRIES, RPC_TIMEOUT_MS } from './constants.js'
import { SidecarError, isTransient } from './errors.js'

export interface RpcClientOptions {
  url: string
  timeoutMs?: number
  retries?: number
  backoffMs?: number
  maxBackoffMs?: number
  maxResponseBytes?: number
  logger?: Logger
  /** Called after each request (for metrics): method, outcome code ('ok' or an error code), seconds. */
  onRequest?: (method: string, outcome: string, seconds: number) => void
}

export interface CallOptions {
  signal?: AbortSignal | undefined
  /** Overrides the client's retry count (0 for probes). */
  retries?: number
  timeoutMs?: number
}

/** A JSON-RPC client bound to one node. */
export interface RpcClient {
  readonly url: string
  /** Calls `method` and passes the `result` through `parse` (which throws coded errors). */
  call<T>(method: string, params: readonly unknown[], parse: (v: unknown) => T, opts?: CallOptions): Promise<T>
}

/** Sleeps `ms`, rejecting with SIDECAR_ABORTED when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortError(signal))
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(abortError(signal))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function abortError(signal: AbortSignal | undefined): SidecarError {
  return new SidecarError('SIDECAR_ABORTED', 'aborted', { cause: signal?.reason })
}

/** Backoff delay of attempt `n` (0-based): base * 2^n capped, with +-25% jitter. */
export function backoffDelay(n: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** n)
  return Math.round(d * (0.75 + Math.random() * 0.5))
}

/** Creates a JSON-RPC client for `opts.url`. */
export function createRpcClient(opts: RpcClientOptions): RpcClient {
  const timeoutMs = opts.timeoutMs ?? RPC_TIMEOUT_MS
  const retries = opts.retries ?? RPC_RETRIES
  const backoff = opts.backoffMs ?? RPC_BACKOFF_MS
  const maxBackoff = opts.maxBackoffMs ?? RPC_MAX_BACKOFF_MS
  const maxBytes = opts.maxResponseBytes ?? RPC_MAX_RESPONSE_BYTES
  const log = opts.logger ?? silentLogger
  let nextId = 1

  async function once(method: string, params: readonly unknown[], signal: AbortSignal | undefined, tmo: number): Promise<unknown> {
    const id = nextId++
    const timeout = AbortSignal.timeout(tmo)
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    let res: Response
    let text: string
    try {
      res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: combined,
      })
      const len = Number(res.headers.get('content-length') ?? '0')
      if (len > maxBytes) throw new SidecarError('SIDECAR_RPC_BAD_RESPONSE', `${method}: response of ${len} bytes exceeds the limit`, { details: { method, bytes: len } })
      text = await res.text()
    } catch (cause) {
      if (cause instanceof SidecarError) throw cause
      if (signal?.aborted === true) throw abortError(signal)
      if (timeout.aborted) throw new SidecarError('SIDECAR_RPC_TIMEOUT', `${method} timed out after ${tmo} ms`, { details: { method, timeoutMs: tmo }, cause })
      throw new SidecarError('SIDECAR_RPC_UNREACHABLE', `${method}: cannot reach ${opts.url}: ${describe(cause)}`, { details: { method, url: opts.url }, cause })
    }
    if (text.length > maxBytes) throw new SidecarError('SIDECAR_RPC_BAD_RESPONSE', `${method}: response exceeds ${maxBytes} bytes`, { details: { method } })
    if (!res.ok) {
      throw new SidecarError('SIDECAR_RPC_HTTP', `${method}: HTTP ${res.status} ${res.statusText}`, { details: { method, status: res.status, body: text.slice(0, 200) } })
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (cause) {
      throw new SidecarError('SIDECAR_RPC_MALFORMED_JSON', `${method}: the answer is not JSON`, { details: { method, body: text.slice(0, 200) }, cause })
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new SidecarError('SIDECAR_RPC_BAD_RESPONSE', `${method}: the answer is not a JSON-RPC object`, { details: { method } })
    }
    const env = body as Record<string, unknown>
    if (env['id'] !== id) throw new SidecarError('SIDECAR_RPC_BAD_RESPONSE', `${method}: answer id ${JSON.stringify(env['id'])} != request id ${id}`, { details: { method } })
    const err = env['error']
    if (err !== undefined && err !== null) {
      const e = (typeof err === 'object' ? err : {}) as Record<string, unknown>
      const code = typeof e['code'] === 'number' ? e['code'] : undefined
      const message = typeof e['message'] === 'string' ? e['message'] : JSON.stringify(err)
      const unavailable = code === -32601 || /method not found|not supported|does not exist|not available|unsupported method/i.test(message)
      throw new SidecarError(unavailable ? 'SIDECAR_RPC_METHOD_UNAVAILABLE' : 'SIDECAR_RPC_ERROR', `${method}: ${message}`, {
        details: { method, rpcCode: code, data: e['data'] },
      })
    }
    if (!('result' in env)) throw new SidecarError('SIDECAR_RPC_BAD_RESPONSE', `${method}: the answer has neither result nor error`, { details: { method } })
    return env['result']
  }

  return {
    url: opts.url,
    async call<T>(method: string, params: readonly unknown[], parse: (v: unknown) => T, co: CallOptions = {}): Promise<T> {
      const attempts = (co.retries ?? retries) + 1
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now()
        try {
          const raw = await once(method, params, co.signal, co.timeoutMs ?? timeoutMs)
          const parsed = parse(raw)
          opts.onRequest?.(method, 'ok', (performance.now() - t0) / 1000)
          return parsed
        } catch (err) {
          opts.onRequest?.(method, err instanceof SidecarError ? err.code : 'INTERNAL', (performance.now() - t0) / 1000)
          if (!isTransient(err) || attempt + 1 >= attempts || co.signal?.aborted === true) throw err
          const d = backoffDelay(attempt, backoff, maxBackoff)
          log('%s failed (%s), retry %d/%d in %d ms', method, (err as SidecarError).code, attempt + 1, attempts - 1, d)
          await sleep(d, co.signal)
        }
      }
    },
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const c = (e as Error & { cause?: unknown }).cause
    const code = c !== null && typeof c === 'object' && 'code' in c ? String((c as { code: unknown }).code) : undefined
    return code ?? e.message
  }
  return String(e)
}
