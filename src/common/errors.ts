/**
 * The one error family of paradag (STYLE.md #5). Every error carries a string-literal `code`,
 * a short message, structured `details` and an optional `cause`. Errors that cross a worker or
 * network boundary are serialised with `serializeError` and rebuilt with `deserializeError`.
 */

export type ErrorDetails = Record<string, unknown>

export interface ParadagErrorOptions {
  details?: ErrorDetails
  cause?: unknown
}

/** Base class of every error paradag throws on purpose. */
export class ParadagError extends Error {
  override name = 'ParadagError'
  readonly code: string
  readonly details: ErrorDetails

  constructor(code: string, message: string, options: ParadagErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details ?? {}
  }

  /** The full chain of messages, for `--verbose`. */
  describeChain(): string {
    const lines: string[] = [`${this.code}: ${this.message}`]
    let c: unknown = this.cause
    while (c !== undefined && c !== null) {
      if (c instanceof ParadagError) lines.push(`  caused by ${c.code}: ${c.message}`)
      else if (c instanceof Error) lines.push(`  caused by ${c.name}: ${c.message}`)
      else lines.push(`  caused by ${String(c)}`)
      c = c instanceof Error ? c.cause : undefined
    }
    return lines.join('\n')
  }
}

/** A plain-object form of an error that can cross structured-clone or the wire. */
export interface SerializedError {
  code: string
  message: string
  details: ErrorDetails
  cause?: SerializedError
}

/** Serialises any thrown value into a `SerializedError`. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof ParadagError) {
    const out: SerializedError = { code: err.code, message: err.message, details: jsonSafe(err.details) as ErrorDetails }
    if (err.cause !== undefined) out.cause = serializeError(err.cause)
    return out
  }
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message, details: { name: err.name } }
  return { code: 'INTERNAL', message: String(err), details: {} }
}

/** Rebuilds a `ParadagError` (keeping its code) from its serialised form. */
export function deserializeError(s: SerializedError): ParadagError {
  const opts: ParadagErrorOptions = { details: s.details }
  if (s.cause !== undefined) opts.cause = deserializeError(s.cause)
  return new ParadagError(s.code, s.message, opts)
}

/** True when `err` is a ParadagError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof ParadagError && err.code === code
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`
  if (Array.isArray(v)) return v.map(jsonSafe)
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) o[k] = jsonSafe(x)
    return o
  }
  return v
}
