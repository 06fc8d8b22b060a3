/**
 * The standard normal distribution's CDF Φ and its inverse, accurate to about 1e-15 (relative,
 * tails included), for the probabilistic and deflated Sharpe ratios.
 *
 * - Φ is computed from the complementary error function, so the lower tail keeps its relative
 *   precision (Φ(−37) ≈ 5.7e−300 is not rounded to 0). erfc is summed from the series of erf
 *   (all terms positive, no cancellation) below 2 and from its continued fraction (modified
 *   Lentz) from 2 on; `exp(−z²)` is split so that rounding z² does not cost digits far out.
 * - Φ⁻¹ starts from P. J. Acklam's rational approximation (relative error below 1.2e−9) and takes
 *   one Halley step on Φ, which brings it to full double precision.
 *
 * Like `Math` functions these return NaN for NaN or out-of-domain input; callers check their
 * own inputs (see `deflated-sharpe.ts`).
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** `exp(−z²)` without the error that rounding `z²` brings for large z (the split W. J. Cody's erfc uses). */
function expMinusSquare(z: number): number {
  const head = Math.trunc(z * 16) / 16;
  const tail = (z - head) * (z + head);
  return Math.exp(-head * head) * Math.exp(-tail);
}

/** erfc(z) for z ≥ 0. */
function erfcNonNegative(z: number): number {
  if (z < 2) {
    // erf(z) = 2/√π · e^(−z²) · Σ 2ⁿ z^(2n+1) / (1·3·…·(2n+1)): every term positive.
    const twoZSquared = 2 * z * z;
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= twoZSquared / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / SQRT_PI) * expMinusSquare(z) * sum;
  }
  if (z > 27.3) return 0; // below the smallest double
  // erfc(z) = e^(−z²)/√π · 1 / (z + (1/2) / (z + 1 / (z + (3/2) / (z + …)))), by modified Lentz.
  const tiny = 1e-300;
  let f = z;
  let c = f;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = z + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = z + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return expMinusSquare(z) / (SQRT_PI * f);
}

/**
 * The standard normal cumulative distribution function Φ(x) = P(Z ≤ x).
 *
 * @example
 * normalCdf(1.959963984540054); // 0.975
 * normalCdf(-10); // 7.619853024160527e-24
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 0.5 * erfcNonNegative(-x * Math.SQRT1_2);
  return 1 - 0.5 * erfcNonNegative(x * Math.SQRT1_2);
}

// P. J. Acklam's coefficients ("An algorithm for computing the inverse normal cumulative
// distribution function", 2003): a central rational function and one for each tail.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155305231e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  if (p < P_LOW || p > 1 - P_LOW) {
    const tail = p < P_LOW ? p : 1 - p;
    const q = Math.sqrt(-2 * Math.log(tail));
    const x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
    return p < P_LOW ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * The inverse of {@link normalCdf}: the x with Φ(x) = p. `-Infinity` for 0, `Infinity` for 1,
 * NaN outside [0, 1].
 *
 * @example
 * normalQuantile(0.975); // 1.959963984540054
 * normalQuantile(1 - 1 / 100); // 2.3263478740408408
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const x = acklam(p);
  // One Halley step: e = Φ(x) − p, u = e / φ(x); x − u / (1 + x·u/2). The error is measured in
  // the smaller tail, where Φ keeps its relative precision.
  const e = x < 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  if (!Number.isFinite(u)) return x;
  return x - u / (1 + (x * u) / 2);
}
