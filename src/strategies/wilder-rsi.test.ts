import { describe, expect, it } from 'vitest';
import { WilderRsi } from './wilder-rsi.js';

// Hand computation with period 2, where Wilder's smoothing avg = (prev × 1 + current) / 2
// halves exactly, so the averages below are exact fractions.
// closes:   20 22 21 24 24 23 26 25 22 21 23 27 27 26 24 25 28 27 27 30
// changes:     +2 −1 +3  0 −1 +3 −1 −3 −1 +2 +4  0 −1 −2 +1 +3 −1  0 +3
// i=2:  first averages are simple means of changes 1..2: gain (2+0)/2 = 1, loss (0+1)/2 = 1/2
//       RS = 2, RSI = 100 − 100/3 = 66.667
// i=3:  gain (1+3)/2 = 2,     loss (1/2+0)/2 = 1/4;    RS 8      → 100 − 100/9  = 88.889
// i=4:  gain (2+0)/2 = 1,     loss 1/8;                RS 8      → 88.889
// i=5:  gain 1/2,             loss (1/8+1)/2 = 9/16;   RS 8/9    → 100 − 100/(17/9) = 47.059
// i=6:  gain (1/2+3)/2 = 7/4, loss 9/32;               RS 56/9   → 100 − 900/65 = 86.154
// i=7:  gain 7/8,             loss (9/32+1)/2 = 41/64; RS 56/41  → 100 − 4100/97 = 57.732
// i=8:  gain 7/16,            loss (41/64+3)/2 = 233/128; RS 56/233 → 100 − 23300/289 = 19.377
// i=9:  gain 7/32,            loss (233/128+1)/2 = 361/256; RS 56/361 → 100 − 36100/417 = 13.429
// i=10: gain (7/32+2)/2 = 71/64, loss 361/512;         RS 568/361 → 100 − 36100/929 = 61.141
// i=11: gain (71/64+4)/2 = 327/128, loss 361/1024;     RS 2616/361 → 100 − 36100/2977 = 87.874
// i=12: gain 327/256, loss 361/2048; RS unchanged 2616/361 → 87.874
// i=13: gain 327/512, loss (361/2048+1)/2 = 2409/4096; RS 872/803 → 100 − 80300/1675 = 52.060
// i=14: gain 327/1024, loss (2409/4096+2)/2 = 10601/8192; RS 2616/10601 → 100 − 1060100/13217 = 19.793
// i=15: gain (327/1024+1)/2 = 1351/2048, loss 10601/16384; RS 10808/10601 → 100 − 1060100/21409 = 50.483
// i=16: gain (1351/2048+3)/2 = 7495/4096, loss 10601/32768; RS 59960/10601 → 100 − 1060100/70561 = 84.976
// i=17: gain 7495/8192, loss (10601/32768+1)/2 = 43369/65536; RS 59960/43369 → 100 − 4336900/103329 = 58.028
// i=18: gain 7495/16384, loss 43369/131072; RS unchanged → 58.028
// i=19: gain (7495/16384+3)/2 = 56647/32768, loss 43369/262144; RS 453176/43369 → 100 − 4336900/496545 = 91.266
const HAND_CLOSES = [20, 22, 21, 24, 24, 23, 26, 25, 22, 21, 23, 27, 27, 26, 24, 25, 28, 27, 27, 30];
const HAND_RSI_PERIOD_2 = [
  Number.NaN,
  Number.NaN,
  100 - 100 / 3,
  100 - 100 / 9,
  100 - 100 / 9,
  100 - 900 / 17,
  100 - 900 / 65,
  100 - 4100 / 97,
  100 - 23300 / 289,
  100 - 36100 / 417,
  100 - 36100 / 929,
  100 - 36100 / 2977,
  100 - 36100 / 2977,
  100 - 80300 / 1675,
  100 - 1060100 / 13217,
  100 - 1060100 / 21409,
  100 - 1060100 / 70561,
  100 - 4336900 / 103329,
  100 - 4336900 / 103329,
  100 - 4336900 / 496545,
];

describe('WilderRsi', () => {
  it('matches the hand computation with period 2 on 20 closes', () => {
    const rsi = new WilderRsi(2);
    const out = HAND_CLOSES.map((close) => rsi.push(close));
    expect(out.slice(0, 2)).toEqual([Number.NaN, Number.NaN]);
    for (let i = 2; i < out.length; i++) expect(out[i]).toBeCloseTo(HAND_RSI_PERIOD_2[i]!, 9);
    // Spot values as rounded above, so a wrong fraction in the table cannot hide.
    expect(out[8]).toBeCloseTo(19.377, 3);
    expect(out[19]).toBeCloseTo(91.266, 3);
  });

  it('seeds with the simple mean of the first period changes (period 3)', () => {
    const rsi = new WilderRsi(3);
    const out = HAND_CLOSES.slice(0, 6).map((close) => rsi.push(close));
    // changes +2 −1 +3: gain (2+0+3)/3 = 5/3, loss 1/3, RS 5 → 100 − 100/6 = 83.333
    // change 0: gain (5/3·2 + 0)/3 = 10/9, loss (1/3·2)/3 = 2/9, RS 5 → 83.333
    // change −1: gain 20/27, loss (2/9·2 + 1)/3 = 13/27, RS 20/13 → 100 − 1300/33 = 60.606
    expect(out.slice(0, 3)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(out[3]).toBeCloseTo(100 - 100 / 6, 10);
    expect(out[4]).toBeCloseTo(100 - 100 / 6, 10);
    expect(out[5]).toBeCloseTo(100 - 1300 / 33, 10);
  });

  it('is 100 with gains and no losses, and 50 on a flat stretch', () => {
    const rising = new WilderRsi(2);
    expect([1, 2, 3, 4].map((close) => rising.push(close)).slice(2)).toEqual([100, 100]);
    const flat = new WilderRsi(2);
    expect([5, 5, 5, 5].map((close) => flat.push(close)).slice(2)).toEqual([50, 50]);
    const falling = new WilderRsi(2);
    expect([4, 3, 2].map((close) => falling.push(close))[2]).toBe(0);
  });
});
