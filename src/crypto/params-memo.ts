/**
 * Every ethereumjs transaction, header, VM and EVM constructor copies its Common and calls
 * `updateParams(paramsX)`, which deep-copies the parameter dictionaries through JSON and
 * rebuilds the parameter cache: about 100 µs per transaction construction on this machine
 * kind, more than native sender recovery. The copies share the `_params` object, so after the
 * first merge the work is idempotent. This memo skips an `updateParams(p)` call exactly when it
 * cannot change anything: `p` was merged already into the shared `_params`, and the instance
 * still holds the root's parameter cache (which was rebuilt with `p`). Any instance whose cache
 * diverged (another hardfork, other EIPs, reset params) takes the normal path.
 */
import { Common, type ParamsDict } from '@ethereumjs/common'

interface CommonInternals {
  _params: unknown
  _paramsCache: unknown
}

const realUpdate = Common.prototype.updateParams

/** Installs the memo on `root`; copies made from it (tx/VM/EVM/header commons) inherit it. */
export function memoizeParamUpdates(root: Common): Common {
  const r = root as unknown as CommonInternals
  const merged = new WeakSet<object>()
  const update = function (this: Common, params: ParamsDict): void {
    const self = this as unknown as CommonInternals
    if (merged.has(params) && self._params === r._params && self._paramsCache === r._paramsCache) return
    realUpdate.call(this, params)
    if (self._params === r._params) {
      // The merge landed in the shared dictionary: rebuild the root's cache too, so copies
      // made from now on inherit a cache that includes `params`.
      if (this !== root) realUpdate.call(root, params)
      merged.add(params)
    }
  }
  Object.defineProperty(root, 'updateParams', { value: update, writable: true, enumerable: true, configurable: true })
  return root
}
