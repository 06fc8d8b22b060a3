"""Test helper for test/export-policy.test.ts: builds PyTorch policies the way users save them and
decides every bar with them in PyTorch, as a reference for `backtest run --model` on the export.

    python3 build_policies.py OUT_DIR BARS_JSON

BARS_JSON holds a series per symbol: {"GOOG": {"time_ms": [...], "open": [...], ...}, "EURUSD": {...}}.
Writes into OUT_DIR the policy files and cases.json: for each case, the exporter arguments and
the trades (side, entry bar, exit bar) the policy makes when every decision fills at that bar's
close, as `--fill-at close` does. Needs PyTorch; the features come from scripts/backtest_features.py.
"""

import io
import json
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import backtest_features as bf  # noqa: E402

out_dir = Path(sys.argv[1])
series = json.loads(Path(sys.argv[2]).read_text())
torch.manual_seed(7)


def simulate(decide, specs, bars, allow_short, transform=lambda row: row):
    """Decisions bar by bar (fill at the close), the position fed back into the observation.
    Returns the trades and the smallest margin between a decision and its nearest alternative."""
    rows = bf.ObservationRows(specs, bars)
    position, entry, trades, smallest = 0, None, [], float("inf")
    for i in range(rows.length):
        row = rows.row(i, bf.Account(position=position))
        if row is None:
            continue
        decision, margin = decide(torch.tensor([transform(row)], dtype=torch.float32), allow_short)
        smallest = min(smallest, margin)
        if decision is None or decision == position:
            continue
        if position != 0:
            trades.append(["long" if position == 1 else "short", entry, i])
        position, entry = decision, i
    if position != 0:
        trades.append(["long" if position == 1 else "short", entry, rows.length - 1])
    return trades, smallest


def discrete(net, order):
    """Argmax over the policy's outputs read as `order` (names), ties to hold, then buy."""

    def decide(obs, allow_short):
        with torch.no_grad():
            scores = net(obs)[0].double().tolist()
        named = {name: scores[i] for i, name in enumerate(order)}
        ranked = [named.get(a, -float("inf")) for a in ("hold", "buy", "sell")]
        best = max(range(3), key=lambda k: (ranked[k], -k))
        second = max(v for k, v in enumerate(ranked) if k != best)
        action = ("hold", "buy", "sell")[best]
        if action == "hold":
            return None, ranked[best] - second
        if action == "buy":
            return 1, ranked[best] - second
        return (-1 if allow_short else 0), ranked[best] - second

    return decide


def target(net, threshold):
    def decide(obs, allow_short):
        with torch.no_grad():
            value = float(net(obs).reshape(-1)[0].double())
        margin = min(abs(value - threshold), abs(value + threshold))
        if value > threshold:
            return 1, margin
        if value < -threshold:
            return (-1 if allow_short else 0), margin
        return 0, margin

    return decide


cases = []

# 1. A PPO-style actor-critic saved as Stable-Baselines3 does: policy.pth in a zip, its key names.
goog = series["GOOG"]
features = [
    {"feature": "return", "lags": 5, "scale": 100},
    {"feature": "rsi", "window": 14, "norm": {"kind": "zscore", "mean": 50, "std": 15}},
    {"feature": "sma_ratio", "window": 20, "scale": 10},
    {"feature": "day_of_week"},
    {"feature": "position"},
]
specs = bf.parse_features(features)
width = bf.observation_width(specs)


class Sb3Policy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp_extractor = torch.nn.Module()
        self.mlp_extractor.policy_net = torch.nn.Sequential(
            torch.nn.Linear(width, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh()
        )
        self.mlp_extractor.value_net = torch.nn.Sequential(torch.nn.Linear(width, 32), torch.nn.Tanh())
        self.action_net = torch.nn.Linear(32, 3)
        self.value_net = torch.nn.Linear(32, 1)

    def forward(self, obs):
        return self.action_net(self.mlp_extractor.policy_net(obs))


ppo = Sb3Policy().eval()
with torch.no_grad():
    ppo.action_net.weight.mul_(4)
buffer = io.BytesIO()
torch.save(ppo.state_dict(), buffer)
with zipfile.ZipFile(out_dir / "GOOG_1Day.zip", "w") as archive:
    archive.writestr("policy.pth", buffer.getvalue())
    archive.writestr(
        "data",
        json.dumps({"policy_kwargs": {":type:": "<class 'dict'>", "activation_fn": "<class 'torch.nn.modules.activation.Tanh'>"}}),
    )
    archive.writestr("_stable_baselines3_version", "2.3.2")
trades, margin = simulate(discrete(ppo, ["hold", "buy", "sell"]), specs, goog, False)
cases.append(
    {
        "name": "Stable-Baselines3 PPO zip",
        "symbol": "GOOG",
        "model": "GOOG_1Day.zip",
        "args": ["--features", json.dumps(features)],
        "trades": trades,
        "margin": margin,
    }
)

# 2. A TorchScript module with a target output, on a window of returns, short allowed.
eurusd = series["EURUSD"]


class TargetNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(9, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))

    def forward(self, obs):
        return torch.tanh(self.body(obs) * 3).squeeze(1)


