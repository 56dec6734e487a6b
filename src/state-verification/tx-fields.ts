/**
 * What cheap prediction (static rules, templates, certain keys) reads of a transaction. An
 * ethereumjs transaction has all of it; so does a transaction decoded only as far as prediction
 * needs (`LightTx` of the pipeline), where the full decoding is left to whoever runs it.
 * Optional members are present exactly on the transaction types that have them, as on
 * ethereumjs' own classes (`'accessList' in tx` tells a typed transaction).
 */
import type { Capability } from '@ethereumjs/tx'
import type { Address } from '@ethereumjs/util'

export interface TxFields {
  readonly type: number
  readonly nonce: bigint
  readonly gasLimit: bigint
  readonly to?: Address | undefined
  readonly value: bigint
  readonly data: Uint8Array
  supports(capability: Capability): boolean
  getSenderAddress(): Address
}
