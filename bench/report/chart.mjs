// A grouped bar chart as standalone SVG (no dependency): one group per series, one bar per
// percentile, on a logarithmic axis so microseconds and tens of milliseconds share a page.

const PALETTE = ['#4e79a7', '#59a14f', '#f28e2b', '#e15759', '#76b7b2', '#b07aa1'];

const escapeXml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function formatMicros(us) {
  if (us >= 1000) return `${Number((us / 1000).toPrecision(3))} ms`;
  return `${Math.round(us)} µs`;
}

/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {string[]} chart.percentiles labels of the bars in a group, e.g. ['p50', 'p99']
 * @param {{name: string, values: number[]}[]} chart.series values in microseconds, one per percentile
 * @returns {string} the SVG document
 */
export function percentileChartSvg({ title, percentiles, series }) {
  const width = 900;
  const left = 190;
  const right = 30;
  const top = 50;
  const rowHeight = 14 * percentiles.length + 14;
  const height = top + rowHeight * series.length + 60;
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const x = (us) => left + ((Math.log10(Math.max(us, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (width - left - right);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let decade = lo; decade <= hi; decade *= 10) {
    const gx = x(decade);
    parts.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 50}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${height - 36}" text-anchor="middle" fill="#555">${formatMicros(decade)}</text>`);
  }
  series.forEach((s, row) => {
    const y0 = top + row * rowHeight;
    parts.push(`<text x="${left - 8}" y="${y0 + rowHeight / 2}" text-anchor="end" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    s.values.forEach((value, i) => {
      const y = y0 + 4 + i * 14;
      const w = Math.max(1, x(value) - left);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="11" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(`${s.name} ${percentiles[i]}: ${formatMicros(value)}`)}</title></rect>`);
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 9}" font-size="10" fill="#333">${formatMicros(value)}</text>`);
    });
  });
  percentiles.forEach((label, i) => {
    const lx = left + i * 90;
    parts.push(`<rect x="${lx}" y="${height - 22}" width="11" height="11" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 16}" y="${height - 12}">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
