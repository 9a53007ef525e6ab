"""Makes the reference fixtures under Fixtures/ with real PyTorch (run on a machine that has it).

    python make_fixtures.py <out-dir>

Writes:
  pytorch/tiny_zip.pth, pytorch/tiny_legacy.pth  - one small state dict saved by torch.save in the zip
                                                   and the legacy (pre-1.6) formats
  pytorch/tiny_expected.json                     - every tensor of that state dict: dtype, shape, values
  inceptionv1/reference_activations.json         - InceptionV1 (inception5h) activations, float64, under
                                                   deterministic weights and input (formulas below)
Written for Lucent.Net from the architecture description in docs/inceptionv1.md; no code of Lucent's.
"""
import collections, json, math, os, sys
import torch
import torch.nn.functional as F

out = sys.argv[1]
os.makedirs(os.path.join(out, "pytorch"), exist_ok=True)
os.makedirs(os.path.join(out, "inceptionv1"), exist_ok=True)

# ---- tiny checkpoints -------------------------------------------------------------------------
torch.manual_seed(0)
sd = collections.OrderedDict()
sd["conv.weight"] = torch.randn(4, 3, 3, 3)
sd["conv.bias"] = torch.randn(4)
sd["half"] = torch.randn(2, 3).half()
sd["bf16"] = torch.randn(5).bfloat16()
sd["f64"] = torch.randn(3, 2).double()
base = torch.arange(12, dtype=torch.float32)
sd["view_a"] = base[2:8].view(2, 3)
sd["view_t"] = base.view(3, 4).t()
sd["i64"] = torch.arange(5)
torch.save(sd, os.path.join(out, "pytorch", "tiny_zip.pth"))
torch.save(sd, os.path.join(out, "pytorch", "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
expected = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                "values": [float(x) for x in v.double().flatten().tolist()]} for k, v in sd.items()}
expected["_torch_version"] = torch.__version__
with open(os.path.join(out, "pytorch", "tiny_expected.json"), "w") as f:
    json.dump(expected, f, indent=1)

# ---- InceptionV1 reference activations ---------------------------------------------------------
BLOCKS = [  # name, in, 1x1, 3x3 bottleneck, 3x3, 5x5 bottleneck, 5x5, pool reduce
    ("mixed3a", 192, 64, 96, 128, 16, 32, 32), ("mixed3b", 256, 128, 128, 192, 32, 96, 64),
    ("mixed4a", 480, 192, 96, 204, 16, 48, 64), ("mixed4b", 508, 160, 112, 224, 24, 64, 64),
    ("mixed4c", 512, 128, 128, 256, 24, 64, 64), ("mixed4d", 512, 112, 144, 288, 32, 64, 64),
    ("mixed4e", 528, 256, 160, 320, 32, 128, 128), ("mixed5a", 832, 256, 160, 320, 48, 128, 128),
    ("mixed5b", 832, 384, 192, 384, 48, 128, 128)]
convs = [("conv2d0", 3, 64, 7), ("conv2d1", 64, 64, 1), ("conv2d2", 64, 192, 3)]
for b, cin, c1, c3b, c3, c5b, c5, cp in BLOCKS:
    convs += [(b + "_1x1", cin, c1, 1), (b + "_3x3_bottleneck", cin, c3b, 1), (b + "_5x5_bottleneck", cin, c5b, 1),
              (b + "_pool_reduce", cin, cp, 1), (b + "_3x3", c3b, c3, 3), (b + "_5x5", c5b, c5, 5)]
shapes = []
for name, cin, cout, k in convs:
    shapes += [(name + "_pre_relu_conv.weight", (cout, cin, k, k)), (name + "_pre_relu_conv.bias", (cout,))]
shapes += [("softmax2_pre_activation_matmul.weight", (1008, 1024)), ("softmax2_pre_activation_matmul.bias", (1008,))]
assert len(shapes) == 116

W = {}
for t, (key, shape) in enumerate(shapes):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    if key.endswith(".weight"):
        fan_in = n // shape[0]
        v = math.sqrt(2.0 / fan_in) * torch.sin(0.7 * i + 0.3 * t + 0.1)
    else:
        v = 0.01 * torch.cos(0.5 * i + t)
    W[key] = v.float().double().reshape(shape)  # float32 values, computed in float64

acts = collections.OrderedDict()
def conv(x, name, pad, stride=1):
    if pad:
        x = F.pad(x, pad)
    y = F.conv2d(x, W[name + "_pre_relu_conv.weight"], W[name + "_pre_relu_conv.bias"], stride=stride)
    acts[name + "_pre_relu_conv"] = y
    r = F.relu(y)
    acts[name] = r
    return r
def maxpool(x, name, stride, pad):
    y = F.max_pool2d(F.pad(x, pad, value=float("-inf")), 3, stride)
    acts[name] = y
    return y
def lrn(x):
    return F.local_response_norm(x, size=9, alpha=9.99999974738e-05, beta=0.5, k=1)

c = torch.arange(3, dtype=torch.float64).view(3, 1, 1)
h = torch.arange(224, dtype=torch.float64).view(1, 224, 1)
w = torch.arange(224, dtype=torch.float64).view(1, 1, 224)
img = 0.5 + 0.5 * torch.sin(0.05 * (c + 1) * w + 0.07 * h + 0.3 * c)
x = (img * 255 - 117).float().double().unsqueeze(0)

x = conv(x, "conv2d0", (2, 3, 2, 3), stride=2)  # the stem is 7x7 stride 2: 224 -> 112
x = maxpool(x, "maxpool0", 2, (0, 1, 0, 1))
x = lrn(x)
x = conv(x, "conv2d1", None)
x = conv(x, "conv2d2", (1, 1, 1, 1))
x = lrn(x)
x = maxpool(x, "maxpool1", 2, (0, 1, 0, 1))
for b, *_ in BLOCKS:
    if b == "mixed4a":
        x = maxpool(x, "maxpool4", 2, (0, 1, 0, 1))
    if b == "mixed5a":
        x = maxpool(x, "maxpool10", 2, (0, 1, 0, 1))
    p = maxpool(x, b + "_pool", 1, (1, 1, 1, 1))
    a1 = conv(x, b + "_1x1", None)
    a3 = conv(conv(x, b + "_3x3_bottleneck", None), b + "_3x3", (1, 1, 1, 1))
    a5 = conv(conv(x, b + "_5x5_bottleneck", None), b + "_5x5", (2, 2, 2, 2))
    ap = conv(p, b + "_pool_reduce", None)
    x = torch.cat([a1, a3, a5, ap], 1)
    acts[b] = x
x = F.avg_pool2d(x, 7, 1, count_include_pad=False).reshape(-1, 1024)
x = F.linear(x, W["softmax2_pre_activation_matmul.weight"], W["softmax2_pre_activation_matmul.bias"])
acts["softmax2_pre_activation_matmul"] = x
x = F.softmax(x, 1)
acts["softmax2"] = x
acts["labels"] = x

layers = {}
for name, a in acts.items():
    flat = a.flatten()
    n = flat.numel()
    idx = [(k * (n - 1)) // 7 for k in range(8)]
    layers[name] = {"shape": list(a.shape), "mean": flat.mean().item(), "std": flat.std(unbiased=False).item(),
                    "indices": idx, "values": [flat[j].item() for j in idx]}
with open(os.path.join(out, "inceptionv1", "reference_activations.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "dtype": "float64", "relu": "plain (same forward as redirected)",
               "layers": layers}, f, indent=1)
print("ok", len(layers), "layers")
