// A horizontal bar chart, as SVG, of "how many times faster than the baseline" (log scale; 1× marked).
export interface Bar {
  label: string;
  ratio: number;
}

export function ratioChart(title: string, bars: Bar[]): string {
  const width = 760;
  const left = 330;
  const row = 26;
  const top = 40;
  const height = top + bars.length * row + 30;
  const max = Math.max(10, ...bars.map((b) => b.ratio));
  const min = Math.min(0.5, ...bars.map((b) => b.ratio));
  const x = (r: number) => left + ((Math.log10(r) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * (width - left - 70);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars.map((b, i) => {
    const y = top + i * row;
    const x0 = x(1);
    const x1 = x(b.ratio);
    const color = b.ratio >= 1 ? '#2f855a' : '#c53030';
    return `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(b.label)}</text><rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${row - 10}" fill="${color}"/><text x="${Math.max(x0, x1) + 6}" y="${y + 16}">${b.ratio >= 10 ? b.ratio.toFixed(0) : b.ratio.toFixed(1)}×</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>
<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${height - 24}" stroke="#444" stroke-dasharray="3,3"/>
<text x="${x(1)}" y="${height - 8}" text-anchor="middle" fill="#444">1× (as fast as the baseline; log scale)</text>
${rows.join('\n')}
</svg>
`;
}
