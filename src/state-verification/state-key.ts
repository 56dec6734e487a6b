/**
 * State keys: the unit of conflict detection. Keys are strings so they can be interned:
 *   `b:<addr>` balance, `n:<addr>` nonce, `c:<addr>` code (and code hash),
 *   `s:<addr>:<slot>` storage slot (slot as 0x + 64 hex chars).
 * Addresses are 0x + 40 lowercase hex. Distinct keys name disjoint pieces of state, so two
 * transactions that touch no common key cannot affect each other.
 */
export type StateKey = string

export const KEY_KIND = { balance: 'b', nonce: 'n', code: 'c', storage: 's' } as const
export type KeyKind = keyof typeof KEY_KIND

/** Balance key of an address (0x-hex, any case). */
export const balanceKey = (addr: string): StateKey => `b:${addr.toLowerCase()}`
/** Nonce key of an address. */
export const nonceKey = (addr: string): StateKey => `n:${addr.toLowerCase()}`
/** Code key of an address (covers code, code hash and code size). */
export const codeKey = (addr: string): StateKey => `c:${addr.toLowerCase()}`
/** Storage key of (address, slot); slot is normalised to 32 bytes of hex. */
export const storageKey = (addr: string, slot: string): StateKey =>
  `s:${addr.toLowerCase()}:0x${slot.replace(/^0x/i, '').toLowerCase().padStart(64, '0')}`

export interface ParsedKey {
  kind: KeyKind
  address: string
  slot?: string
}

/** Splits a key into kind, address and (for storage) slot. */
export function parseKey(key: StateKey): ParsedKey {
  const k = key[0]
  const address = key.slice(2, 44)
  switch (k) {
    case 'b':
      return { kind: 'balance', address }
    case 'n':
      return { kind: 'nonce', address }
    case 'c':
      return { kind: 'code', address }
    case 's':
      return { kind: 'storage', address, slot: key.slice(45) }
    default:
      throw new Error(`not a state key: ${key}`)
  }
}
