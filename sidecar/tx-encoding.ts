/**
 * Rebuilds a transaction's EIP-2718 encoding from its JSON-RPC form (legacy, 2930, 1559, 7702
 * and OP deposits) and checks it against the node's `hash`: the re-encoding is the block's
 * payload, so a field the node misreports cannot slip through unnoticed.
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { SidecarError } from './errors.js'
import { type Json, address, asArray, asObject, bool, data, hash32, invalid, opt, quantity, req } from './validate.js'

type Item = Uint8Array | Item[]

const u = bigIntToUnpaddedBytes

function q(o: Json, key: string, what: string): Uint8Array {
  return u(quantity(req(o, key, what), `${what}.${key}`))
}

function toField(o: Json, what: string): Uint8Array {
  const to = opt(o, 'to')
  return to === undefined ? new Uint8Array(0) : data(address(to, `${what}.to`), `${what}.to`)
}

function accessList(o: Json, what: string): Item[] {
  const al = opt(o, 'accessList')
  if (al === undefined) return []
  return asArray(al, `${what}.accessList`).map((e, i) => {
    const w = `${what}.accessList[${i}]`
    const eo = asObject(e, w)
    const keys = asArray(req(eo, 'storageKeys', w), `${w}.storageKeys`).map((k, j) => data(k, `${w}.storageKeys[${j}]`, 32))
    return [data(req(eo, 'address', w), `${w}.address`, 20), keys]
  })
}

function authorizationList(o: Json, what: string): Item[] {
  return asArray(req(o, 'authorizationList', what), `${what}.authorizationList`).map((e, i) => {
    const w = `${what}.authorizationList[${i}]`
    const a = asObject(e, w)
    return [q(a, 'chainId', w), data(req(a, 'address', w), `${w}.address`, 20), q(a, 'nonce', w), q(a, 'yParity', w), q(a, 'r', w), q(a, 's', w)]
  })
}

function yParity(o: Json, what: string): Uint8Array {
  const y = opt(o, 'yParity') ?? req(o, 'v', what)
  return u(quantity(y, `${what}.yParity`))
}

function typed(type: number, items: Item[]): Uint8Array {
  const body = RLP.encode(items)
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

/** The EIP-2718 encoding of a JSON-RPC transaction object; its keccak must equal `hash`. */
export function encodeRpcTransaction(json: unknown, what: string): { raw: Uint8Array; hash: string; type: number; from: string } {
  const o = asObject(json, what)
  const hash = hash32(req(o, 'hash', what), `${what}.hash`)
  const type = Number(quantity(opt(o, 'type') ?? '0x0', `${what}.type`))
  const from = address(req(o, 'from', what), `${what}.from`)
  const input = data(opt(o, 'input') ?? opt(o, 'data') ?? '0x', `${what}.input`)
  let raw: Uint8Array
  switch (type) {
    case 0:
      raw = RLP.encode([q(o, 'nonce', what), q(o, 'gasPrice', what), q(o, 'gas', what), toField(o, what), q(o, 'value', what), input, q(o, 'v', what), q(o, 'r', what), q(o, 's', what)])
      break
    case 1:
      raw = typed(1, [q(o, 'chainId', what), q(o, 'nonce', what), q(o, 'gasPrice', what), q(o, 'gas', what), toField(o, what), q(o, 'value', what), input, accessList(o, what), yParity(o, what), q(o, 'r', what), q(o, 's', what)])
      break
    case 2:
      raw = typed(2, [
        q(o, 'chainId', what), q(o, 'nonce', what), q(o, 'maxPriorityFeePerGas', what), q(o, 'maxFeePerGas', what), q(o, 'gas', what),
        toField(o, what), q(o, 'value', what), input, accessList(o, what), yParity(o, what), q(o, 'r', what), q(o, 's', what),
      ])
      break
    case 4:
      raw = typed(4, [
        q(o, 'chainId', what), q(o, 'nonce', what), q(o, 'maxPriorityFeePerGas', what), q(o, 'maxFeePerGas', what), q(o, 'gas', what),
        toField(o, what), q(o, 'value', what), input, accessList(o, what), authorizationList(o, what), yParity(o, what), q(o, 'r', what), q(o, 's', what),
      ])
      break
    case 0x7e: {
      const mint = opt(o, 'mint')
      const sys = opt(o, 'isSystemTx')
      raw = typed(0x7e, [
        data(req(o, 'sourceHash', what), `${what}.sourceHash`, 32),
        data(from, `${what}.from`),
        toField(o, what),
        u(mint === undefined ? 0n : quantity(mint, `${what}.mint`)),
        q(o, 'value', what),
        q(o, 'gas', what),
        sys !== undefined && bool(sys, `${what}.isSystemTx`) ? new Uint8Array([1]) : new Uint8Array(0),
        input,
      ])
      break
    }
    default:
      throw new SidecarError('SIDECAR_TX_UNSUPPORTED', `${what} has type ${type}, which an OP block cannot contain`, { details: { field: `${what}.type`, type } })
  }
  const got = bytesToHex(keccak_256(raw))
  if (got !== hash) throw invalid(`${what}`, `re-encodes to hash ${got}, not the node's ${hash}`)
  return { raw, hash, type, from }
}
