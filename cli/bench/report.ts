/** The `--out` report of `paradag bench`: an SVG (or HTML wrapping it) chart of figures against skew. */
import type { PartitionRunFigures } from './partition-run.js'

const W = 720
const H = 400
const M = { l: 60, r: 60, t: 40, b: 50 }

/** An SVG line chart: ideal speedup (left axis) and largest component share (right axis) against skew. */
export function benchChartSvg(runs: readonly PartitionRunFigures[]): string {
  const pts = [...runs].sort((a, b) => a.skew - b.skew)
  const xs = pts.map((p) => p.skew)
  const xMin = Math.min(...xs, 0)
  const xMax = Math.max(...xs, xMin + 1)
  const yMax = Math.max(1, ...pts.map((p) => p.idealSpeedup)) * 1.1
  const x = (v: number): number => M.l + ((v - xMin) / (xMax - xMin)) * (W - M.l - M.r)
  const yL = (v: number): number => H - M.b - (v / yMax) * (H - M.t - M.b)
  const yR = (v: number): number => H - M.b - v * (H - M.t - M.b)
  const line = (f: (p: PartitionRunFigures) => number, y: (v: number) => number): string =>
    pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.skew).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ')
  const dots = (f: (p: PartitionRunFigures) => number, y: (v: number) => number, color: string): string =>
    pts.map((p) => `<circle cx="${x(p.skew).toFixed(1)}" cy="${y(f(p)).toFixed(1)}" r="3.5" fill="${color}"/>`).join('')
  const ticks: string[] = []
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5
    ticks.push(`<text x="${M.l - 8}" y="${yL(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(1)}</text>`)
    ticks.push(`<text x="${W - M.r + 8}" y="${yR(i / 5) + 4}" font-size="11">${i * 20}%</text>`)
    ticks.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${yL(v)}" y2="${yL(v)}" stroke="#eee"/>`)
  }
  for (const p of pts) ticks.push(`<text x="${x(p.skew)}" y="${H - M.b + 18}" text-anchor="middle" font-size="11">${p.skew}</text>`)
  const first = pts[0]
  const title = first === undefined ? 'no runs' : `${first.workload}: ${first.txs.toLocaleString('en-US')} txs, ${first.groups} groups`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>
${ticks.join('\n')}
<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#333"/>
<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#333"/>
<line x1="${W - M.r}" y1="${M.t}" x2="${W - M.r}" y2="${H - M.b}" stroke="#333"/>
<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">Zipf skew s</text>
<text x="16" y="${H / 2}" transform="rotate(-90 16 ${H / 2})" text-anchor="middle" font-size="12" fill="#1f77b4">ideal speedup</text>
<text x="${W - 14}" y="${H / 2}" transform="rotate(90 ${W - 14} ${H / 2})" text-anchor="middle" font-size="12" fill="#d62728">largest component (% of txs)</text>
<path d="${line((p) => p.idealSpeedup, yL)}" fill="none" stroke="#1f77b4" stroke-width="2"/>${dots((p) => p.idealSpeedup, yL, '#1f77b4')}
<path d="${line((p) => p.largestComponentTxShare, yR)}" fill="none" stroke="#d62728" stroke-width="2" stroke-dasharray="5,3"/>${dots((p) => p.largestComponentTxShare, yR, '#d62728')}
</svg>`
}

/** An HTML page with the chart and the table of runs. */
export function benchReportHtml(runs: readonly PartitionRunFigures[]): string {
  const cols: (keyof PartitionRunFigures)[] = ['skew', 'txs', 'edges', 'components', 'largestComponentTxs', 'groups', 'idealSpeedup', 'dagParallelism', 'dagBuildMs', 'partitionMs', 'txPerSec']
  const rows = runs.map((r) => `<tr>${cols.map((c) => `<td>${fmt(r[c])}</td>`).join('')}</tr>`).join('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><title>paradag bench</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head>
<body><h1>paradag partitioning benchmark</h1>${benchChartSvg(runs)}
<table><tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>${rows}</table></body></html>`
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2)
  return String(v)
}
