/**
 * A connection gater that admits only members: dialing a non-member, and any inbound or
 * outbound connection whose authenticated (Noise) peer id is not in the membership, is refused.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../src/common/index.js'
import type { Membership } from './membership.js'

/** Builds the membership gater for libp2p's `connectionGater` option. */
export function membershipGater(membership: Membership, log?: Logger): ConnectionGater {
  const deny = (peerId: PeerId, where: string): boolean => {
    const refused = !membership.has(peerId)
    if (refused) log?.error('refused %s connection with non-member %s', where, peerId.toString())
    return refused
  }
  return {
    denyDialPeer: (peerId) => deny(peerId, 'dial to'),
    denyDialMultiaddr: (ma: Multiaddr) => {
      // A multiaddr naming a peer id must name a member; bare addresses are checked after Noise.
      const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
      return id !== undefined && !membership.has(id)
    },
    denyInboundEncryptedConnection: (peerId) => deny(peerId, 'inbound'),
    denyOutboundEncryptedConnection: (peerId) => deny(peerId, 'outbound'),
    denyInboundUpgradedConnection: (peerId) => deny(peerId, 'inbound'),
    denyOutboundUpgradedConnection: (peerId) => deny(peerId, 'outbound'),
  }
}
