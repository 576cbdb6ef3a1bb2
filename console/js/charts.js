// SVG sparklines and a small multi-series line chart; no library.
import { html } from './html.js';

function pathOf(values, w, h, max) {
  if (values.length === 0) return '';
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values.map((v, i) => `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${(h - (max > 0 ? (v / max) * (h - 2) : 0) - 1).toFixed(1)}`).join('');
}

/** in/out rates of the last minutes as two lines */
export function Sparkline({ samples, label }) {
  const w = 96;
  const h = 24;
  const ins = samples.map((s) => s.in_per_s);
  const outs = samples.map((s) => s.out_per_s);
  const max = Math.max(1, ...ins, ...outs);
  return html`<svg class="spark" width=${w} height=${h} viewBox="0 0 ${w} ${h}" role="img" aria-label=${label}>
    <path d=${pathOf(ins, w, h, max)} class="line-in" />
    <path d=${pathOf(outs, w, h, max)} class="line-out" />
  </svg>`;
}

/** one chart of several series over time; series: [{name, cls, values}] */
export function LineChart({ samples, series, title, unit }) {
  const w = 640;
  const h = 160;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const first = samples[0]?.t;
  const last = samples[samples.length - 1]?.t;
  return html`<figure class="chart">
    <figcaption>${title} <span class="muted">(max ${max.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit})</span>
      ${series.map((s) => html` <span class=${`key ${s.cls}`}>${s.name}</span>`)}</figcaption>
    <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label=${title}>
      ${series.map((s) => html`<path d=${pathOf(s.values, w, h, max)} class=${s.cls} vector-effect="non-scaling-stroke" />`)}
    </svg>
    <div class="axis muted"><span>${first ? new Date(first).toLocaleTimeString() : ''}</span><span>${last ? new Date(last).toLocaleTimeString() : 'no samples yet'}</span></div>
  </figure>`;
}
