/** One place that maps errors to exit codes and prints them (one line, or the chain with --verbose). */
import { ParadagError } from '../src/common/index.js'

export const EXIT = { ok: 0, failure: 1, usage: 2, mismatch: 3, interrupted: 130 } as const

/** Wraps a command action: runs it, prints a coded error on failure and sets the exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args)
      process.exitCode = code ?? EXIT.ok
    } catch (err) {
      const verbose = process.argv.includes('--verbose')
      if (err instanceof ParadagError) {
        process.stderr.write(`paradag: ${verbose ? err.describeChain() : `${err.code}: ${err.message}`}\n`)
        if (verbose && Object.keys(err.details).length > 0) process.stderr.write(`details: ${JSON.stringify(err.details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
        process.exitCode = err.code.endsWith('_USAGE') || err.code === 'CLI_USAGE' ? EXIT.usage : EXIT.failure
      } else {
        const e = err instanceof Error ? err : new Error(String(err))
        process.stderr.write(`paradag: INTERNAL: ${e.message}\n`)
        if (verbose && e.stack !== undefined) process.stderr.write(`${e.stack}\n`)
        process.exitCode = EXIT.failure
      }
    }
  }
}

/** A usage error raised by command option parsing. */
export class UsageError extends ParadagError {
  override name = 'UsageError'
  constructor(message: string) {
    super('CLI_USAGE', message)
  }
}