target_net = TargetNet().eval()
with torch.no_grad():
    # EURUSD's hourly returns are a few hundredths of a percent: large weights make them matter.
    target_net.body[0].weight.mul_(15)
scripted = torch.jit.script(target_net)
scripted.save(str(out_dir / "EURUSD_1Hour.pt"))
window_specs = bf.parse_features([{"feature": "return", "lags": 8, "scale": 100}, {"feature": "position"}])
trades, margin = simulate(target(scripted, 0.3), window_specs, eurusd, True)
cases.append(
    {
        "name": "TorchScript module",
        "symbol": "EURUSD",
        "model": "EURUSD_1Hour.pt",
        "args": ["--window", "8", "--position", "--allow-short", "--threshold", "0.3"],
        "trades": trades,
        "margin": margin,
    }
)

# 3. A plain state dict whose outputs are (sell, hold, buy), with VecNormalize statistics.
plain_features = [
    {"feature": "log_return", "lags": 3},
    {"feature": "volatility", "window": 10},
    {"feature": "relative_to_close", "column": "high"},
    {"feature": "volume_zscore", "window": 20},
]
plain_specs = bf.parse_features(plain_features)
plain_width = bf.observation_width(plain_specs)
net = torch.nn.Sequential()
net.add_module("fc1", torch.nn.Linear(plain_width, 24))
net.add_module("act", torch.nn.ReLU())
net.add_module("fc2", torch.nn.Linear(24, 24))
net.add_module("act2", torch.nn.ReLU())
net.add_module("out", torch.nn.Linear(24, 3))
net.eval()
with torch.no_grad():
    net.out.weight.mul_(3)
    net.out.bias.copy_(torch.tensor([-1.0, 0.0, 1.0]))
state = net.state_dict()
# Saved in an order that is not the forward order, so --arch must say it.
torch.save({key: state[key] for key in ["out.weight", "out.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]}, out_dir / "GOOG_1Week.pt")

# VecNormalize as Stable-Baselines3 pickles it; the classes live in stable_baselines3 modules
# that exist only here, while writing the pickle.
rows = bf.ObservationRows(plain_specs, goog)
observed = np.array([r for r in rows.matrix() if r is not None])
for name in [
    "stable_baselines3",
    "stable_baselines3.common",
    "stable_baselines3.common.running_mean_std",
    "stable_baselines3.common.vec_env",
    "stable_baselines3.common.vec_env.vec_normalize",
]:
    sys.modules[name] = types.ModuleType(name)


class RunningMeanStd:
    pass


class VecNormalize:
    pass


RunningMeanStd.__module__ = "stable_baselines3.common.running_mean_std"
VecNormalize.__module__ = "stable_baselines3.common.vec_env.vec_normalize"
sys.modules[RunningMeanStd.__module__].RunningMeanStd = RunningMeanStd
sys.modules[VecNormalize.__module__].VecNormalize = VecNormalize
statistics = RunningMeanStd()
statistics.mean, statistics.var, statistics.count = observed.mean(axis=0), observed.var(axis=0), float(len(observed))
vec = VecNormalize()
vec.obs_rms, vec.ret_rms, vec.clip_obs, vec.clip_reward = statistics, RunningMeanStd(), 10.0, 10.0
vec.epsilon, vec.norm_obs, vec.norm_reward, vec.gamma, vec.training = 1e-8, True, True, 0.99, False
with open(out_dir / "vecnormalize.pkl", "wb") as handle:
    pickle.dump(vec, handle)

std = np.sqrt(statistics.var + 1e-8)


def vecnormalize(row):
    """What VecNormalize feeds the policy: the clipped z-score, in float64 (then float32)."""
    return list(np.clip((np.array(row) - statistics.mean) / std, -10.0, 10.0))


trades, margin = simulate(discrete(net, ["sell", "hold", "buy"]), plain_specs, goog, False, vecnormalize)
cases.append(
    {
        "name": "state dict with VecNormalize",
        "symbol": "GOOG",
        "model": "GOOG_1Week.pt",
        "out": "GOOG_1Day.onnx",
        "args": [
            "--features",
            json.dumps(plain_features),
            "--vecnormalize",
            str(out_dir / "vecnormalize.pkl"),
            "--activation",
            "relu",
            "--arch",
            "fc1,fc2,out",
            "--actions",
            "sell,hold,buy",
        ],
        "trades": trades,
        "margin": margin,
    }
)

(out_dir / "cases.json").write_text(json.dumps(cases))
