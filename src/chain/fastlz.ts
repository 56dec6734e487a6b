/**
 * Length of the FastLZ (level 1) compression of `input`, bit-exact with op-geth's and op-revm's
 * `flzCompressLen` (a port of solady's LibZip). Only the length is computed; no output is built.
 * The Fjord L1 fee depends on it, so every branch mirrors the reference's u32 arithmetic.
 */

const HTAB_SIZE = 8192

function u24(input: Uint8Array, i: number): number {
  return (input[i] as number) | ((input[i + 1] as number) << 8) | ((input[i + 2] as number) << 16)
}

// (v * 2654435769) >> 19 & 0x1fff only needs bits 19..31 of the product: the low 32 bits suffice.
function hash(v: number): number {
  return (Math.imul(v, 2654435769 | 0) >>> 19) & 0x1fff
}

function literals(r: number, size: number): number {
  size += 0x21 * Math.floor(r / 0x20)
  const rem = r % 0x20
  return rem !== 0 ? size + rem + 1 : size
}

function matchLen(l: number, size: number): number {
  l -= 1
  size += 3 * Math.floor(l / 262)
  return l % 262 >= 6 ? size + 3 : size + 2
}

function cmp(input: Uint8Array, p: number, q: number, r: number): number {
  let l = 0
  let limit = r - q
  while (l < limit) {
    if (input[p + l] !== input[q + l]) limit = 0
    l++
  }
  return l
}

/** FastLZ compressed length of `input` (bytes). */
export function flzCompressLen(input: Uint8Array): number {
  const n = input.length
  const idxLimit = n < 13 ? 0 : n - 13
  const htab = new Uint32Array(HTAB_SIZE)
  let idx = 2
  let anchor = 0
  let size = 0
  while (idx < idxLimit) {
    let r = 0
    let distance = 0
    for (;;) {
      const seq = u24(input, idx)
      const h = hash(seq)
      r = htab[h] as number
      htab[h] = idx
      distance = idx - r
      if (idx >= idxLimit) break
      idx++
      if (distance < 8192 && seq === u24(input, r)) break
    }
    if (idx >= idxLimit) break
    idx--
    if (idx > anchor) size = literals(idx - anchor, size)
    const len = cmp(input, r + 3, idx + 3, idxLimit + 9)
    size = matchLen(len, size)
    idx += len
    htab[hash(u24(input, idx))] = idx
    idx++
    htab[hash(u24(input, idx))] = idx
    idx++
    anchor = idx
  }
  return literals(n - anchor, size)
}
