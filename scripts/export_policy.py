#!/usr/bin/env python3
"""Export a PyTorch policy to an ONNX model that follows backtest-ledger's model contract.

    python3 scripts/export_policy.py MODEL --out SYMBOL_TIMEFRAME.onnx [--window W [--position] [--scale S]]
        [--features JSON_OR_FILE] [--output discrete|target] [--allow-short] [--threshold T]
        [--input-size F] [--activation tanh|relu] [--actions hold,buy,sell] [--arch NAMES]
        [--vecnormalize FILE]

MODEL is any of:

- a TorchScript file (``torch.jit.save``);
- a pickled ``nn.Module`` (``torch.save(module)``; its class must be importable), with
  ``--input-size`` when the observation options do not give the width;
- a state dict of an MLP (``torch.save(module.state_dict())``): its Linear layers are rebuilt
  in order (``--arch fc1,fc2,out`` picks and orders them by name), with ``--activation``
  between them, since a state dict does not record it;
- a Stable-Baselines3 ``.zip`` of PPO, A2C or DQN with an MLP policy: ``policy.pth`` is read
  from the zip and the network rebuilt from its keys (``mlp_extractor.policy_net.*`` then
  ``action_net``, or ``q_net.q_net.*``), without importing Stable-Baselines3. The activation
  comes from the zip's ``policy_kwargs`` when recorded there, else the algorithm's default
  (tanh for PPO and A2C, ReLU for DQN); ``--activation`` overrides it.

The observation is ``--features`` (the ``backtest.features`` list, see ``backtest_features.py``
beside this script) or a window of ``--window`` close returns (x ``--scale``, default 100) with
``--position`` appended. Without either, a window as wide as the network's input is assumed.
``--actions`` names the policy's outputs in order (default hold,buy,sell); the exported model
puts them in the contract's order. A continuous Stable-Baselines3 policy (one action) or a
network with one output is exported as ``target``. ``--vecnormalize`` folds the observation
statistics of a Stable-Baselines3 ``VecNormalize`` pickle into the features' z-score
normalisation (mean, sqrt(var + epsilon) and clip_obs).

Symbol and timeframe come from the output file name. The model is written with its
``backtest.*`` metadata, then run through the project's own ONNX runtime (``backtest model
evaluate``) on random observations and compared with PyTorch; only when every output is within
1e-5 is it moved to ``--out`` and success reported. Needs PyTorch and the ``onnx`` package, and
Node.js for the check (``$BACKTEST_NODE``, else ``node``; ``$BACKTEST_CLI`` overrides the whole
command that runs the project's CLI).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import pickle
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

# No __pycache__ beside the shipped scripts.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import backtest_features as bf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODEL_NAME = re.compile(r"^([A-Za-z0-9.-]+)_([A-Za-z0-9]+)\.onnx$")
ACTION_NAMES = ("hold", "buy", "sell")
TOLERANCE = 1e-5
CHECK_ROWS = 256
# Scores that can never win the argmax, for actions the policy does not have.
NEVER = -3.0e38


class ExportError(Exception):
    """A problem with the inputs, worded for the user; printed as one line."""


def fail(message: str) -> None:
    raise ExportError(message)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="export_policy.py",
        description="Export a PyTorch or Stable-Baselines3 policy to ONNX for backtest-ledger (see the module docstring).",
    )
    parser.add_argument("model", help="TorchScript file, torch.save'd nn.Module or state dict, or Stable-Baselines3 .zip")
    parser.add_argument("--out", required=True, help="output file, named SYMBOL_TIMEFRAME.onnx")
    parser.add_argument("--window", type=int, help="observation: this many close returns, newest first")
    parser.add_argument("--scale", type=float, help="with --window: factor applied to each return (default 100)")
    parser.add_argument("--position", action="store_true", help="with --window: the position is the last column")
    parser.add_argument("--features", help="observation: backtest.features JSON, or a file holding it")
    parser.add_argument("--output", choices=("discrete", "target"), help="what the output means (default: from the network)")
    parser.add_argument("--allow-short", action="store_true", help="sell or a low target goes short instead of flat")
    parser.add_argument("--threshold", type=float, help="target output: the threshold (default 0.5)")
    parser.add_argument("--input-size", type=int, help="observation width, for an nn.Module or TorchScript model")
    parser.add_argument("--activation", choices=("tanh", "relu"), help="activation between Linear layers of a state dict")
    parser.add_argument("--actions", help="the policy's outputs in order, e.g. sell,hold,buy (default hold,buy,sell)")
    parser.add_argument("--arch", help="state dict: the Linear layers to chain, by name, in order (e.g. fc1,fc2,out)")
    parser.add_argument("--vecnormalize", help="Stable-Baselines3 VecNormalize pickle whose statistics to fold in")
    parser.add_argument("--opset", type=int, default=13, help="ONNX opset (default 13)")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# Loading the policy


def load_policy(path: Path, args: argparse.Namespace):
    """The network as an nn.Module plus a description: (module, input size or None, kind text, notes)."""
    import torch

    if not path.is_file():
        fail(f"{path}: no such file")
    # TorchScript and torch.save files are zip archives too; Stable-Baselines3's holds policy.pth.
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if "policy.pth" in archive.namelist():
                return load_sb3_zip(path, args)
    try:
        module = torch.jit.load(str(path), map_location="cpu")
        return module, args.input_size, "TorchScript module", []
    except Exception:  # noqa: BLE001 - not TorchScript: try a pickle next
        pass
    try:
        loaded = torch.load(str(path), map_location="cpu")
    except Exception as error:  # noqa: BLE001
        fail(f"{path}: not a TorchScript file, a torch.save file or a Stable-Baselines3 .zip ({first_line(error)})")
    if isinstance(loaded, torch.nn.Module):
        loaded.eval()
        return loaded, args.input_size, f"nn.Module ({type(loaded).__name__})", []
    if isinstance(loaded, dict):
        for key in ("state_dict", "model_state_dict", "policy"):
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
        if all(isinstance(v, torch.Tensor) for v in loaded.values()):
            return state_dict_policy(loaded, args, None, f"{path}")
    fail(f"{path}: holds a {type(loaded).__name__}, not an nn.Module or a state dict of tensors")
    return None


def load_sb3_zip(path: Path, args: argparse.Namespace):
    import torch

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        state = torch.load(io.BytesIO(archive.read("policy.pth")), map_location="cpu")
        data: Dict[str, Any] = {}
        if "data" in names:
            try:
                data = json.loads(archive.read("data").decode("utf-8"))
            except ValueError:
                data = {}
    activation = None
    kwargs = data.get("policy_kwargs")
    if isinstance(kwargs, dict):
        text = str(kwargs.get("activation_fn", ""))
        if "ReLU" in text:
            activation = "relu"
        elif "Tanh" in text:
            activation = "tanh"
    return state_dict_policy(state, args, activation, f"{path} (policy.pth)", sb3=True)


def numeric_key(name: str) -> Tuple:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def state_dict_policy(state: Dict[str, Any], args: argparse.Namespace, recorded_activation: Optional[str], where: str, sb3: bool = False):
    """Rebuilds an MLP from a state dict: SB3 key names when present, else every Linear layer in order."""
    import torch

    def layer(prefix: str):
        weight = state.get(f"{prefix}.weight")
        if weight is None or weight.dim() != 2:
            fail(f"{where}: no 2-D {prefix}.weight, so {prefix} is not a Linear layer")
        return prefix, weight, state.get(f"{prefix}.bias")

    def sequential(prefix: str) -> List[str]:
        found = {key[: -len(".weight")] for key in state if key.startswith(prefix) and key.endswith(".weight")}
        return sorted((p for p in found if state[p + ".weight"].dim() == 2), key=numeric_key)

    notes: List[str] = []
    if "action_net.weight" in state:
        prefixes = sequential("mlp_extractor.shared_net.") + sequential("mlp_extractor.policy_net.") + ["action_net"]
        algorithm = "actor-critic (PPO or A2C)"
        default_activation = "tanh"
        continuous = "log_std" in state
    elif any(key.startswith("q_net.q_net.") for key in state):
        prefixes = sequential("q_net.q_net.")
        algorithm = "DQN"
        default_activation = "relu"
        continuous = False
    else:
        if sb3:
            fail(f"{where}: no action_net or q_net.q_net layers; only PPO, A2C and DQN MLP policies can be rebuilt")
        if args.arch:
            prefixes = [name.strip() for name in args.arch.split(",") if name.strip()]
        else:
            prefixes = [key[: -len(".weight")] for key, value in state.items() if key.endswith(".weight") and value.dim() == 2]
        algorithm = None
        default_activation = None
        continuous = False
    if not prefixes:
        fail(f"{where}: no Linear layers (2-D .weight tensors) to rebuild")
    layers = [layer(prefix) for prefix in prefixes]
    activation = args.activation or recorded_activation or default_activation
    if activation is None and len(layers) > 1:
        fail(f"{where}: a state dict does not record its activation: pass --activation tanh or --activation relu")
    for (name_a, w_a, _), (name_b, w_b, _) in zip(layers, layers[1:]):
        if w_b.shape[1] != w_a.shape[0]:
            fail(
                f"{where}: {name_a} gives {w_a.shape[0]} values but {name_b} takes {w_b.shape[1]}; "
                "name the layers in order with --arch"
            )
    if algorithm is not None:
        source = "--activation" if args.activation else ("the zip's policy_kwargs" if recorded_activation else f"the {algorithm} default")
        notes.append(f"Stable-Baselines3 {algorithm}, activation {activation} ({source})")
        if continuous:
            notes.append("continuous action: the mean action is the target")
    else:
        notes.append(f"{len(layers)} Linear layers ({', '.join(prefixes)}), activation {activation}")

    class Mlp(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linears = torch.nn.ModuleList()
            for _, weight, bias in layers:
                linear = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
                with torch.no_grad():
                    linear.weight.copy_(weight.float())
                    if bias is not None:
                        linear.bias.copy_(bias.float())
                self.linears.append(linear)
            self.activation = torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU()

        def forward(self, obs):
            x = obs
            last = len(self.linears) - 1
            for index, linear in enumerate(self.linears):
                x = linear(x)
                if index < last:
                    x = self.activation(x)
            return x

    module = Mlp().eval()
    if continuous and args.output is None:
        args.output = "target"
    return module, layers[0][1].shape[1], "state dict" if algorithm is None else "Stable-Baselines3 model", notes


# ---------------------------------------------------------------------------------------------
# Observation, output and metadata


def observation(args: argparse.Namespace, network_width: Optional[int]):
    """(specs or None for a window contract, metadata entries, width)."""
    if args.features is not None:
        if args.window is not None or args.position or args.scale is not None:
            fail("--features replaces --window, --scale and --position: give the returns as a feature instead")
        text = args.features
        if not text.lstrip().startswith("["):
            try:
                text = Path(text).read_text(encoding="utf-8")
            except OSError as error:
                fail(f"--features: cannot read {args.features} ({error.strerror})")
        try:
            specs = bf.parse_features(text)
        except bf.FeatureError as error:
            fail(f"--features: {error}")
        return specs, {}, bf.observation_width(specs)
    window = args.window
    if window is None:
        if network_width is None:
            fail("give the observation: --window W, --features JSON, or --input-size F for a window of F returns")
        window = network_width - (1 if args.position else 0)
        if window < 1:
            fail(f"the policy takes {network_width} inputs, too few for a window of returns")
    if not 1 <= window <= bf.MAX_WINDOW:
        fail(f"--window must be a whole number from 1 to {bf.MAX_WINDOW}")
    scale = 100.0 if args.scale is None else args.scale
    if not (math.isfinite(scale) and scale > 0):
        fail("--scale must be a finite number above 0")
    metadata = {"backtest.window": str(window)}
    if args.scale is not None:
        metadata["backtest.scale"] = repr(scale)
    if args.position:
        metadata["backtest.position"] = "true"
    return None, metadata, window + (1 if args.position else 0)


def window_as_features(args: argparse.Namespace, metadata: Dict[str, str]) -> List[bf.FeatureSpec]:
    window = int(metadata["backtest.window"])
    scale = float(metadata.get("backtest.scale", "100"))
    specs = [bf.feature_spec({"feature": "return", "lags": window, "scale": scale})]
    if args.position:
        specs.append(bf.feature_spec({"feature": "position"}))
    return specs


class _Stub:
    """Stands in for any Stable-Baselines3 or Gym class in a VecNormalize pickle."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:
            state = {**(state[0] or {}), **(state[1] or {})}
        if isinstance(state, dict):
            self.__dict__.update(state)


