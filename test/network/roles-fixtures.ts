/** Membership of the role tests: a committer and two groups of one sequencer and two voters. */
import type { NodeSpec } from './helpers.js'

export const TWO_GROUPS: readonly NodeSpec[] = [
  { name: 'committer', role: 'committer' },
  { name: 'seq-0', role: 'sequencer', group: 0 },
  { name: 'voter-0a', role: 'voter', group: 0 },
  { name: 'voter-0b', role: 'voter', group: 0 },
  { name: 'seq-1', role: 'sequencer', group: 1 },
  { name: 'voter-1a', role: 'voter', group: 1 },
  { name: 'voter-1b', role: 'voter', group: 1 },
]
