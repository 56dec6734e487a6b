/** Printing helpers for the thin CLIs: aligned tables for people, JSON for machines. */

export type Cell = string | number | bigint | boolean | null | undefined

/** Formats rows as an aligned text table with a header line. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const str = rows.map((r) => r.map(cellText))
  const widths = headers.map((h, i) => Math.max(h.length, ...str.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...str.map(line)].join('\n')
}

/** Formats key/value pairs as a two-column table. */
export function formatPairs(pairs: readonly (readonly [string, Cell])[]): string {
  const w = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${cellText(v)}`).join('\n')
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '-'
  if (typeof c === 'number') {
    if (Number.isInteger(c)) return c.toLocaleString('en-US')
    return Math.abs(c) >= 100 ? c.toFixed(0) : Math.abs(c) >= 1 ? c.toFixed(2) : c.toPrecision(3)
  }
  return String(c)
}

/** JSON.stringify that writes bigints as decimal strings and bytes as 0x-hex. */
export function toJson(v: unknown, space?: number): string {
  return JSON.stringify(
    v,
    (_k, x: unknown) => {
      if (typeof x === 'bigint') return x.toString()
      if (x instanceof Uint8Array) return `0x${Buffer.from(x).toString('hex')}`
      if (x instanceof Map) return Object.fromEntries(x)
      if (x instanceof Set) return [...x]
      return x
    },
    space,
  )
}
