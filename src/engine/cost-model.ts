/**
 * Transaction costs: slippage moves the fill price against the trader, commission is a
 * fraction of traded value, and a fixed fee is charged per order. Kept apart from the loop
 * so the rules live in one place and are tested on their own.
 */

/** +1 for an order that buys (opens a long or covers a short), −1 for one that sells. */
export type OrderSign = 1 | -1;

/**
 * The price actually paid or received: `price × (1 + bps/10 000)` when buying,
 * `price × (1 − bps/10 000)` when selling.
 *
 * @example
 * slippedPrice(100, 1, 5); // 100.05
 */
export function slippedPrice(price: number, sign: OrderSign, slippageBps: number): number {
  return price * (1 + (sign * slippageBps) / 10_000);
}

/**
 * Commission plus fixed fee for one order of `tradedValue` (quantity × fill price).
 *
 * @example
 * orderCost(10_000, 0.001, 1); // 11
 */
export function orderCost(tradedValue: number, commission: number, fixedFee: number): number {
  return tradedValue * commission + fixedFee;
}

/**
 * The largest quantity whose value plus costs fits in `budget`: whole units rounded down
 * unless `fractional`. Returns 0 when not even one unit (or any amount) can be afforded.
 *
 * @example
 * affordableQuantity(10_000, 100, 0.001, 0, false); // 99 (100 shares would cost 10 010)
 */
export function affordableQuantity(
  budget: number,
  fillPrice: number,
  commission: number,
  fixedFee: number,
  fractional: boolean,
): number {
  const spendable = budget - fixedFee;
  const unitCost = fillPrice * (1 + commission);
  if (!(spendable > 0) || !(unitCost > 0)) return 0;
  const exact = spendable / unitCost;
  if (fractional) return exact;
  let quantity = Math.floor(exact);
  // Division can land a hair under an exact integer (e.g. 299.99999999999994): take the next
  // unit when it truly fits, so rounding never costs the trader a share.
  if ((quantity + 1) * unitCost <= spendable) quantity += 1;
  return quantity;
}
