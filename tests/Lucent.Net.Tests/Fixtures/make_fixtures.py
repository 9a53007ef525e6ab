"""Makes the reference fixtures under Fixtures/analysis/ by running Lucent's own functions.

    python make_fixtures.py <lucent-checkout> <out-dir>

<lucent-checkout> is a checkout of github.com/greentfrapp/lucent; only two of its files are loaded,
by path (they need numpy and scikit-learn, not torch): lucent/misc/channel_reducer.py and
lucent/misc/io/collapse_channels.py. Nothing of Lucent's is copied into this repository.

Writes (each array as {"shape": [...], "values": [...flattened, row-major...]}):
  analysis/channel_reducer.json  - ChannelReducer(n, "NMF") and ChannelReducer(n, "PCA") on small
                                   seeded activations shaped [..., channels]: fit_transform,
                                   components, transform of new activations, reconstruction error,
                                   iterations, explained variance (ratio), singular values, mean
  analysis/collapse_channels.json - hue_to_rgb at some angles (warp on and off), and
                                   sparse_channels_to_rgb / collapse_channels of small arrays
"""
import importlib.util, json, os, sys, warnings
import numpy as np
import sklearn

lucent, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "analysis"), exist_ok=True)


def load(name, rel):
    spec = importlib.util.spec_from_file_location(name, os.path.join(lucent, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reducer_module = load("channel_reducer", "lucent/misc/channel_reducer.py")
collapse_module = load("collapse_channels", "lucent/misc/io/collapse_channels.py")


def arr(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


rng = np.random.RandomState(15)
cases = {}

# NMF 1: a dense, nearly rank-4 non-negative layer, [2, 5, 6, 10] (60 rows).
x = (rng.rand(60, 4) @ rng.rand(4, 10) + 0.05 * rng.rand(60, 10)).reshape(2, 5, 6, 10)
y = (rng.rand(12, 4) @ rng.rand(4, 10)).reshape(3, 4, 10)
# NMF 2: ReLU of Gaussian noise (many exact zeros), [48, 12], 5 components.
x2 = np.maximum(0, rng.randn(48, 12) + 0.3)
y2 = np.maximum(0, rng.randn(2, 7, 12))
for name, data, new, k in [("nmf_dense", x, y, 4), ("nmf_relu", x2, y2, 5)]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning when max_iter is reached; recorded as iterations
        r = reducer_module.ChannelReducer(k, "NMF")
        w = r.fit_transform(data)
        t = r.transform(new)
    h = r.components
    cases[name] = {"method": "Nmf", "components": k, "input": arr(data), "new": arr(new),
                   "fit_transform": arr(w), "components_": arr(h), "transform": arr(t),
                   "reconstruction_err": float(r.reconstruction_err), "n_iter": int(r.n_iter),
                   "init": r._reducer.init, "solver": r._reducer.solver, "tol": r._reducer.tol,
                   "max_iter": r._reducer.max_iter}

# PCA: anisotropic Gaussian activations (any sign), [3, 4, 5, 8] (60 rows), 3 components.
scales = np.array([3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3, 0.1])
mix = np.linalg.qr(rng.randn(8, 8))[0]
xp = ((rng.randn(60, 8) * scales) @ mix + rng.randn(8)).reshape(3, 4, 5, 8)
yp = (rng.randn(2, 5, 8) * 2).reshape(2, 5, 8)
r = reducer_module.ChannelReducer(3, "PCA")
z = r.fit_transform(xp)
cases["pca"] = {"method": "Pca", "components": 3, "input": arr(xp), "new": arr(yp),
                "fit_transform": arr(z), "components_": arr(r.components), "transform": arr(r.transform(yp)),
                "explained_variance_ratio": [float(v) for v in r.explained_variance_ratio],
                "explained_variance": [float(v) for v in r.explained_variance],
                "singular_values": [float(v) for v in r.singular_values], "mean": arr(r.mean),
                "svd_solver": r._reducer._fit_svd_solver}
cases["_versions"] = {"sklearn": sklearn.__version__, "numpy": np.__version__}
with open(os.path.join(out, "analysis", "channel_reducer.json"), "w") as f:
    json.dump(cases, f, indent=1)

# collapse_channels
angles = [0, 15, 45, 60, 100, 120, 179.5, 200, 240, 290, 300, 359, 360, 725, -30]
hues = {"angles": angles,
        "warp": [list(map(float, collapse_module.hue_to_rgb(a))) for a in angles],
        "nowarp": [list(map(float, collapse_module.hue_to_rgb(a, warp=False))) for a in angles]}
sparse = np.maximum(0, rng.randn(4, 5, 6))
sparse[0, 0] = 0  # an all-zero position
mixed = rng.randn(3, 4, 7)
one = rng.rand(5, 1)
out_c = {"hue_to_rgb": hues,
         "sparse_input": arr(sparse), "sparse_rgb": arr(collapse_module.sparse_channels_to_rgb(sparse)),
         "sparse_collapse": arr(collapse_module.collapse_channels(sparse)),
         "mixed_input": arr(mixed), "mixed_collapse": arr(collapse_module.collapse_channels(mixed)),
         "one_input": arr(one), "one_collapse": arr(collapse_module.collapse_channels(one)),
         "_versions": {"numpy": np.__version__}}
with open(os.path.join(out, "analysis", "collapse_channels.json"), "w") as f:
    json.dump(out_c, f, indent=1)
print("wrote", os.path.join(out, "analysis"))
