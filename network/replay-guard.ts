/**
 * Replay protection. Every author stamps its envelopes with a strictly increasing 64-bit
 * nonce (see EnvelopeSigner: it follows the wall clock in microseconds, so a restarted author
 * continues above its old nonces). A receiver remembers, per author, the highest nonce seen and
 * the nonces seen within `window` below it. A nonce is accepted once; one at or below
 * `highest - window` is rejected as too old. The window tolerates reordering between concurrent
 * streams; memory is bounded by members x `maxTracked`.
 *
 * After a receiver restart the memory is empty; the envelope timestamp check (codec
 * `maxClockSkewMs`) is what bounds replays of old messages then.
 */
import { REPLAY_MAX_TRACKED, REPLAY_WINDOW } from './constants.js'
import { WireError } from './errors.js'

interface AuthorState {
  highest: bigint
  /** Nonces at or below the floor are refused as too old. */
  floor: bigint
  seen: Set<bigint>
}

export interface ReplayGuardOptions {
  /** How far (in nonce units) below the highest nonce a late one may arrive (default REPLAY_WINDOW). */
  window?: number | bigint
  /** Most nonces remembered per author (default REPLAY_MAX_TRACKED). */
  maxTracked?: number
}

/** Per-author sliding-window replay guard. */
export class ReplayGuard {
  private readonly window: bigint
  private readonly maxTracked: number
  private readonly authors = new Map<string, AuthorState>()

  constructor(options: ReplayGuardOptions = {}) {
    this.window = BigInt(options.window ?? REPLAY_WINDOW)
    this.maxTracked = options.maxTracked ?? REPLAY_MAX_TRACKED
  }

  /** Throws NETWORK_REPLAY when (author, nonce) was seen or is older than the window. */
  check(author: string, nonce: bigint): void {
    const s = this.authors.get(author)
    if (s === undefined) return
    if (nonce <= s.floor || nonce <= s.highest - this.window) {
      throw new WireError('NETWORK_REPLAY', `nonce from ${author} is older than the replay window`, {
        details: { author, nonce: nonce.toString(), highest: s.highest.toString(), reason: 'below-window' },
      })
    }
    if (s.seen.has(nonce)) {
      throw new WireError('NETWORK_REPLAY', `nonce from ${author} was already seen`, {
        details: { author, nonce: nonce.toString(), reason: 'duplicate' },
      })
    }
  }

  /** Records (author, nonce) as seen; call only after the message was authenticated. */
  record(author: string, nonce: bigint): void {
    let s = this.authors.get(author)
    if (s === undefined) {
      s = { highest: nonce, floor: -1n, seen: new Set([nonce]) }
      this.authors.set(author, s)
      return
    }
    s.seen.add(nonce)
    if (nonce > s.highest) s.highest = nonce
    // Prune lazily (amortised O(1) per message): first what fell out of the window, then, if an
    // author sends faster than the cap allows, the oldest half (which then counts as too old).
    if (s.seen.size > this.maxTracked) {
      const windowFloor = s.highest - this.window
      if (windowFloor > s.floor) s.floor = windowFloor
      for (const n of s.seen) if (n <= s.floor) s.seen.delete(n)
      if (s.seen.size > this.maxTracked / 2) {
        const sorted = [...s.seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        const cut = sorted.length - Math.floor(this.maxTracked / 2)
        for (let i = 0; i < cut; i++) s.seen.delete(sorted[i] as bigint)
        s.floor = sorted[cut - 1] as bigint
      }
    }
  }
  /** check() then record(). */
  checkAndRecord(author: string, nonce: bigint): void {
    this.check(author, nonce)
    this.record(author, nonce)
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.authors.clear()
  }
}
