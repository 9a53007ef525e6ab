"""Makes the ONNX parity fixtures of Lucent.Net.ModelZoo.Tests (Fixtures/onnx).

Run with Debian's PyTorch 1.13 (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 make_onnx_fixtures.py <output folder>

For each architecture family that needs operators beyond plain ConvNets, a small-width variant of
torchvision 0.14's own class is built with seeded random weights (batch-norm statistics and
layer-norm affines randomised too, so no normalisation is an identity), exported with
torch.onnx.export at opset 13 and 17, and run by PyTorch on a seeded input. <name>_op<opset>.onnx
is the model and <name>.json holds the input and PyTorch's output (same for both opsets).
Small operator models (ops_*.onnx) cover operators the architectures do not reach (Resize modes,
Einsum, Split, Tile, InstanceNorm, PRelu, ...), at opsets 11, 13 and 17.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models import mobilenetv3, convnext, swin_transformer

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                if m.affine:
                    m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                    m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            elif isinstance(m, nn.Linear) and not m.weight.any():
                # torchvision zeroes ViT's head: a zero head would make the output (and the parity test) trivial.
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.2)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        # Swin's relative position bias tables start at zero and ViT's class token/positions are tiny.
        for name, p in model.named_parameters():
            if "relative_position_bias_table" in name or "class_token" in name or "pos_embedding" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    return model.eval()


def mnasnet():
    m = torchvision.models.MNASNet(alpha=0.1, num_classes=10)
    # The 1280-channel head is fixed in torchvision; narrow it (same operators) to keep the file small.
    m.layers[14] = nn.Conv2d(m.layers[14].in_channels, 64, 1, bias=False)
    m.layers[15] = nn.BatchNorm2d(64)
    m.classifier[1] = nn.Linear(64, 10)
    return m, 64


def mobilenet_v3(arch):
    setting, last = mobilenetv3._mobilenet_v3_conf(arch, width_mult=0.1)
    return mobilenetv3.MobileNetV3(setting, 64, num_classes=10), 64


def shufflenet():
    return torchvision.models.ShuffleNetV2([1, 1, 1], [8, 16, 32, 64, 64], num_classes=10), 64


def convnext_small():
    cfg = [convnext.CNBlockConfig(16, 32, 1), convnext.CNBlockConfig(32, 64, 1), convnext.CNBlockConfig(64, None, 1)]
    return convnext.ConvNeXt(cfg, stochastic_depth_prob=0.0, num_classes=10), 64


def vit():
    return torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10), 32


def swin():
    return swin_transformer.SwinTransformer(
        patch_size=[4, 4], embed_dim=8, depths=[2, 2, 2], num_heads=[1, 2, 2], window_size=[4, 4],
        stochastic_depth_prob=0.0, num_classes=10), 48


ARCHITECTURES = {
    "mnasnet": mnasnet,
    "mobilenet_v3_small": lambda: mobilenet_v3("mobilenet_v3_small"),
    "mobilenet_v3_large": lambda: mobilenet_v3("mobilenet_v3_large"),
    "shufflenet_v2": shufflenet,
    "convnext": convnext_small,
    "vit": vit,
    "swin": swin,
}


class Ops(nn.Module):
    """One small model per operator group; forward(x) with x of shape (2, 4, 6, 8)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        g = torch.Generator().manual_seed(7)
        self.w = nn.Parameter(torch.randn(4, generator=g))
        self.inorm = nn.InstanceNorm2d(4, affine=True)
        self.lnorm = nn.LayerNorm(8)
        with torch.no_grad():
            self.inorm.weight.copy_(torch.rand(4, generator=g) + 0.5)
            self.inorm.bias.copy_(torch.randn(4, generator=g))

    def forward(self, x):
        k = self.kind
        if k == "resize":
            a = F.interpolate(x, scale_factor=2.0, mode="nearest")
            b = F.interpolate(x, size=(9, 11), mode="bilinear", align_corners=False)
            c = F.interpolate(x, size=(9, 11), mode="bilinear", align_corners=True)
            d = F.interpolate(x, size=(12, 16), mode="bicubic", align_corners=False)
            return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1)], 1)
        if k == "activations":
            return torch.cat([F.elu(x, 0.7), F.softplus(x), F.prelu(x, self.w), F.hardswish(x), F.hardsigmoid(x),
                              F.gelu(x), F.gelu(x, approximate="tanh"), F.selu(x), torch.erf(x)], 1)
        if k == "math":
            y = x.abs() + 0.5
            return torch.cat([-x, x.exp(), y.log(), y.sqrt(), y.reciprocal(), torch.minimum(x, x.flip(3)),
                              torch.maximum(x, 0.3 * x), torch.pow(y, 1.7), torch.fmod(x * 3, 1.5),
                              torch.remainder(x * 3, 1.5)], 1)
        if k == "reduce":
            return torch.cat([x.mean((1, 3)).flatten(1), x.sum(-1).flatten(1), x.amax(2).flatten(1),
                              x.amin(1).flatten(1), x.sum((1, 2, 3), keepdim=True).flatten(1)], 1)
        if k == "shape":
            a, b, c = torch.split(x, [1, 2, 1], dim=1)
            t = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, 4)
            s = x[:, :, 1:5:2, ::3]
            u = x[:, -2:, -3:, 2:]
            e = x[:, :1].expand(-1, 3, -1, -1)
            r = x.repeat(1, 2, 1, 1)
            q = x.unsqueeze(2).squeeze(2)
            idx = torch.tensor([3, -1, 0])
            gth = x[:, :, idx]
            return torch.cat([(a + c * b[:, :1]).flatten(1), t.flatten(1), s.flatten(1), u.flatten(1), e.flatten(1),
                              r.flatten(1), q.flatten(1), gth.flatten(1)], 1)
        if k == "einsum":
            y = x.flatten(2)
            return torch.cat([torch.einsum("bci,bdi->bcd", y, y).flatten(1), torch.einsum("bchw->bhw", x).flatten(1)], 1)
        if k == "norm":
            return torch.cat([self.inorm(x).flatten(1), F.max_pool2d(x, (6, 8)).flatten(1),
                              self.lnorm(x).flatten(1)], 1)
        if k == "where":
            m = x > 0.2
            n = torch.arange(x.shape[3]).float() < 4
            return torch.cat([torch.where(m, x, -x).flatten(1), torch.where(n, x, 0.0).flatten(1),
                              torch.masked_fill(x, ~m, -1.0).flatten(1), (x == x.round()).float().flatten(1)], 1)
        raise ValueError(k)