class _StubUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] in ("stable_baselines3", "sb3_contrib", "gym", "gymnasium"):
            return _Stub
        return super().find_class(module, name)


def fold_vecnormalize(path: str, specs: List[bf.FeatureSpec]) -> Tuple[List[bf.FeatureSpec], str]:
    import numpy as np

    try:
        with open(path, "rb") as handle:
            vec = _StubUnpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        fail(f"--vecnormalize {path}: cannot read it as a VecNormalize pickle ({first_line(error)})")
    if getattr(vec, "norm_obs", True) is False:
        return specs, "VecNormalize does not normalise observations (norm_obs=False): nothing to fold"
    rms = getattr(vec, "obs_rms", None)
    mean = getattr(rms, "mean", None)
    var = getattr(rms, "var", None)
    if isinstance(rms, dict) or mean is None or var is None:
        fail(f"--vecnormalize {path}: no obs_rms with mean and var (dictionary observations are not supported)")
    mean = np.asarray(mean, dtype=np.float64).reshape(-1)
    var = np.asarray(var, dtype=np.float64).reshape(-1)
    epsilon = float(getattr(vec, "epsilon", 1e-8))
    clip = float(getattr(vec, "clip_obs", 10.0))
    width = bf.observation_width(specs)
    if mean.shape[0] != width:
        fail(f"--vecnormalize {path}: its statistics cover {mean.shape[0]} observation values but the observation has {width}")
    std = np.sqrt(var + epsilon)
    folded = []
    offset = 0
    for spec in specs:
        m = [float(v) for v in mean[offset : offset + spec.width]]
        s = [float(v) for v in std[offset : offset + spec.width]]
        norm = spec.norm
        if norm["kind"] == "none":
            new = {"kind": "zscore", "mean": m, "std": s, "clip": clip}
        elif norm["kind"] == "zscore" and norm["clip"] is None:
            new = {
                "kind": "zscore",
                "mean": [mu + sigma * a for mu, sigma, a in zip(norm["mean"], norm["std"], m)],
                "std": [sigma * b for sigma, b in zip(norm["std"], s)],
                "clip": clip,
            }
        else:
            fail(f"--vecnormalize: feature {spec.feature} is already clipped; VecNormalize cannot be folded into it")
        fields = spec.to_json()
        fields["norm"] = new
        folded.append(bf.feature_spec(fields))
        offset += spec.width
    return folded, f"VecNormalize folded in (clip_obs {clip}, epsilon {epsilon})"


