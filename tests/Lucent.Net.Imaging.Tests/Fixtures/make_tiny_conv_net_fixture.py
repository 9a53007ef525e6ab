"""Makes the reference weights and outputs of Lucent.Net.Testing.TinyConvNet with real PyTorch.

    /usr/bin/python3 make_tiny_conv_net_fixture.py tiny_conv_net.json

TinyConvNet(seed, width, classes) is documented as: conv1 3x3 3->w pad 1, ReLU, conv2 3x3 w->2w stride 2 pad 1, ReLU,
conv3 3x3 2w->2w stride 2 pad 1, ReLU, adaptive average pool to 1x1, linear 2w->classes; weights drawn from
torch.Generator().manual_seed(seed) with torch.rand, uniform in +-1/sqrt(fan_in) (rand * 2 bound - bound, in float32),
in the order conv1, conv2, conv3, fc, each weight before its bias. This script builds that net from the description
(no code of Lucent.Net's) and records each parameter's SHA-256 over its float32 little-endian bytes (the C# test
requires bit-identical weights) and the logits on an input given by a formula the C# test evaluates too:
  x[n, c, y, x] = 0.5 + 0.45 * sin(0.9 n + 1.7 c + 0.37 y + 0.53 x + 0.11 x y)      (N, C, H, W) = (2, 3, 9, 13)
"""
import hashlib, json, math, sys
import torch
import torch.nn.functional as F


def draw(generator, shape, fan_in):
    bound = 1.0 / math.sqrt(max(fan_in, 1))
    return torch.rand(shape, generator=generator, dtype=torch.float32).mul_(2 * bound).sub_(bound)


def build(seed, width, classes):
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, w_shape in [("conv1", [width, 3, 3, 3]), ("conv2", [2 * width, width, 3, 3]),
                          ("conv3", [2 * width, 2 * width, 3, 3]), ("fc", [classes, 2 * width])]:
        fan_in = math.prod(w_shape[1:])
        params[name + ".weight"] = draw(g, w_shape, fan_in)
        params[name + ".bias"] = draw(g, [w_shape[0]], fan_in)
    return params


def forward(p, x):
    x = F.relu(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1))
    x = F.relu(F.conv2d(x, p["conv2.weight"], p["conv2.bias"], stride=2, padding=1))
    x = F.relu(F.conv2d(x, p["conv3.weight"], p["conv3.bias"], stride=2, padding=1))
    x = F.adaptive_avg_pool2d(x, 1).flatten(1)
    return F.linear(x, p["fc.weight"], p["fc.bias"])


def main(out):
    n, c, h, w = 2, 3, 9, 13
    x = torch.tensor([[[[0.5 + 0.45 * math.sin(0.9 * a + 1.7 * b + 0.37 * yy + 0.53 * xx + 0.11 * xx * yy)
                         for xx in range(w)] for yy in range(h)] for b in range(c)] for a in range(n)], dtype=torch.float32)
    cases = []
    for seed, width, classes in [(0, 8, 10), (5, 3, 4)]:
        p = build(seed, width, classes)
        with torch.no_grad():
            logits = forward(p, x)
        cases.append({
            "seed": seed, "width": width, "classes": classes,
            "parameters": [{"name": k, "shape": list(v.shape),
                            "sha256": hashlib.sha256(v.contiguous().numpy().astype("<f4").tobytes()).hexdigest(),
                            "first": [float(t) for t in v.flatten()[:4]]} for k, v in p.items()],
            "input_shape": [n, c, h, w],
            "logits": logits.flatten().tolist(),
        })
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