OPS = ["resize", "activations", "math", "reduce", "shape", "einsum", "norm", "where"]


def formula_input(shape, offset):
    """A deterministic input both sides compute exactly: ((i * 7919 + offset) % 1000) / 500 - 1 in double, then float32."""
    n = 1
    for d in shape:
        n *= d
    v = [((i * 7919 + offset) % 1000) / 500.0 - 1.0 for i in range(n)]
    return torch.tensor(v, dtype=torch.float64).to(torch.float32).reshape(shape)


def values(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def export(model, x, path, opset, dynamic=False):
    kwargs = {}
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      do_constant_folding=True, **kwargs)


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[2:])
    for i, (name, build) in enumerate(ARCHITECTURES.items()):
        if only and name not in only:
            continue
        torch.manual_seed(1000 + i)
        model, size = build()
        randomise(model, 2000 + i)
        x = formula_input([1, 3, size, size], 3000 + i)
        with torch.no_grad():
            y = model(x)
        for opset in (13, 17):
            export(model, x, os.path.join(OUT, f"{name}_op{opset}.onnx"), opset)
        record = {"input_shape": list(x.shape), "input_offset": 3000 + i, "output_shape": list(y.shape), "output": values(y)}
        if name == "vit":
            # The batch-dynamic export (opset 17) is checked with a batch of 2.
            export(model, x, os.path.join(OUT, f"{name}_dynbatch_op17.onnx"), 17, dynamic=True)
            x2 = formula_input([2, 3, size, size], 4000 + i)
            with torch.no_grad():
                y2 = model(x2)
            record["batch_input_shape"] = list(x2.shape)
            record["batch_input_offset"] = 4000 + i
            record["batch_output_shape"] = list(y2.shape)
            record["batch_output"] = values(y2)
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(record, f)
        print(name, "params", sum(p.numel() for p in model.parameters()))

    for j, kind in enumerate(OPS):
        if only and f"ops_{kind}" not in only:
            continue
        model = Ops(kind).eval()
        x = formula_input([2, 4, 6, 8], 5000 + j)
        with torch.no_grad():
            y = model(x)
        for opset in ((12, 13, 17) if kind == "einsum" else (11, 13, 17)):
            export(model, x, os.path.join(OUT, f"ops_{kind}_op{opset}.onnx"), opset)
        with open(os.path.join(OUT, f"ops_{kind}.json"), "w") as f:
            json.dump({"input_shape": list(x.shape), "input_offset": 5000 + j, "output_shape": list(y.shape),
                       "output": values(y)}, f)
        print("ops", kind)


if __name__ == "__main__":
    main()
