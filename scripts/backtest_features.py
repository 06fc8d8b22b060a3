"""The observation features of backtest-ledger, in Python, for training.

A model declares its observation in its ONNX metadata as ``backtest.features``: an ordered JSON
list of feature specs from the catalogue below. The backtest computes them in TypeScript
(``src/strategies/features/``); this module computes the same values, operation for operation,
so a policy trained on them sees in the backtest exactly what it saw in training. A test in the
project checks that both give the same numbers. Plain Python, no dependency: copy this file
next to your training code, or add the project's ``scripts/`` folder to ``sys.path``.

Catalogue (``x`` is the spec's ``column``, default close; ``w`` its ``window``)::

    return              x[i] / x[i-w] - 1                                   first at bar w
    log_return          ln(x[i] / x[i-w])                                   first at bar w
    relative_to_close   x[i] / close[i] - 1, column open | high | low       first at bar 0
    volume              volume[i]                                           first at bar 0
    volume_zscore       (volume[i] - mean) / std over the last w volumes,   first at bar w-1
                        sample std (n-1), 0 when the std is 0
    sma_ratio           close[i] / SMA(close, w)[i] - 1                      first at bar w-1
    ema_ratio           close[i] / EMA(close, w)[i] - 1; alpha = 2/(w+1),    first at bar w-1
                        EMA[w-1] = SMA of the first w closes,
                        then EMA += alpha * (close - EMA)
    rsi                 Wilder's RSI of close, 0..100: first averages are    first at bar w
                        the means of the first w changes, then
                        avg = (avg * (w-1) + x) / w; 100 with no losses,
                        50 with neither gains nor losses
    atr_pct             Wilder's ATR / close[i] * 100; TR needs the previous first at bar w
                        close, so TR starts at bar 1 and ATR[w] is the mean
                        of TR[1..w], then ATR = (ATR * (w-1) + TR) / w
    volatility          sample std (n-1) of the last w simple close returns  first at bar w
    time_of_day         sin, cos of 2*pi * (ms since UTC midnight of the     first at bar 0
                        bar's open time) / 86400000: two values
    day_of_week         sin, cos of 2*pi * weekday / 7, Monday = 0 (UTC):    first at bar 0
                        two values
    position            the position held at the bar's close: -1, 0, 1       state
    unrealized_pnl_pct  position * (close / entry_price - 1) * 100, 0 flat   state
    cash_fraction       cash / equity at the bar's close                    state

Every spec also takes ``lags`` (values of bars i, i-1, ..., newest first; default 1; state
features only 1), ``scale`` (a factor applied first; default 1) and ``norm``: ``"none"``,
``{"kind": "zscore", "mean": M, "std": S, "clip": C}`` (M and S a number or one per value,
``clip`` optional: the z-score is then clipped to [-C, C]) or ``{"kind": "clip", "min": A,
"max": B}``. A row exists only when every value in it is finite; otherwise the backtest keeps
its position on that bar. Bars are the bar's open time in epoch milliseconds (UTC) and OHLCV;
the observation of bar i is made after bar i closes and uses bars 0..i only.

Example::

    import backtest_features as bf
    specs = bf.parse_features('[{"feature": "return", "lags": 16, "scale": 100}, {"feature": "position"}]')
    rows = bf.ObservationRows(specs, bars)       # bars: dict of lists time_ms, open, high, low, close, volume
    obs = rows.row(100, bf.Account(position=1, equity=10_250.0, cash=180.0, entry_price=101.2))
    # obs is a list of floats, or None when bar 100 has no observation

Run as a script, it prints the features of a bars file as JSON (the project's tests use this)::

    python3 scripts/backtest_features.py --features FEATURES_JSON --bars BARS.json
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

FEATURE_NAMES = (
    "return",
    "log_return",
    "relative_to_close",
    "volume",
    "volume_zscore",
    "sma_ratio",
    "ema_ratio",
    "rsi",
    "atr_pct",
    "volatility",
    "time_of_day",
    "day_of_week",
    "position",
    "unrealized_pnl_pct",
    "cash_fraction",
)
STATE_FEATURES = ("position", "unrealized_pnl_pct", "cash_fraction")
MAX_WINDOW = 4096
MAX_WIDTH = 4096
OHLC = ("open", "high", "low", "close")

# name: (columns, default column, (default window, min window) or None, values per bar, warm-up(w))
_CATALOGUE: Dict[str, Any] = {
    "return": (OHLC, "close", (1, 1), 1, lambda w: w),
    "log_return": (OHLC, "close", (1, 1), 1, lambda w: w),
    "relative_to_close": (("open", "high", "low"), None, None, 1, lambda w: 0),
    "volume": (None, None, None, 1, lambda w: 0),
    "volume_zscore": (None, None, (20, 2), 1, lambda w: w - 1),
    "sma_ratio": (None, None, (20, 1), 1, lambda w: w - 1),
    "ema_ratio": (None, None, (20, 1), 1, lambda w: w - 1),
    "rsi": (None, None, (14, 1), 1, lambda w: w),
    "atr_pct": (None, None, (14, 1), 1, lambda w: w),
    "volatility": (None, None, (20, 2), 1, lambda w: w),
    "time_of_day": (None, None, None, 2, lambda w: 0),
    "day_of_week": (None, None, None, 2, lambda w: 0),
    "position": (None, None, None, 1, lambda w: 0),
    "unrealized_pnl_pct": (None, None, None, 1, lambda w: 0),
    "cash_fraction": (None, None, None, 1, lambda w: 0),
}

DAY_MS = 86_400_000
TWO_PI = 2 * math.pi
NAN = float("nan")


class FeatureError(ValueError):
    """A feature spec that is not in the catalogue or has an invalid field."""


@dataclass(frozen=True)
class FeatureSpec:
    """One checked entry of ``backtest.features``."""

    feature: str
    column: Optional[str]
    window: Optional[int]
    lags: int
    scale: float
    norm: Dict[str, Any]  # {"kind": "none"} | {"kind": "zscore", mean: [..], std: [..], clip} | {"kind": "clip", min, max}
    values_per_bar: int
    width: int
    state: bool
    warm_up: int

    def to_json(self) -> Dict[str, Any]:
        """The spec as ``backtest.features`` holds it, defaults filled in."""
        out: Dict[str, Any] = {"feature": self.feature}
        if self.column is not None:
            out["column"] = self.column
        if self.window is not None:
            out["window"] = self.window
        out["lags"] = self.lags
        out["scale"] = self.scale
        norm = self.norm
        if norm["kind"] == "none":
            out["norm"] = "none"
        elif norm["kind"] == "clip":
            out["norm"] = {"kind": "clip", "min": norm["min"], "max": norm["max"]}
        else:
            compact = lambda v: v[0] if all(x == v[0] for x in v) else list(v)  # noqa: E731
            out["norm"] = {"kind": "zscore", "mean": compact(norm["mean"]), "std": compact(norm["std"])}
            if norm["clip"] is not None:
                out["norm"]["clip"] = norm["clip"]
        return out


@dataclass(frozen=True)
class Account:
    """The account at a bar's close, as the state features read it (the engine's cash and entry fill price)."""

    position: int = 0
    equity: float = 1.0
    cash: float = 1.0
    entry_price: float = NAN


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any, fallback: int, minimum: int, where: str) -> int:
    n = fallback if value is None else value
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if not isinstance(n, int) or isinstance(n, bool) or n < minimum or n > MAX_WINDOW:
        raise FeatureError(f"{where} must be a whole number from {minimum} to {MAX_WINDOW}, not {json.dumps(value)}")
    return n


def _per_value(value: Any, width: int, where: str, positive: bool) -> List[float]:
    values = [value] * width if _is_number(value) else value
    ok = isinstance(values, list) and len(values) == width and all(
        _is_number(v) and math.isfinite(v) and (v > 0 or not positive) for v in values
    )
    if not ok:
        what = "finite numbers > 0" if positive else "finite numbers"
        raise FeatureError(f"{where} must be a number or an array of {width} {what} (one per value), not {json.dumps(value)}")
    return [float(v) for v in values]


def _parse_norm(value: Any, width: int, at: str) -> Dict[str, Any]:
    if value is None or value == "none":
        return {"kind": "none"}
    where = f"{at}: norm"
    if not isinstance(value, dict):
        raise FeatureError(f'{where} must be "none", {{"kind": "zscore", ...}} or {{"kind": "clip", ...}}')
    kind = value.get("kind")
    allowed = {"none": ("kind",), "clip": ("kind", "min", "max"), "zscore": ("kind", "mean", "std", "clip")}
    if kind not in allowed:
        raise FeatureError(f"{where}.kind must be none, zscore or clip, not {json.dumps(kind)}")
    for field in value:
        if field not in allowed[kind]:
            raise FeatureError(f"{where}: unknown field {field}; {kind} takes {', '.join(allowed[kind])}")

    def finite(field: str) -> float:
        n = value.get(field)
        if not _is_number(n) or not math.isfinite(n):
            raise FeatureError(f"{where}.{field} must be a finite number, not {json.dumps(n)}")
        return float(n)

    if kind == "none":
        return {"kind": "none"}
    if kind == "clip":
        lo, hi = finite("min"), finite("max")
        if not lo < hi:
            raise FeatureError(f"{where}: min ({lo}) must be below max ({hi})")
        return {"kind": "clip", "min": lo, "max": hi}
    mean = _per_value(value.get("mean"), width, f"{where}.mean", False)
    std = _per_value(value.get("std"), width, f"{where}.std", True)
    clip = None
    if value.get("clip") is not None:
        clip = finite("clip")
        if not clip > 0:
            raise FeatureError(f"{where}.clip must be above 0, not {clip}")
    return {"kind": "zscore", "mean": mean, "std": std, "clip": clip}


def feature_spec(fields: Dict[str, Any], where: str = "feature") -> FeatureSpec:
    """Checks one spec object and fills in its defaults, as the backtest does."""
    if not isinstance(fields, dict):
        raise FeatureError(f'{where} must be an object such as {{"feature": "return"}}')
    name = fields.get("feature")
    if name not in _CATALOGUE:
        raise FeatureError(f"{where}: feature {json.dumps(name)} is not in the catalogue; known features are {', '.join(FEATURE_NAMES)}")
    columns, default_column, window_range, per_bar, warm_up = _CATALOGUE[name]
    at = f"{where} ({name})"
    allowed = ["feature", "lags", "scale", "norm"] + (["column"] if columns else []) + (["window"] if window_range else [])
    for field in fields:
        if field not in allowed:
            raise FeatureError(f"{at}: unknown field {field}; this feature takes {', '.join(allowed)}")
    column = None
    if columns:
        column = fields.get("column", default_column)
        if column is None:
            raise FeatureError(f"{at}: column is required, one of {', '.join(columns)}")
        if column not in columns:
            raise FeatureError(f"{at}: column {json.dumps(column)} must be one of {', '.join(columns)}")
    window = _whole(fields.get("window"), window_range[0], window_range[1], f"{at}: window") if window_range else None
    lags = _whole(fields.get("lags"), 1, 1, f"{at}: lags")
    state = name in STATE_FEATURES
    if state and lags != 1:
        raise FeatureError(f"{at}: lags must be 1; state features are observed for the current bar only")
    scale = fields.get("scale", 1)
    if not _is_number(scale) or not math.isfinite(scale) or scale == 0:
        raise FeatureError(f"{at}: scale must be a finite number other than 0, not {json.dumps(scale)}")
    width = per_bar * lags
    return FeatureSpec(
        feature=name,
        column=column,
        window=window,
        lags=lags,
        scale=float(scale),
        norm=_parse_norm(fields.get("norm"), width, at),
        values_per_bar=per_bar,
        width=width,
        state=state,
        warm_up=warm_up(window or 0),
    )


def parse_features(value: Any) -> List[FeatureSpec]:
    """Parses ``backtest.features``: a JSON string, or the list it holds."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise FeatureError(f"backtest.features is not valid JSON ({error})") from error
    if not isinstance(value, list) or not value:
        raise FeatureError("backtest.features must be a non-empty JSON array of feature objects")
    specs = [feature_spec(entry, f"backtest.features[{i}]") for i, entry in enumerate(value)]
    width = sum(spec.width for spec in specs)
    if width > MAX_WIDTH:
        raise FeatureError(f"backtest.features makes rows {width} wide; at most {MAX_WIDTH} columns")
    return specs


