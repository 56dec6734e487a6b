/**
 * Replay protection. Every author stamps its envelopes with a strictly increasing 64-bit
 * nonce (see EnvelopeSigner: it starts from the wall clock in microseconds, so a restarted
 * author continues above its old nonces). A receiver remembers, per author, the highest nonce
 * seen and the set of nonces seen within `window` below it. A nonce is accepted once; one at or
 * below `highest - window` is rejected as too old. The window tolerates reordering between
 * concurrent streams; memory is bounded by (members x window).
 *
 * After a receiver restart the memory is empty; the envelope timestamp check (codec
 * `maxClockSkewMs`) is what bounds replays of old messages then.
 */
import { REPLAY_WINDOW } from './constants.js'
import { WireError } from './errors.js'

interface AuthorState {
  highest: bigint
  seen: Set<bigint>
}

export interface ReplayGuardOptions {
  /** How far below the highest nonce a late nonce may still arrive (default REPLAY_WINDOW). */
  window?: number
}

/** Per-author sliding-window replay guard. */
export class ReplayGuard {
  private readonly window: bigint
  private readonly authors = new Map<string, AuthorState>()

  constructor(options: ReplayGuardOptions = {}) {
    this.window = BigInt(options.window ?? REPLAY_WINDOW)
  }

  /** Throws NETWORK_REPLAY when (author, nonce) was seen or is older than the window. */
  check(author: string, nonce: bigint): void {
    const s = this.authors.get(author)
    if (s === undefined || nonce > s.highest) return
    if (nonce <= s.highest - this.window) {
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
      s = { highest: nonce, seen: new Set([nonce]) }
      this.authors.set(author, s)
      return
    }
    s.seen.add(nonce)
    if (nonce > s.highest) {
      s.highest = nonce
      // Prune lazily so a burst costs amortised O(1) per message.
      if (s.seen.size > 2 * Number(this.window)) {
        const floor = s.highest - this.window
        for (const n of s.seen) if (n <= floor) s.seen.delete(n)
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
