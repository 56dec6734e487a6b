/**
 * The quorum rule, as a pure function of what one group said about one package. A group's
 * result is accepted when its sequencer sent a result with hash H and at least ⌈2V/3⌉ of the
 * group's V member voters signed H. It is rejected — and the package must go elsewhere — when
 * the sequencer equivocated (two different results), reported a failure, or so many voters
 * voted otherwise (or were caught equivocating or forging) that the quorum is out of reach.
 */

/** What a group said about one package so far. */
export interface TallyView {
  /** Hash of the sequencer's result (0x hex), once it arrived. */
  resultHash?: string
  /** The sequencer sent two different results. */
  resultEquivocated: boolean
  /** The sequencer reported that it could not execute the package. */
  failed: boolean
  /** The sequencer's result will never arrive (e.g. it sent a forged envelope). */
  sequencerLost?: boolean
  /** Voter name -> the result hash it signed. */
  votes: ReadonlyMap<string, string>
  /** Voters whose votes do not count (equivocated, forged). */
  badVoters: ReadonlySet<string>
}

export type Decision =
  | { state: 'accept'; voters: string[]; dissenters: string[] }
  | { state: 'pending' }
  | { state: 'reject'; reason: 'equivocation' | 'failed' | 'disagreement' | 'lost'; wrongResult: boolean }

/** Votes needed from V voters: ⌈2V/3⌉. */
export function quorumSize(voters: number): number {
  return Math.ceil((2 * voters) / 3)
}

/** Applies the quorum rule to a group of `voters` (member names). */
export function decide(t: TallyView, voters: readonly string[]): Decision {
  if (t.resultEquivocated) return { state: 'reject', reason: 'equivocation', wrongResult: false }
  if (t.failed) return { state: 'reject', reason: 'failed', wrongResult: false }
  const q = quorumSize(voters.length)
  const h = t.resultHash
  if (h === undefined) {
    if (t.sequencerLost === true) return { state: 'reject', reason: 'lost', wrongResult: false }
    return { state: 'pending' }
  }
  const agree: string[] = []
  const dissent: string[] = []
  for (const v of voters) {
    const vote = t.votes.get(v)
    if (t.badVoters.has(v)) dissent.push(v)
    else if (vote === h) agree.push(v)
    else if (vote !== undefined) dissent.push(v)
  }
  if (agree.length >= q) return { state: 'accept', voters: agree, dissenters: dissent }
  if (dissent.length > voters.length - q) {
    // The sequencer is the one in the wrong when a quorum of honest voters agrees on another hash.
    const counts = new Map<string, number>()
    for (const v of voters) {
      const vote = t.votes.get(v)
      if (vote !== undefined && vote !== h && !t.badVoters.has(v)) counts.set(vote, (counts.get(vote) ?? 0) + 1)
    }
    // ... or when the honest voters who answered all signed one other hash and none signed H.
    const wrongResult = [...counts.values()].some((c) => c >= Math.max(1, q)) || (counts.size === 1 && agree.length === 0)
    return { state: 'reject', reason: 'disagreement', wrongResult }
  }
  return { state: 'pending' }
}