def features_json(specs: Sequence[FeatureSpec]) -> str:
    """The ``backtest.features`` metadata value for these specs (compact JSON)."""
    return json.dumps([spec.to_json() for spec in specs], separators=(",", ":"))


def observation_width(specs: Sequence[FeatureSpec]) -> int:
    """Columns per observation row."""
    return sum(spec.width for spec in specs)


def first_row(specs: Sequence[FeatureSpec]) -> int:
    """The first bar that can have an observation."""
    return max([0] + [spec.warm_up + spec.lags - 1 for spec in specs if not spec.state])


def column_names(specs: Sequence[FeatureSpec]) -> List[str]:
    """A name for every column of the row, e.g. ``return[close,1]@t-3`` or ``time_of_day.sin@t``."""
    names = []
    for spec in specs:
        base = spec.feature
        params = [p for p in (spec.column, None if spec.window is None else str(spec.window)) if p is not None]
        if params:
            base += "[" + ",".join(params) + "]"
        for lag in range(spec.lags):
            for v in range(spec.values_per_bar):
                part = "" if spec.values_per_bar == 1 else (".sin" if v == 0 else ".cos")
                names.append(f"{base}{part}@t" + ("" if lag == 0 else f"-{lag}"))
    return names


def _window_mean_std(x: Sequence[float], start: int, end: int):
    count = end - start
    total = 0.0
    for j in range(start, end):
        total += x[j]
    mean = total / count
    squares = 0.0
    for j in range(start, end):
        d = x[j] - mean
        squares += d * d
    return mean, math.sqrt(squares / (count - 1))


