"""Makes the upconvGAN fixtures under Fixtures/gan/ with real PyTorch.

    /usr/bin/python3 make_gan_fixtures.py <out-dir>

Writes:
  gan/structure.json      - state-dict names and shapes, and module names, of the four full-size generators
                            (fc6, fc7, fc8, pool5), built on the meta device (no weights)
  gan/pool5_tiny.pt       - a narrow pool5 generator's state dict (same layers and names, small widths),
                            saved by torch.save (zip format)
  gan/fc8_tiny.pt         - the same for a narrow fc8 generator
  gan/tiny_reference.json - for each narrow generator: its widths, a batch of 2 codes, and the raw output
                            (RGB order) and the visualised image (mean added, clamped, /255): shape, mean,
                            population std and values sampled at fixed flat indices
Written for Lucent.Net from the architecture description in docs/parameterizations-and-transforms.md
(Dosovitskiy & Brox's upconvolutional generators as Lucent ports them); no code of Lucent's.
"""
import collections, json, os, sys
import torch
import torch.nn as nn

out = os.path.join(sys.argv[1], "gan")
os.makedirs(out, exist_ok=True)

FULL = {  # code, hidden, c512, c256, c128, c64, c32
    "fc6": (4096, 4096, 512, 256, 128, 64, 32), "fc7": (4096, 4096, 512, 256, 128, 64, 32),
    "fc8": (1000, 4096, 512, 256, 128, 64, 32), "pool5": (256, 4096, 512, 256, 128, 64, 32)}
TINY = {"pool5": (4, 64, 8, 4, 2, 2, 1), "fc8": (10, 32, 4, 2, 2, 1, 1)}


class Reshape(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return x.view(-1, self.c, 4, 4)


def build(variant, w, device=None):
    code, hidden, c512, c256, c128, c64, c32 = w
    act = lambda: nn.LeakyReLU(0.3)
    up = lambda i, o: nn.ConvTranspose2d(i, o, 4, 2, 1, device=device)
    same = lambda i, o: nn.ConvTranspose2d(i, o, 3, 1, 1, device=device)
    if variant == "pool5":
        layers = [("Rconv6", nn.Conv2d(code, c512, 3, 1, 1, device=device)), ("Rrelu6", act()),
                  ("Rconv7", nn.Conv2d(c512, c512, 3, 1, 1, device=device)), ("Rrelu7", act()),
                  ("Rconv8", nn.Conv2d(c512, c512, 3, 1, 0, device=device)), ("Rrelu8", act()),
                  ("deconv5", up(c512, c256))]
    else:
        layers = [("defc7", nn.Linear(code, hidden, device=device)), ("relu_defc7", act()),
                  ("defc6", nn.Linear(hidden, hidden, device=device)), ("relu_defc6", act()),
                  ("defc5", nn.Linear(hidden, hidden, device=device)), ("relu_defc5", act()),
                  ("reshape", Reshape(c256)), ("deconv5", up(c256, c256))]
    layers += [("relu_deconv5", act()), ("conv5_1", same(c256, c512)), ("relu_conv5_1", act()),
               ("deconv4", up(c512, c256)), ("relu_deconv4", act()), ("conv4_1", same(c256, c256)),
               ("relu_conv4_1", act()), ("deconv3", up(c256, c128)), ("relu_deconv3", act()),
               ("conv3_1", same(c128, c128)), ("relu_conv3_1", act()), ("deconv2", up(c128, c64)),
               ("relu_deconv2", act()), ("deconv1", up(c64, c32)), ("relu_deconv1", act()),
               ("deconv0", up(c32, 3))]
    return nn.Sequential(collections.OrderedDict(layers))


structure = {"_torch_version": torch.__version__}
for name, w in FULL.items():
    g = build(name, w, device="meta")
    structure[name] = {"state_dict": [[k, list(v.shape)] for k, v in g.state_dict().items()],
                       "modules": [n for n, _ in g.named_modules() if n]}
with open(os.path.join(out, "structure.json"), "w") as f:
    json.dump(structure, f, indent=1)

MEAN = torch.tensor([123.0, 117.0, 104.0]).view(1, 3, 1, 1)
reference = {"_torch_version": torch.__version__}
for seed, (name, w) in enumerate(TINY.items()):
    torch.manual_seed(seed)
    g = build(name, w)
    with torch.no_grad():  # He-like normal weights so the narrow network's output is not vanishingly small
        for m in g.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = m.weight.shape[1] * m.weight[0, 0].numel() if not isinstance(m, nn.ConvTranspose2d) \
                    else m.weight.shape[0] * m.weight[0, 0].numel() / (4 if m.stride[0] == 2 else 1)
                m.weight.normal_(0, (2.0 / fan_in) ** 0.5)
                m.bias.uniform_(-0.1, 0.1)
        g[-1].weight.mul_(40.0)
    torch.save(g.state_dict(), os.path.join(out, f"{name}_tiny.pt"))
    shape = [2, w[0]] + ([6, 6] if name == "pool5" else [])
    code = torch.randn(shape)
    with torch.no_grad():
        raw = g(code)[:, [2, 1, 0], :, :]
        image = torch.clamp(raw + MEAN, 0, 255.0) / 255.0
    idx = torch.linspace(0, raw.numel() - 1, 97).long()
    summary = lambda t: {"shape": list(t.shape), "mean": t.double().mean().item(),
                         "std": t.double().std(unbiased=False).item(),
                         "indices": idx.tolist(), "values": t.flatten()[idx].double().tolist()}
    reference[name] = {"widths": list(w), "code": code.flatten().tolist(), "code_shape": shape,
                       "raw": summary(raw), "image": summary(image),
                       "clamped_fraction": ((raw + MEAN < 0) | (raw + MEAN > 255)).double().mean().item()}
with open(os.path.join(out, "tiny_reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
print({k: (v["raw"]["std"], v["clamped_fraction"]) for k, v in reference.items() if k[0] != "_"})
