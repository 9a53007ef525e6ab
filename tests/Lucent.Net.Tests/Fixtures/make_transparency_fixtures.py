"""Makes the reference values for the transparency tests (tests/Lucent.Net.Tests/Transparency) with real PyTorch.

    /usr/bin/python3 make_transparency_fixtures.py transparency/lucid_transparency.json

Lucid's formulas, written here for Lucent.Net from Lucid's documented behaviour (lucid/optvis/objectives.py
_tf_blur, blur_alpha_each_step, penalize_boundary_complexity; lucid/optvis/param/images.py image(alpha=True);
lucid/optvis/param/color.py to_valid_rgb), in Lucid's own NHWC layout and sign (Lucid maximises): no code of Lucid's.
The inputs are formulas that the C# tests evaluate too:
  x[n, c, y, x] = 0.5 + 0.45 * sin(0.9 n + 1.7 c + 0.37 y^2 + 0.53 x + 0.11 x y)      (N, C, H, W) = (2, 4, 7, 9)
  raw[n, c, y, x] = 1.5 * sin(0.8 n + 1.1 c + 0.6 y + 0.35 x + 0.2 x y)               (N, C, H, W) = (1, 4, 3, 5)
"""
import json, math, sys
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def image(n, c, h, w, f):
    return torch.tensor([[[[f(a, b, y, x) for x in range(w)] for y in range(h)] for b in range(c)] for a in range(n)])


def blur_nhwc(t, w=3):
    """Lucid's _tf_blur: per-channel w x w filter (0.5 on the ring, 1 inside), SAME zero padding, / blur of ones."""
    depth = t.shape[-1]
    k = np.zeros([w, w, depth, depth])
    for ch in range(depth):
        k[:, :, ch, ch] = 0.5
        k[1:-1, 1:-1, ch, ch] = 1.0
    weight = torch.tensor(k).permute(3, 2, 0, 1)  # HWIO -> OIHW
    conv = lambda u: F.conv2d(u.permute(0, 3, 1, 2), weight, padding=w // 2).permute(0, 2, 3, 1)
    return conv(t) / conv(torch.ones_like(t))


def blur_alpha_each_step(t):
    a = t[..., 3:4]
    return 0.5 * ((a - blur_nhwc(a).detach()) ** 2).sum()


def penalize_boundary_complexity(t, w=20, C=0.5):
    mask = np.ones(t.shape)
    mask[:, w:-w, w:-w] = 0
    blur = blur_nhwc(t, w=5)
    diffs = (blur - t) ** 2 + 0.8 * (t - C) ** 2
    return -(diffs * torch.tensor(mask)).sum()


def nchw(t):
    return t.permute(0, 3, 1, 2).flatten().tolist()


x_nchw = image(2, 4, 7, 9, lambda n, c, y, x: 0.5 + 0.45 * math.sin(0.9 * n + 1.7 * c + 0.37 * y * y + 0.53 * x + 0.11 * x * y))
out = {"_torch_version": torch.__version__, "input_shape": [2, 4, 7, 9]}

x = x_nchw.permute(0, 2, 3, 1).clone().requires_grad_(True)
v = blur_alpha_each_step(x)
v.backward()
out["blur_alpha_each_step"] = {"lucid_value": v.item(), "lucid_gradient": nchw(x.grad)}

out["penalize_boundary_complexity"] = []
for w, C in [(2, 0.5), (1, 0.3), (4, 0.5)]:
    x = x_nchw.permute(0, 2, 3, 1).clone().requires_grad_(True)
    v = penalize_boundary_complexity(x, w=w, C=C)
    v.backward()
    out["penalize_boundary_complexity"].append({"w": w, "C": C, "lucid_value": v.item(), "lucid_gradient": nchw(x.grad)})

# image(..., alpha=True) on a pixel parameterisation: RGB decorrelated then sigmoid, alpha sigmoid.
svd_sqrt = np.asarray([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]]).astype("float32")
normalized = torch.tensor(svd_sqrt / np.max(np.linalg.norm(svd_sqrt, axis=0)), dtype=torch.float64)
raw = image(1, 4, 3, 5, lambda n, c, y, x: 1.5 * math.sin(0.8 * n + 1.1 * c + 0.6 * y + 0.35 * x + 0.2 * x * y)).permute(0, 2, 3, 1)
rgb = torch.sigmoid(torch.matmul(raw[..., :3].reshape(-1, 3), normalized.T).reshape(raw[..., :3].shape))
alpha = torch.sigmoid(raw[..., 3:])
out["rgba_image"] = {"raw_shape": [1, 4, 3, 5], "image": nchw(torch.cat([rgb, alpha], -1))}

with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1)
