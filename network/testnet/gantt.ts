/**
 * An SVG Gantt chart of one block: a row per node, a bar per package execution (coloured by
 * outcome), plus markers for the block start and the commit. Pure: data in, SVG text out.
 */

/** One bar of the chart. */
export interface GanttBar {
  row: string
  label: string
  start: number
  end: number
  kind: 'accepted' | 'rejected' | 'vote' | 'local' | 'phase'
}

export interface GanttInput {
  title: string
  /** Time origin (ms, same clock as the bars). */
  origin: number
  bars: GanttBar[]
  markers?: Array<{ at: number; label: string }>
}

const COLORS: Record<GanttBar['kind'], string> = {
  accepted: '#2e7d32',
  rejected: '#c62828',
  vote: '#1565c0',
  local: '#ef6c00',
  phase: '#757575',
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Renders the chart. */
export function renderGantt(input: GanttInput): string {
  const rows = [...new Set(input.bars.map((b) => b.row))]
  const end = Math.max(input.origin + 1, ...input.bars.map((b) => b.end), ...(input.markers ?? []).map((m) => m.at))
  const span = end - input.origin
  const left = 130
  const width = 760
  const rowH = 22
  const top = 40
  const height = top + rows.length * rowH + 40
  const x = (t: number): number => left + ((t - input.origin) / span) * width
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`)
  out.push(`<text x="10" y="18" font-size="13" font-weight="bold">${esc(input.title)}</text>`)
  rows.forEach((r, i) => {
    const y = top + i * rowH
    out.push(`<text x="10" y="${y + 15}">${esc(r)}</text>`)
    out.push(`<line x1="${left}" x2="${left + width}" y1="${y + rowH}" y2="${y + rowH}" stroke="#eee"/>`)
  })
  for (const b of input.bars) {
    const y = top + rows.indexOf(b.row) * rowH + 3
    const x0 = x(b.start)
    const w = Math.max(1, x(b.end) - x0)
    out.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${COLORS[b.kind]}" opacity="0.85"><title>${esc(`${b.label}: ${(b.end - b.start).toFixed(0)} ms`)}</title></rect>`)
    if (w > 40) out.push(`<text x="${(x0 + 3).toFixed(1)}" y="${y + 12}" fill="#fff">${esc(b.label)}</text>`)
  }
  for (const m of input.markers ?? []) {
    const mx = x(m.at).toFixed(1)
    out.push(`<line x1="${mx}" x2="${mx}" y1="${top - 8}" y2="${height - 28}" stroke="#000" stroke-dasharray="3,3"/>`)
    out.push(`<text x="${mx}" y="${top - 12}" text-anchor="middle">${esc(m.label)}</text>`)
  }
  // time axis
  const axisY = height - 20
  out.push(`<line x1="${left}" x2="${left + width}" y1="${axisY}" y2="${axisY}" stroke="#000"/>`)
  for (let i = 0; i <= 5; i++) {
    const t = (span * i) / 5
    out.push(`<text x="${(left + (width * i) / 5).toFixed(1)}" y="${axisY + 14}" text-anchor="middle">${t.toFixed(0)} ms</text>`)
  }
  out.push('</svg>')
  return out.join('\n')
}