def _div(a: float, b: float) -> float:
    """a / b with JavaScript's rules: x/0 is ±inf, 0/0 is NaN (Python raises instead)."""
    if b == 0:
        if a == 0 or a != a:
            return NAN
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _log(x: float) -> float:
    if x != x or x < 0:
        return NAN
    if x == 0:
        return -math.inf
    return math.log(x)


def _wilder_rsi(close: Sequence[float], period: int) -> List[float]:
    out = [NAN] * len(close)
    previous = NAN
    changes = 0
    gain_avg = 0.0
    loss_avg = 0.0
    keep = period - 1
    for i, price in enumerate(close):
        last, previous = previous, price
        if last != last:
            continue
        change = price - last
        gain = max(change, 0.0)
        loss = -change if change < 0 else 0.0
        if changes < period:
            gain_avg += gain
            loss_avg += loss
            changes += 1
            if changes < period:
                continue
            gain_avg /= period
            loss_avg /= period
        else:
            gain_avg = (gain_avg * keep + gain) / period
            loss_avg = (loss_avg * keep + loss) / period
        total = gain_avg + loss_avg
        out[i] = 50.0 if total == 0 else (100 * gain_avg) / total
    return out


def feature_series(spec: FeatureSpec, bars: Dict[str, Sequence[float]]) -> List[List[float]]:
    """The raw values (before scale and norm) of a bar feature for every bar: ``values_per_bar``
    lists of ``len(bars)`` floats, NaN where the feature does not exist yet."""
    close = [float(v) for v in bars["close"]]
    n = len(close)
    w = spec.window or 1
    out = [NAN] * n
    name = spec.feature
    if name in STATE_FEATURES:
        raise FeatureError(f"{name} is a state feature: it is computed as the engine steps, not per series")
    if name in ("return", "log_return"):
        x = [float(v) for v in bars[spec.column or "close"]]
        for i in range(w, n):
            ratio = _div(x[i], x[i - w])
            out[i] = ratio - 1 if name == "return" else _log(ratio)
        return [out]
    if name == "relative_to_close":
        x = [float(v) for v in bars[spec.column or "open"]]
        return [[_div(x[i], close[i]) - 1 for i in range(n)]]
    if name == "volume":
        return [[float(v) for v in bars["volume"]]]
    if name == "volume_zscore":
        v = [float(x) for x in bars["volume"]]
        for i in range(w - 1, n):
            mean, std = _window_mean_std(v, i - w + 1, i + 1)
            out[i] = 0.0 if std == 0 else (v[i] - mean) / std
        return [out]
    if name == "sma_ratio":
        total = 0.0
        for i in range(n):
            total += close[i]
            if i >= w:
                total -= close[i - w]
            if i >= w - 1:
                out[i] = _div(close[i], total / w) - 1
        return [out]
    if name == "ema_ratio":
        alpha = 2 / (w + 1)
        total = 0.0
        ema = NAN
        for i in range(n):
            x = close[i]
            if i < w:
                total += x
                if i < w - 1:
                    continue
                ema = total / w
            else:
                ema = ema + alpha * (x - ema)
            out[i] = _div(x, ema) - 1
        return [out]
    if name == "rsi":
        return [_wilder_rsi(close, w)]
    if name == "atr_pct":
        high = [float(v) for v in bars["high"]]
        low = [float(v) for v in bars["low"]]
        total = 0.0
        atr = NAN
        for i in range(1, n):
            prev = close[i - 1]
            tr = max(high[i] - low[i], abs(high[i] - prev), abs(low[i] - prev))
            if i <= w:
                total += tr
                if i < w:
                    continue
                atr = total / w
            else:
                atr = (atr * (w - 1) + tr) / w
            out[i] = _div(atr, close[i]) * 100
        return [out]
    if name == "volatility":
        returns = [NAN] + [_div(close[i], close[i - 1]) - 1 for i in range(1, n)]
        for i in range(w, n):
            out[i] = _window_mean_std(returns, i - w + 1, i + 1)[1]
        return [out]
    times = [float(t) for t in bars["time_ms"]]
    if name == "time_of_day":
        angles = [(TWO_PI * (((t % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS for t in times]
    else:  # day_of_week; 1970-01-01 was a Thursday, weekday 3 when Monday is 0.
        angles = [(TWO_PI * ((((math.floor(t / DAY_MS) + 3) % 7) + 7) % 7)) / 7 for t in times]
    return [[math.sin(a) for a in angles], [math.cos(a) for a in angles]]


def account_value(feature: str, account: Account, close: float) -> float:
    """The raw value of a state feature for the account at a bar whose close is ``close``."""
    if feature == "position":
        return float(account.position)
    if feature == "unrealized_pnl_pct":
        if account.position == 0:
            return 0.0
        return account.position * (_div(close, account.entry_price) - 1) * 100
    return _div(account.cash, account.equity)


def normalise(value: float, norm: Dict[str, Any], index: int) -> float:
    """Applies a spec's normalisation to its ``index``-th scaled value."""
    kind = norm["kind"]
    if kind == "none":
        return value
    if value != value:
        return value
    if kind == "clip":
        return min(max(value, norm["min"]), norm["max"])
    z = (value - norm["mean"][index]) / norm["std"][index]
    clip = norm["clip"]
    return z if clip is None else min(max(z, -clip), clip)


class ObservationRows:
    """The observation rows of one bar series: bar features computed once, state added per row."""

    def __init__(self, specs: Sequence[FeatureSpec], bars: Dict[str, Sequence[float]]):
        self.specs = list(specs)
        self.close = [float(v) for v in bars["close"]]
        self.length = len(self.close)
        self.width = observation_width(self.specs)
        self.first_row = first_row(self.specs)
        self.series = [None if spec.state else feature_series(spec, bars) for spec in self.specs]

    def row(self, bar: int, account: Account = Account()) -> Optional[List[float]]:
        """The float64 row of bar ``bar`` (round to float32 to feed a model), or None when it has none."""
        if bar < self.first_row or bar >= self.length:
            return None
        out: List[float] = []
        for spec, series in zip(self.specs, self.series):
            index = 0
            for lag in range(spec.lags):
                for v in range(spec.values_per_bar):
                    raw = account_value(spec.feature, account, self.close[bar]) if series is None else series[v][bar - lag]
                    scaled = raw * spec.scale
                    value = normalise(scaled, spec.norm, index)
                    if not (math.isfinite(scaled) and math.isfinite(value)):
                        return None
                    out.append(value)
                    index += 1
        return out

    def matrix(self, account: Account = Account()):
        """Every bar's row with the same account (for models without P&L or cash): a list of rows or None."""
        return [self.row(i, account) for i in range(self.length)]


def _main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Print the observation features of a bars file as JSON.")
    parser.add_argument("--features", required=True, help="backtest.features JSON, or a file holding it")
    parser.add_argument(
        "--bars",
        required=True,
        help='JSON file {"time_ms": [...], "open": [...], "high": [...], "low": [...], "close": [...], "volume": [...]}, '
        'optionally "accounts": [[position, equity, cash, entry_price], ...] one per bar',
    )
    args = parser.parse_args(argv)
    text = args.features
    if not text.lstrip().startswith("["):
        with open(text, encoding="utf-8") as handle:
            text = handle.read()
    try:
        specs = parse_features(text)
    except FeatureError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with open(args.bars, encoding="utf-8") as handle:
        bars = json.load(handle)
    rows = ObservationRows(specs, bars)
    accounts = bars.get("accounts")
    out_rows = []
    for i in range(rows.length):
        account = Account(*accounts[i]) if accounts else Account()
        out_rows.append(rows.row(i, account))

    def clean(values):
        return [None if v is None or not math.isfinite(v) else v for v in values]

    result = {
        "width": rows.width,
        "first_row": rows.first_row,
        "columns": column_names(specs),
        "series": [None if s is None else [clean(values) for values in s] for s in rows.series],
        "rows": out_rows,
    }
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
