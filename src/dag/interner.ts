/**
 * Key interning: state keys (strings) become dense integer ids so the DAG core can work on
 * typed arrays. Ids are assigned in first-seen order, so the same input gives the same ids.
 */
import type { StateKey } from '../state-verification/index.js'

/** Maps state keys to dense ids `0..size-1` and back. */
export class KeyInterner {
  private readonly ids = new Map<StateKey, number>()
  private readonly keyNames: StateKey[] = []

  /** The id of `key`, assigning the next free id if it is new. */
  intern(key: StateKey): number {
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.keyNames.length
      this.ids.set(key, id)
      this.keyNames.push(key)
    }
    return id
  }

  /** The id of `key`, or undefined if it was never interned. */
  get(key: StateKey): number | undefined {
    return this.ids.get(key)
  }

  /** The key of an id (throws RangeError for an unknown id). */
  name(id: number): StateKey {
    const k = this.keyNames[id]
    if (k === undefined) throw new RangeError(`unknown key id ${id}`)
    return k
  }

  /** Number of interned keys. */
  get size(): number {
    return this.keyNames.length
  }

  /** All keys, indexed by id (read-only view). */
  get names(): readonly StateKey[] {
    return this.keyNames
  }
}
