/**
 * The sweep page's probability of backtest overfitting: the figures `backtest overfit` stored,
 * the histogram of the splits' logits (λ ≤ 0, the overfit side, in red) and the scatter of the
 * in-sample winner's out-of-sample against in-sample performance with its regression line. Both
 * charts are inline SVG: the chart library draws time series, and these are not.
 */
import { formatNumber, formatUnixSeconds } from '../app/format-values.js';
import type { SweepOverfit } from '../store/index.js';
import { html, type SafeHtml } from './safe-html.js';

/** One histogram bin: `[from, to)` on the logit axis (the bin ending at 0 includes 0). */
export interface LogitBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Most points the scatter draws; more splits are thinned evenly (every k-th). */
export const MAX_SCATTER_POINTS = 2_000;
const OVERFIT_COLOR = '#c0392b';
const FIT_COLOR = '#2e7d32';
const WIDTH = 520;
const HEIGHT = 240;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 34 };

/**
 * Bins logits symmetrically around 0, `binsPerSide` bins on each side out to the largest |λ|;
 * 0 itself falls in the bin left of 0, so the left half counts exactly the splits PBO counts.
 *
 * @example
 * logitHistogram(Float64Array.from([-1, 0, 0.5, 1]), 2).map((b) => b.count); // [1, 1, 1, 1]
 */
export function logitHistogram(logits: Float64Array, binsPerSide = 15): LogitBin[] {
  let bound = 0;
  for (const v of logits) if (Number.isFinite(v)) bound = Math.max(bound, Math.abs(v));
  if (bound === 0) bound = 1;
  const width = bound / binsPerSide;
  const counts = new Array<number>(2 * binsPerSide).fill(0);
  for (const v of logits) {
    if (!Number.isFinite(v)) continue;
    const index =
      v <= 0
        ? binsPerSide - 1 - Math.min(binsPerSide - 1, Math.floor(-v / width))
        : binsPerSide + Math.min(binsPerSide - 1, Math.ceil(v / width) - 1);
    counts[index] = (counts[index] as number) + 1;
  }
  return counts.map((count, i) => ({ from: (i - binsPerSide) * width, to: (i - binsPerSide + 1) * width, count }));
}

const f = (value: number): string => String(Math.round(value * 10) / 10);

/**
 * The section for a sweep's stored result.
 *
 * @example
 * html`${renderOverfitSection(overfit, sweepId)}`;
 */
export function renderOverfitSection(overfit: SweepOverfit, sweepId: string): SafeHtml {
  const optional = (value: number | null, digits: number) => (value === null ? 'n/a' : formatNumber(value, digits));
  const measure = overfit.metric === 'sharpe_ratio' ? 'Sharpe ratio per period' : 'total return';
  return html`<section class="overfit" id="overfit">
<h2>Probability of backtest overfitting</h2>
<ul class="facts"><li>PBO <b data-pbo="${overfit.pbo}">${formatNumber(overfit.pbo, 3)}</b></li><li>Slope <b>${optional(overfit.slope, 3)}</b></li><li>R² <b>${optional(overfit.rSquared, 3)}</b></li><li>Probability of out-of-sample loss <b>${formatNumber(overfit.probabilityOfLoss, 3)}</b></li><li>${formatNumber(overfit.configurations, 0)} runs × ${formatNumber(overfit.periods, 0)} periods, ${overfit.blocks} blocks: ${formatNumber(overfit.splits, 0)} splits by ${measure}</li><li>Computed ${formatUnixSeconds(overfit.computedMs / 1000)} UTC</li></ul>
<p class="note">In each split half the blocks of periods are in-sample; the run best in-sample is ranked out of sample. PBO is the share of splits where it is at or below the median run there (logit λ ≤ 0, red). Bailey, Borwein, López de Prado and Zhu (2017). Recompute with <code>backtest overfit ${sweepId}</code>.</p>
<div class="overfit-charts">
<figure><figcaption>Logits λ of ${formatNumber(overfit.splits, 0)} splits</figcaption>${histogramSvg(overfit.logits)}</figure>
<figure><figcaption>Out-of-sample against in-sample ${measure} of the in-sample best run</figcaption>${scatterSvg(overfit)}</figure>
</div>
</section>`;
}

