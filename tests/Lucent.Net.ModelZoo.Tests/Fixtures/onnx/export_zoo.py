"""Exports the smallest member of every torchvision 0.14 classification family at full size, for the
ONNX zoo check (tests category OnnxZoo, docs/onnx-and-resnet18.md).

    /usr/bin/python3 export_zoo.py <output folder> [opset ...] [--only name[:opset...],name...]

--only restricts the export to the named models; "swin_t:13:17" also restricts that model's opsets (the
test category OnnxZoo exports its CI subset this way into a temporary folder). Each model gets seeded random weights (batch-norm statistics randomised as in make_onnx_fixtures.py),
is exported with torch.onnx.export at each opset (default 13 and 17) as <name>_op<opset>.onnx, and
PyTorch's output on the formula input (see make_onnx_fixtures.py) is written to <name>.json. The files
are large (up to ~0.5 GB for vgg11) and are not committed.
"""
import json
import os
import sys
import time

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_onnx_fixtures import formula_input, randomise, values  # noqa: E402

ZOO = [
    "alexnet", "vgg11", "squeezenet1_0", "googlenet", "inception_v3", "resnet18", "resnext50_32x4d",
    "wide_resnet50_2", "densenet121", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    "shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0", "efficientnet_v2_s", "regnet_x_400mf",
    "regnet_y_400mf", "convnext_tiny", "vit_b_16", "swin_t", "resnet50",
]


def main():
    args = sys.argv[1:]
    out = args[0]
    only = None
    only_opsets = {}
    opsets = []
    rest = args[1:]
    while rest:
        a = rest.pop(0)
        if a == "--only":
            only = set()
            for entry in rest.pop(0).split(","):
                name, *entry_opsets = entry.split(":")
                only.add(name)
                if entry_opsets:
                    only_opsets[name] = [int(o) for o in entry_opsets]
        else:
            opsets.append(int(a))
    opsets = opsets or [13, 17]
    if only and only - set(ZOO):
        sys.exit(f"unknown model(s) {sorted(only - set(ZOO))}; known: {', '.join(ZOO)}")
    os.makedirs(out, exist_ok=True)
    for i, name in enumerate(ZOO):
        if only and name not in only:
            continue
        model_opsets = only_opsets.get(name, opsets)
        torch.manual_seed(7000 + i)
        kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
        model = randomise(torchvision.models.get_model(name, weights=None, **kwargs), 8000 + i)
        size = 299 if name == "inception_v3" else 224
        x = formula_input([1, 3, size, size], 9000 + i)
        with torch.no_grad():
            y = model(x)
        for opset in model_opsets:
            start = time.time()
            torch.onnx.export(model, x, os.path.join(out, f"{name}_op{opset}.onnx"), opset_version=opset,
                              input_names=["input"], output_names=["output"], do_constant_folding=True)
            print(f"{name} opset {opset}: exported in {time.time() - start:.1f} s", flush=True)
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump({"input_shape": list(x.shape), "input_offset": 9000 + i, "output_shape": list(y.shape),
                       "output": values(y)}, f)


if __name__ == "__main__":
    main()