def action_order(args: argparse.Namespace, width: int) -> Tuple[List[Optional[int]], str]:
    """For each of hold, buy, sell: the policy output that holds it, or None when it has none."""
    names = [a.strip().lower() for a in (args.actions or "hold,buy,sell").split(",")]
    if len(names) != width:
        fail(f"--actions names {len(names)} outputs but the policy has {width}: name each output in order, e.g. --actions sell,hold,buy")
    unknown = [n for n in names if n not in ACTION_NAMES]
    if unknown or len(set(names)) != len(names):
        fail(f"--actions must name hold, buy and sell at most once each, in the order of the policy's outputs (not {args.actions})")
    if "buy" not in names and "sell" not in names:
        fail("--actions must include buy or sell")
    return [names.index(a) if a in names else None for a in ACTION_NAMES], ",".join(names)


def build_reference(module, output: str, order: Optional[List[Optional[int]]]):
    """The policy in PyTorch with its outputs as the exported model gives them: (hold, buy, sell) or [target]."""
    import torch

    def reference(obs):
        out = module(obs)
        if isinstance(out, (tuple, list)):
            out = out[0]
        if out.dim() == 1:
            out = out.unsqueeze(1)
        if output == "discrete" and order is not None:
            columns = [
                torch.full((out.shape[0],), NEVER, dtype=out.dtype) if i is None else out[:, i] for i in order
            ]
            out = torch.stack(columns, dim=1)
        return out

    return reference