function histogramSvg(logits: Float64Array): SafeHtml {
  const bins = logitHistogram(logits);
  const first = bins[0] as LogitBin;
  const last = bins[bins.length - 1] as LogitBin;
  const most = Math.max(1, ...bins.map((b) => b.count));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + ((v - first.from) / (last.to - first.from)) * plotWidth;
  const y = (count: number) => MARGIN.top + plotHeight - (count / most) * plotHeight;
  const bottom = MARGIN.top + plotHeight;
  return html`<svg class="overfit-histogram" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Histogram of the logits">
${bins.map(
  (b) =>
    html`<rect x="${f(x(b.from) + 0.5)}" y="${f(y(b.count))}" width="${f(Math.max(0, x(b.to) - x(b.from) - 1))}" height="${f(bottom - y(b.count))}" fill="${b.to <= 0 ? OVERFIT_COLOR : FIT_COLOR}"><title>λ ${formatNumber(b.from, 2)} to ${formatNumber(b.to, 2)}: ${formatNumber(b.count, 0)} splits</title></rect>`,
)}
<line x1="${f(MARGIN.left)}" y1="${f(bottom)}" x2="${f(WIDTH - MARGIN.right)}" y2="${f(bottom)}" stroke="currentColor"/>
<line x1="${f(x(0))}" y1="${f(MARGIN.top)}" x2="${f(x(0))}" y2="${f(bottom)}" stroke="currentColor" stroke-dasharray="3 3"/>
<text x="${f(MARGIN.left)}" y="${f(bottom + 14)}" font-size="11" fill="currentColor">${formatNumber(first.from, 2)}</text>
<text x="${f(x(0))}" y="${f(bottom + 14)}" font-size="11" text-anchor="middle" fill="currentColor">0</text>
<text x="${f(WIDTH - MARGIN.right)}" y="${f(bottom + 14)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(last.to, 2)}</text>
<text x="${f(MARGIN.left + plotWidth / 2)}" y="${f(HEIGHT - 4)}" font-size="11" text-anchor="middle" fill="currentColor">logit λ</text>
<text x="${f(MARGIN.left - 6)}" y="${f(MARGIN.top + 10)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(most, 0)}</text>
</svg>`;
}

function scatterSvg(overfit: SweepOverfit): SafeHtml {
  const { inSample, outOfSample, slope, intercept } = overfit;
  const count = inSample.length;
  const step = Math.max(1, Math.ceil(count / MAX_SCATTER_POINTS));
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const vx = inSample[i] as number;
    const vy = outOfSample[i] as number;
    if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
    minX = Math.min(minX, vx);
    maxX = Math.max(maxX, vx);
    minY = Math.min(minY, vy, 0);
    maxY = Math.max(maxY, vy, 0);
  }
  if (!(minX <= maxX)) return html`<p class="note">No finite values to plot.</p>`;
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - span * 0.05, hi + span * 0.05];
  };
  [minX, maxX] = pad(minX, maxX);
  [minY, maxY] = pad(minY, maxY);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + ((v - minX) / (maxX - minX)) * plotWidth;
  const y = (v: number) => MARGIN.top + plotHeight - ((v - minY) / (maxY - minY)) * plotHeight;
  const points: SafeHtml[] = [];
  for (let i = 0; i < count; i += step) {
    const vx = inSample[i] as number;
    const vy = outOfSample[i] as number;
    if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
    points.push(
      html`<circle cx="${f(x(vx))}" cy="${f(y(vy))}" r="1.6" fill="${vy < 0 ? OVERFIT_COLOR : FIT_COLOR}" fill-opacity="0.45"/>`,
    );
  }
  const bottom = MARGIN.top + plotHeight;
  const fit =
    slope === null || intercept === null
      ? ''
      : html`<line class="fit" x1="${f(x(minX))}" y1="${f(y(intercept + slope * minX))}" x2="${f(x(maxX))}" y2="${f(y(intercept + slope * maxX))}" stroke="currentColor" stroke-width="1.5"><title>OOS = ${formatNumber(intercept, 4)} + ${formatNumber(slope, 3)} × IS</title></line>`;
  return html`<svg class="overfit-scatter" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Out-of-sample against in-sample performance">
<clipPath id="overfit-plot"><rect x="${f(MARGIN.left)}" y="${f(MARGIN.top)}" width="${f(plotWidth)}" height="${f(plotHeight)}"/></clipPath>
<line x1="${f(MARGIN.left)}" y1="${f(y(0))}" x2="${f(WIDTH - MARGIN.right)}" y2="${f(y(0))}" stroke="currentColor" stroke-dasharray="3 3"/>
<g clip-path="url(#overfit-plot)">${points}${fit}</g>
<line x1="${f(MARGIN.left)}" y1="${f(bottom)}" x2="${f(WIDTH - MARGIN.right)}" y2="${f(bottom)}" stroke="currentColor"/>
<line x1="${f(MARGIN.left)}" y1="${f(MARGIN.top)}" x2="${f(MARGIN.left)}" y2="${f(bottom)}" stroke="currentColor"/>
<text x="${f(MARGIN.left)}" y="${f(bottom + 14)}" font-size="11" fill="currentColor">${formatNumber(minX, 3)}</text>
<text x="${f(WIDTH - MARGIN.right)}" y="${f(bottom + 14)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(maxX, 3)}</text>
<text x="${f(MARGIN.left + plotWidth / 2)}" y="${f(HEIGHT - 4)}" font-size="11" text-anchor="middle" fill="currentColor">in-sample</text>
<text x="${f(MARGIN.left - 4)}" y="${f(MARGIN.top + 10)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(maxY, 3)}</text>
<text x="${f(MARGIN.left - 4)}" y="${f(bottom)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(minY, 3)}</text>
<text x="${f(MARGIN.left + 4)}" y="${f(MARGIN.top + 10)}" font-size="11" fill="currentColor">out of sample</text>
</svg>${step > 1 ? html`<p class="note">Every ${step}th of ${formatNumber(count, 0)} splits is drawn.</p>` : ''}`;
}
