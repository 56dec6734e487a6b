/**
 * Namespaced logging (STYLE.md #6) on top of `debug`. Library code takes a `Logger` in its
 * options; `createLogger('paradag:dag')` gives one. Enable with DEBUG=paradag:*.
 */
import createDebug from 'debug'

export interface Logger {
  (formatter: string, ...args: unknown[]): void
  error(formatter: string, ...args: unknown[]): void
  trace(formatter: string, ...args: unknown[]): void
  readonly enabled: boolean
  readonly namespace: string
  child(suffix: string): Logger
}

/** Creates a namespaced logger; `prefix` (e.g. a testnet node name) is added to each line. */
export function createLogger(namespace: string, prefix?: string): Logger {
  const base = createDebug(namespace)
  const err = createDebug(`${namespace}:error`)
  const trace = createDebug(`${namespace}:trace`)
  const fmt = (f: string): string => (prefix === undefined ? f : `[${prefix}] ${f}`)
  const log = ((f: string, ...a: unknown[]) => base(fmt(f), ...a)) as Logger
  Object.defineProperties(log, {
    enabled: { get: () => base.enabled },
    namespace: { value: namespace },
  })
  log.error = (f: string, ...a: unknown[]) => err(fmt(f), ...a)
  log.trace = (f: string, ...a: unknown[]) => trace(fmt(f), ...a)
  log.child = (suffix: string) => createLogger(`${namespace}:${suffix}`, prefix)
  return log
}

/** A logger that drops everything (for tests and hot paths). */
export const silentLogger: Logger = createLogger('paradag:silent')