def finish_graph(model, output_name: str, output: str, order: Optional[List[Optional[int]]], rank_one: bool, width: int) -> None:
    """Turns the exported network's first output into the contract's output: one column per
    action in (hold, buy, sell) order (Gather, and Where for actions the policy lacks), or a
    [batch, 1] target (Unsqueeze of a 1-D output)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    current = graph.output[0].name
    while len(graph.output) > 1:
        graph.output.pop()
    nodes = []
    if rank_one:
        graph.initializer.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "contract_unsqueeze_axes"))
        nodes.append(helper.make_node("Unsqueeze", [current, "contract_unsqueeze_axes"], ["contract_2d"]))
        current = "contract_2d"
    if output == "discrete" and order is not None and order != [0, 1, 2]:
        index = np.array([0 if i is None else i for i in order], dtype=np.int64)
        graph.initializer.append(numpy_helper.from_array(index, "contract_action_index"))
        nodes.append(helper.make_node("Gather", [current, "contract_action_index"], ["contract_ordered"], axis=1))
        current = "contract_ordered"
        if any(i is None for i in order):
            missing = np.array([i is None for i in order], dtype=np.bool_)
            graph.initializer.append(numpy_helper.from_array(missing, "contract_missing_action"))
            graph.initializer.append(numpy_helper.from_array(np.array([NEVER], dtype=np.float32), "contract_never"))
            nodes.append(helper.make_node("Where", ["contract_missing_action", "contract_never", current], ["contract_padded"]))
            current = "contract_padded"
    nodes.append(helper.make_node("Identity", [current], [output_name]))
    graph.node.extend(nodes)
    graph.output.pop()
    graph.output.append(helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", width]))


def probe_width(module, width: int) -> Tuple[int, bool]:
    """The number of outputs of the policy, and whether it returns a 1-D tensor (one value per row)."""
    import torch

    with torch.no_grad():
        try:
            out = module(torch.zeros(2, width))
        except Exception as error:  # noqa: BLE001
            fail(f"the policy does not run on observations of {width} columns ({first_line(error)}); check --input-size or the features")
    if isinstance(out, (tuple, list)):
        out = out[0]
    if out.dim() == 1 and out.shape[0] == 2:
        return 1, True
    if out.dim() != 2 or out.shape[0] != 2:
        fail(f"the policy returns shape {list(out.shape)}; the contract needs [batch, outputs]")
    return int(out.shape[1]), False


# ---------------------------------------------------------------------------------------------
# The check through the project's runtime


def backtest_command() -> List[str]:
    configured = os.environ.get("BACKTEST_CLI", "").strip()
    if configured:
        return shlex.split(configured)
    node = os.environ.get("BACKTEST_NODE", "").strip() or "node"
    if (ROOT / "dist" / "cli" / "main.js").is_file():
        return [node, str(ROOT / "bin" / "backtest.js")]
    tsx = ROOT / "node_modules" / ".bin" / "tsx"
    if (ROOT / "src" / "cli" / "main.ts").is_file() and tsx.is_file():
        return [str(tsx), str(ROOT / "src" / "cli" / "main.ts")]
    installed = shutil.which("backtest")
    if installed:
        return [installed]
    fail(f"cannot find the backtest CLI to check the export: run `npm install` in {ROOT}, or set BACKTEST_CLI")
    return []


def check_export(onnx_path: Path, reference, width: int, state_columns: Sequence[int], workdir: Path) -> Tuple[float, Dict[str, Any]]:
    import torch

    generator = torch.Generator().manual_seed(20240101)
    obs = torch.randn(CHECK_ROWS, width, generator=generator) * 2
    for column in state_columns:
        obs[:, column] = torch.randint(-1, 2, (CHECK_ROWS,), generator=generator).float()
    with torch.no_grad():
        expected = reference(obs).double()
    rows = [[float(v) for v in row] for row in obs.tolist()]
    observations = workdir / "check-observations.json"
    observations.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    command = backtest_command() + ["model", "evaluate", str(onnx_path), "--observations", str(observations)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError as error:
        fail(f"cannot run the backtest CLI to check the export ({error}); set BACKTEST_NODE or BACKTEST_CLI")
    if run.returncode != 0:
        message = (run.stderr.strip().splitlines() or ["no message"])[-1]
        fail(f"the backtest CLI rejected the export: {message}")
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    worst = 0.0
    for r, (ours, theirs) in enumerate(zip(expected.tolist(), answer["outputs"])):
        for a, b in zip(ours, theirs):
            if b is None or math.isnan(a):
                if not (b is None and math.isnan(a)):
                    fail(f"row {r}: PyTorch gives {a}, ONNX Runtime {b}")
                continue
            difference = abs(a - b) / max(1.0, abs(a))
            worst = max(worst, difference)
    if worst > TOLERANCE:
        fail(f"the ONNX model differs from PyTorch by up to {worst:.3g} (more than {TOLERANCE}); the export is not faithful")
    return worst, answer


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def export(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    match = MODEL_NAME.match(out.name)
    if match is None:
        fail(f"--out {args.out}: name it SYMBOL_TIMEFRAME.onnx (e.g. GOOG_1Day.onnx), so the backtest knows its symbol and timeframe")
    try:
        import onnx
        import torch
    except ImportError as error:
        fail(f"the exporter needs PyTorch and the onnx package ({error}); e.g. apt-get install python3-torch python3-onnx")

    model_path = Path(args.model)
    module, network_width, kind, notes = load_policy(model_path, args)
    specs, metadata, width = observation(args, args.input_size or network_width)
    if network_width is not None and network_width != width:
        fail(f"the observation is {width} columns wide but the policy takes {network_width} inputs")
    outputs, rank_one = probe_width(module, width)
    output = args.output or ("target" if outputs == 1 else "discrete")
    order = None
    if output == "target":
        if outputs != 1:
            fail(f"--output target needs a policy with one output; this one has {outputs}")
        if args.actions:
            fail("--actions applies to discrete output")
        actions_text = "target"
    else:
        order, actions_text = action_order(args, outputs)

    if args.vecnormalize:
        specs, note = fold_vecnormalize(args.vecnormalize, specs if specs is not None else window_as_features(args, metadata))
        notes.append(note)
        metadata = {}
    if specs is not None:
        metadata["backtest.features"] = bf.features_json(specs)
    metadata["backtest.output"] = output
    if args.allow_short:
        metadata["backtest.allow_short"] = "true"
    if args.threshold is not None:
        if output != "target":
            fail("--threshold applies to target output")
        metadata["backtest.threshold"] = repr(args.threshold)

    reference = build_reference(module, output, order)
    output_name = "scores" if output == "discrete" else "target"
    state_columns: List[int] = []
    column = 0
    for spec in specs if specs is not None else window_as_features(args, metadata):  # noqa: B020
        if spec.feature == "position" and spec.norm["kind"] == "none":
            state_columns.append(column)
        column += spec.width

    with tempfile.TemporaryDirectory(prefix="export-policy-") as temp:
        workdir = Path(temp)
        staged = workdir / out.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # The network itself is exported; finish_graph then adds the contract's output layout in ONNX,
            # because a TorchScript module cannot be traced inside a Python wrapper.
            torch.onnx.export(
                module,
                torch.zeros(1, width),
                str(staged),
                input_names=["obs"],
                output_names=["policy_output"],
                dynamic_axes={"obs": {0: "batch"}, "policy_output": {0: "batch"}},
                opset_version=args.opset,
                do_constant_folding=True,
            )
        model = onnx.load(str(staged))
        finish_graph(model, output_name, output, order, rank_one, 3 if output == "discrete" else 1)
        extra = {
            "symbol": match.group(1),
            "timeframe": match.group(2),
            "exporter": "backtest-ledger scripts/export_policy.py",
            "source_model": model_path.name,
            "source_kind": kind,
        }
        if output == "discrete":
            extra["actions"] = actions_text
        del model.metadata_props[:]
        for key, value in {**metadata, **extra}.items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        model.producer_name = "backtest-ledger export_policy.py"
        onnx.checker.check_model(model)
        onnx.save(model, str(staged))

        worst, answer = check_export(staged, reference, width, state_columns, workdir)
        if answer.get("symbol") is None or answer.get("timeframe") is None:
            fail(f"--out {args.out}: {match.group(2)} is not a timeframe the backtest knows (e.g. 1Min, 15Min, 1Hour, 1Day)")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(out))

    observed = (
        f"{width} columns: " + ", ".join(spec.feature + (f"×{spec.lags}" if spec.lags > 1 else "") for spec in specs)
        if specs is not None
        else f"{width} columns: {metadata['backtest.window']} close returns" + (" + position" if args.position else "")
    )
    print(f"Exported {args.model} ({kind}) to {out} for {answer['symbol']} {answer['timeframe']}")
    for note in notes:
        print(f"  {note}")
    print(f"  observation {observed}")
    print(f"  output {output}" + (f": policy outputs read as {actions_text}" if output == "discrete" else "") + (", short allowed" if args.allow_short else ""))
    print(f"  checked through the backtest's ONNX runtime on {CHECK_ROWS} random observations: max difference {worst:.2g} (limit {TOLERANCE})")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return export(argv)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
