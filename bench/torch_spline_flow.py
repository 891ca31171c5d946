"""PyTorch peer of nfvi's rational-quadratic spline coupling flow (spec "spline:K").

The same flow, objective and optimiser as nfvi (core/flows/layers/
rational_quadratic_spline.*, spline_coupling_layer.*, coupling.*, flow.*,
gaussian_base.*, nn/mlp.*, nn/adam.*, vi/reverse_kl.*, vi/flow_trainer.*),
written in PyTorch with autograd in place of nfvi's hand-derived gradients, so
that nfvi's speed and quality can be compared side by side with PyTorch.
Everything is float64, as nfvi computes in double. The random streams differ
from nfvi's, so single runs differ; compare over seeds.

The maths (Durkan, Bekasov, Murray and Papamakarios 2019, "Neural Spline Flows"):

  Base:  z0 = mu + sigma * eps,  sigma = softplus(rho),  eps ~ N(0, I);
         mu = 0 and rho = softplus^-1(1) at the start (q0 = N(0, I)).
  Layer i (0-based) of K, on z = (z1, z2): for even i it transforms z1 given
         z2, for odd i z2 given z1. The conditioner is an MLP
         1 -> H (x depth, ELU) -> 3B - 1 (linear), initialised like nn.Linear
         and then its last layer's weight and bias set to 0 (identity start).
  Spline: from the 3B - 1 outputs (B widths, B heights, B - 1 slopes),
         w_k = 2L (m + (1 - B m) softmax(w')_k),  h_k likewise,  m = 1e-3,
         x_k = -L + sum_{j<k} w_j,  y_k = -L + sum_{j<k} h_j,
         delta_k = m + softplus(d'_k + c0), c0 = softplus^-1(1 - m), k = 1..B-1,
         delta_0 = delta_B = 1.  In bin k, xi = (x - x_k)/w_k, s = h_k/w_k:
         g  = y_k + h_k (s xi^2 + delta_k xi(1-xi)) / (s + (delta_k+1 + delta_k - 2s) xi(1-xi))
         g' = s^2 (delta_k+1 xi^2 + 2 s xi(1-xi) + delta_k (1-xi)^2) / (s + (...) xi(1-xi))^2
         and g(x) = x, log g' = 0 outside [-L, L].
  Density: log q(z_K) = log q0(z0) - sum_i log g_i'.
  Objective per step: L = mean_n [log q(z_K,n) + U(z_K,n)] over N fresh samples,
         one Adam step (betas 0.9/0.999, eps 1e-8) per batch; KL(q||p) = L + log Z.
  Cosine schedule (--cosine): lr_t = lr (1 + cos(pi (t - 1) / T)) / 2, t = 1..T.

The energies U1-U4 and U8 and the quadrature for log Z are those of the peer
folder's torch_ref.py, loaded at run time from ../shared/peer (or --peer-dir,
or $NFVI_PEER_DIR); they are not part of nfvi.

usage:
  python3 bench/torch_spline_flow.py POTENTIAL STEPS [K] [N] [SEED]
      [--bins B] [--bound L] [--hidden H] [--depth D] [--lr LR] [--cosine]
      [--threads T] [--peer-dir DIR] [--no-fresh] [--no-logz]
  python3 bench/torch_spline_flow.py --self-test
  python3 bench/torch_spline_flow.py --nfvi-model SUMMARY_JSON [--nfvi-logq CSV]
      (nfvi's trained flow in this peer: log q against `nfvi logq`, and its KL)
K defaults to 4, N to 1000 and SEED to 1 (nfvi's defaults but for K). It
prints one line: potential, settings, s_per_step (the median wall time of a
training step: sampling, loss, backward and Adam, nothing else),
cpu_s_per_step (the median CPU time, less sensitive to a busy machine),
kl_est (mean of the last 100 steps), logZ (2001 x 2001 grid over [-10, 10]^2),
true_kl = kl_est + logZ, and kl_true_fresh (the KL of the final flow from
100,000 fresh samples, + logZ). --no-logz and --no-fresh skip those two for
timing runs. Threads: --threads, else $NFVI_PEER_THREADS, else 1.
"""
import argparse
import importlib.util
import math
import os
import statistics
import sys
import time


def _threads_from_argv():
    # --threads T (or --threads=T), else $NFVI_PEER_THREADS, else 1; read before
    # torch loads so that OpenBLAS (behind torch's matrix products) gets it too.
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return os.environ.get("NFVI_PEER_THREADS", "1")


os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_from_argv())

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_default_dtype(torch.float64)

MINIMUM = 1e-3  # the least width, height and slope of a bin (nfvi's SplineShape::kMinimum)


def softplus_inverse(y):
    # softplus(x) = log(1 + e^x) = y  <=>  x = log(e^y - 1)
    return math.log(math.expm1(y))


# ---------------------------------------------------------------------------
# The rational-quadratic spline, batched: one spline per row.
# ---------------------------------------------------------------------------

def spline_knots(raw, bins, bound):
    """From raw (N, 3B - 1): widths w, heights h (N, B), knots xk, yk (N, B + 1),
    slopes delta (N, B + 1), as in the header comment."""
    m = MINIMUM
    span = 2 * bound
    w = span * (m + (1 - bins * m) * torch.softmax(raw[:, :bins], dim=1))
    h = span * (m + (1 - bins * m) * torch.softmax(raw[:, bins:2 * bins], dim=1))
    start = torch.full_like(raw[:, :1], -bound)
    # x_0 = -L and x_k = -L + (w_0 + ... + w_{k-1}): x_B is L up to round-off, as in nfvi.
    xk = torch.cat([start, start + torch.cumsum(w, dim=1)], dim=1)
    yk = torch.cat([start, start + torch.cumsum(h, dim=1)], dim=1)
    c0 = softplus_inverse(1 - m)  # all-zero raw values give slope m + (1 - m) = 1
    one = torch.ones_like(raw[:, :1])
    delta = torch.cat([one, m + F.softplus(raw[:, 2 * bins:] + c0), one], dim=1)
    return w, h, xk, yk, delta


def bin_index(knots, v, bins):
    """The bin k of v: the number of interior knots knots[1..B-1] that are <= v,
    so v on a knot belongs to the bin to its right and v past the last knot
    (by round-off) to the last bin, as nfvi's bin_of."""
    interior = knots[:, 1:bins].contiguous()
    return torch.searchsorted(interior, v.unsqueeze(1).contiguous(), right=True)  # (N, 1)


def in_bin(k, w, h, xk, yk, delta):
    """The values of bin k (N, 1) per row: w_k, h_k, x_k, y_k, delta_k, delta_{k+1}."""
    take = lambda t, i: t.gather(1, i).squeeze(1)
    return take(w, k), take(h, k), take(xk, k), take(yk, k), take(delta, k), take(delta, k + 1)


def rq_eval(xi, wk, hk, yk, dk, dk1):
    """g and log g' in a bin at xi in [0, 1] (the formulas of the header)."""
    s = hk / wk
    e = xi * (1 - xi)
    den = s + (dk1 + dk - 2 * s) * e
    g = yk + hk * (s * xi * xi + dk * e) / den
    mid = dk1 * xi * xi + 2 * s * e + dk * (1 - xi) * (1 - xi)
    log_slope = 2 * torch.log(s) + torch.log(mid) - 2 * torch.log(den)
    return g, log_slope


def spline_forward(x, raw, bins, bound):
    """y = g(x) and log g'(x) for x (N) and raw (N, 3B - 1)."""
    w, h, xk, yk, delta = spline_knots(raw, bins, bound)
    inside = (x >= -bound) & (x <= bound)
    # The spline is evaluated at x clamped into [-L, L] so that the branch that
    # torch.where drops (points outside) stays finite and gives zero gradients.
    xc = x.clamp(-bound, bound)
    k = bin_index(xk, xc, bins)
    wk, hk, x0, y0, dk, dk1 = in_bin(k, w, h, xk, yk, delta)
    g, log_slope = rq_eval((xc - x0) / wk, wk, hk, y0, dk, dk1)
    return torch.where(inside, g, x), torch.where(inside, log_slope, torch.zeros_like(x))


def spline_inverse(y, raw, bins, bound, newton_steps=3):
    """x = g^-1(y) and log g'(x): in bin k of y, xi is the root
    2c / (-b - sqrt(b^2 - 4ac)) of a xi^2 + b xi + c = 0 with
      a = h_k (s - delta_k) + (y - y_k) c2,  b = h_k delta_k - (y - y_k) c2,
      c = -s (y - y_k),  c2 = delta_k+1 + delta_k - 2s,
    then a few Newton steps on g(xi) = y (as nfvi does, to the forward's precision)."""
    w, h, xk, yk, delta = spline_knots(raw, bins, bound)
    inside = (y >= -bound) & (y <= bound)
    yc = y.clamp(-bound, bound)
    k = bin_index(yk, yc, bins)
    wk, hk, x0, y0, dk, dk1 = in_bin(k, w, h, xk, yk, delta)
    s = hk / wk
    dy = yc - y0
    c2 = dk1 + dk - 2 * s
    a = hk * (s - dk) + dy * c2
    b = hk * dk - dy * c2
    c = -s * dy
    root = 2 * c / (-b - torch.sqrt((b * b - 4 * a * c).clamp(min=0)))
    xi = torch.where(c == 0, torch.zeros_like(c), root).clamp(0, 1)
    for _ in range(newton_steps):
        g, log_slope = rq_eval(xi, wk, hk, y0, dk, dk1)
        xi = (xi - (g - yc) / (torch.exp(log_slope) * wk)).clamp(0, 1)  # dg/dxi = g' w_k
    _, log_slope = rq_eval(xi, wk, hk, y0, dk, dk1)
    return torch.where(inside, x0 + xi * wk, y), torch.where(inside, log_slope, torch.zeros_like(y))


# ---------------------------------------------------------------------------
# The flow
# ---------------------------------------------------------------------------

class SplineCoupling(nn.Module):
    """One coupling layer on D = 2: z_b' = g(z_b; MLP(z_a)), z_a' = z_a."""

    def __init__(self, index, bins, bound, hidden, depth):
        super().__init__()
        self.bins, self.bound = bins, bound
        # nfvi's split: the first floor(D/2) = 1 coordinate and the rest; even
        # layers transform the first part given the second, odd ones the reverse.
        self.cond, self.trans = (1, 0) if index % 2 == 0 else (0, 1)
        sizes = [1] + [hidden] * depth + [3 * bins - 1]
        layers = []
        for l in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[l], sizes[l + 1]))  # U(+-1/sqrt(fan_in)) for W and b
            if l + 2 < len(sizes):
                layers.append(nn.ELU())
        self.net = nn.Sequential(*layers)
        with torch.no_grad():  # the last layer at zero: the layer starts as the identity
            self.net[-1].weight.zero_()
            self.net[-1].bias.zero_()

    def _split(self, z):
        return z[:, self.cond], z[:, self.trans]

    def _join(self, za, zb):
        return torch.stack([za, zb] if self.cond == 0 else [zb, za], dim=1)

    def forward(self, z):
        za, zb = self._split(z)
        zb2, log_det = spline_forward(zb, self.net(za.unsqueeze(1)), self.bins, self.bound)
        return self._join(za, zb2), log_det

    def inverse(self, y):
        ya, yb = self._split(y)
        zb, log_det = spline_inverse(yb, self.net(ya.unsqueeze(1)), self.bins, self.bound)
        return self._join(ya, zb), log_det


class SplineFlow(nn.Module):
    def __init__(self, K, bins=8, bound=5.0, hidden=32, depth=2, D=2):
        super().__init__()
        self.mu = nn.Parameter(torch.zeros(D))
        self.rho = nn.Parameter(torch.full((D,), softplus_inverse(1.0)))  # sigma = softplus(rho) = 1
        self.layers = nn.ModuleList([SplineCoupling(i, bins, bound, hidden, depth) for i in range(K)])

    def push(self, eps):
        """z_K and log q(z_K) for base noise eps (N, D)."""
        sigma = F.softplus(self.rho)
        z = self.mu + sigma * eps
        log_q = -0.5 * (eps ** 2).sum(1) - torch.log(sigma).sum() - 0.5 * eps.shape[1] * math.log(2 * math.pi)
        for layer in self.layers:
            z, log_det = layer(z)
            log_q = log_q - log_det
        return z, log_q

    def log_density(self, z):
        """log q(z) at any z (N, D), by inverting every layer."""
        total = torch.zeros(z.shape[0])
        for layer in reversed(self.layers):
            z, log_det = layer.inverse(z)
            total = total + log_det
        sigma = F.softplus(self.rho)
        eps = (z - self.mu) / sigma
        return -0.5 * (eps ** 2).sum(1) - torch.log(sigma).sum() - 0.5 * z.shape[1] * math.log(2 * math.pi) - total


# ---------------------------------------------------------------------------
# Self-test: the spline and the flow against autograd and their inverses
# ---------------------------------------------------------------------------

def self_test():
    torch.manual_seed(0)
    bins, bound, n = 8, 5.0, 4000
    failures = []

    def check(name, error, tolerance):
        ok = error <= tolerance
        print(f"self-test {name}: {error:.3e} (tolerance {tolerance:.0e}) {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(name)

    # Rough splines: raw values of scale 2 give bins of very different sizes and slopes.
    raw = 2 * torch.randn(n, 3 * bins - 1)
    x = (bound + 1) * (2 * torch.rand(n) - 1)  # about 1/6 of them outside [-L, L]
    x[:4] = torch.tensor([-bound, bound, -bound - 1e-9, bound + 1e-9])
    x.requires_grad_(True)
    y, log_slope = spline_forward(x, raw, bins, bound)
    # log g' against log of autograd's dg/dx (each y_n depends on x_n alone).
    (dydx,) = torch.autograd.grad(y.sum(), x)
    check("log g' - log(autograd dg/dx), max abs", (log_slope - torch.log(dydx)).abs().max().item(), 1e-10)
    x = x.detach()
    y = y.detach()
    inside = (x >= -bound) & (x <= bound)
    check("identity outside [-L, L], max abs", ((y - x)[~inside].abs().max() + log_slope[~inside].abs().max()).item(), 0)
    check("g(-L) = -L and g(L) = L, max abs", (y[:2] - x[:2]).abs().max().item(), 1e-12)
    x_back, log_slope_back = spline_inverse(y, raw, bins, bound)
    # Where g' is tiny, x is ill-determined by y (an error of e in y is e / g'
    # in x), so the x error is also shown scaled by min(g', 1).
    check("inverse(forward(x)) - x, max abs", (x_back - x).abs().max().item(), 1e-9)
    scaled = (x_back - x).abs() * torch.exp(log_slope).clamp(max=1)
    check("(inverse(forward(x)) - x) min(g', 1), max abs", scaled.max().item(), 1e-13)
    check("inverse's log g' - forward's, max abs", (log_slope_back - log_slope).abs().max().item(), 1e-8)
    # Monotone: one spline on a dense grid over [-L, L].
    xs = torch.linspace(-bound, bound, 20001)
    ys, _ = spline_forward(xs, raw[:1].expand(xs.shape[0], -1), bins, bound)
    check("monotone (most negative step of one spline on a dense grid)", max(0.0, -(ys[1:] - ys[:-1]).min().item()), 0)
    # All-zero raw values: the identity (equal bins, slopes 1).
    y0, l0 = spline_forward(x, torch.zeros(n, 3 * bins - 1), bins, bound)
    check("zero raw values give the identity, max abs", ((y0 - x).abs().max() + l0.abs().max()).item(), 1e-12)
    # Gradients in raw and x by central differences (autograd through searchsorted/where).
    xg = (0.9 * bound * (2 * torch.rand(6) - 1)).requires_grad_(True)
    rg = torch.randn(6, 3 * bins - 1).requires_grad_(True)
    ok = torch.autograd.gradcheck(lambda a, r: spline_forward(a, r, bins, bound), (xg, rg), eps=1e-6, atol=1e-6,
                                    raise_exception=False)
    check("gradcheck of (g, log g') in x and raw (0 = passed)", 0.0 if ok else 1.0, 0)

    # The whole flow with random conditioners: log q from the forward pass
    # against log q0 - log|det J| of autograd's full 2 x 2 Jacobian, and
    # against the exact density by inversion. (Weights of scale 0.2 give
    # clearly curved layers; much larger ones give points where q is ~e^18
    # and det J suffers cancellation, which tests round-off, not the maths.)
    flow = SplineFlow(4, bins, bound, 32, 2)
    with torch.no_grad():
        for layer in flow.layers:
            layer.net[-1].weight.normal_(0, 0.2)
            layer.net[-1].bias.normal_(0, 0.2)
        flow.mu.copy_(torch.tensor([0.3, -0.2]))
        flow.rho.copy_(torch.tensor([0.8, 0.2]))
    eps = torch.randn(300, 2)
    with torch.no_grad():
        z, log_q = flow.push(eps)
    base = lambda e: flow.push(e)[0]
    worst = 0.0
    for i in range(eps.shape[0]):
        J = torch.autograd.functional.jacobian(base, eps[i:i + 1]).reshape(2, 2)  # dz_K / d eps
        log_q_jac = (-0.5 * (eps[i] ** 2).sum() - 0.5 * 2 * math.log(2 * math.pi)
                     - torch.log(torch.abs(torch.det(J))))  # |det dz/deps| includes sigma's product
        worst = max(worst, abs(log_q_jac.item() - log_q[i].item()))
    check("flow log q - (log N(eps) - log|det autograd Jacobian|), max abs", worst, 1e-9)
    with torch.no_grad():
        log_q_inv = flow.log_density(z)
    check("flow log q by inversion - by the forward pass, max abs", (log_q_inv - log_q).abs().max().item(), 1e-9)
    spread = (log_q.max() - log_q.min()).item()  # that the layers are far from the identity
    print(f"self-test flow log q spread over the test points: {spread:.2f} nats (at least 1) {'ok' if spread >= 1 else 'FAIL'}")
    if spread < 1:
        failures.append("flow spread")
    # The initial flow is the base alone.
    fresh = SplineFlow(4, bins, bound, 32, 2)
    with torch.no_grad():
        z0, lq0 = fresh.push(eps)
    normal = -0.5 * (eps ** 2).sum(1) - math.log(2 * math.pi)
    check("initial flow is N(0, I), max abs", ((z0 - eps).abs().max() + (lq0 - normal).abs().max()).item(), 1e-12)
    print("self-test:", "passed" if not failures else "FAILED: " + ", ".join(failures))
    return 0 if not failures else 1


# ---------------------------------------------------------------------------
# nfvi's trained parameters in this flow (the check that both are one flow)
# ---------------------------------------------------------------------------

def load_nfvi_model(path, bins, bound, hidden, depth):
    """The flow of an nfvi model file (summary.json of `nfvi fit`), its weights
    copied into this peer. nfvi's layout (flow.hpp, nn/mlp.hpp, dense_layer.hpp):
    mu (2), rho (2), then per layer [W_1 | b_1 | W_2 | b_2 | ...] with every
    W (outputs, inputs) stored column-major, i.e. as nn.Linear's (out, in)
    weight transposed, read row by row."""
    import json
    with open(path) as f:
        model = json.load(f)
    params = model["parameters"]
    flow = SplineFlow(len(params["layers"]), bins, bound, hidden, depth)
    with torch.no_grad():
        flow.mu.copy_(torch.tensor(params["mu"]))
        flow.rho.copy_(torch.tensor(params["rho"]))
        for layer, saved in zip(flow.layers, params["layers"]):
            if saved["layer"] != "spline":
                sys.exit(f"torch_spline_flow: {path} has a {saved['layer']} layer; only spline layers are supported")
            values = torch.tensor(saved["parameters"])
            linears = [m for m in layer.net if isinstance(m, nn.Linear)]
            if values.numel() != sum(m.weight.numel() + m.bias.numel() for m in linears):
                sys.exit(f"torch_spline_flow: {path}: a layer's parameter count does not match "
                         f"--bins {bins} --hidden {hidden} --depth {depth}")
            at = 0
            for m in linears:
                out, inp = m.weight.shape
                m.weight.copy_(values[at:at + out * inp].reshape(inp, out).T)
                at += out * inp
                m.bias.copy_(values[at:at + out])
                at += out
    return model, flow


def compare_with_nfvi(a):
    """Loads nfvi's trained flow, then (1) compares the peer's exact log q with
    nfvi's (`nfvi logq` output, columns z1,z2,log_q) at the same points and
    (2) recomputes the true KL from 100,000 fresh samples of that flow."""
    model, flow = load_nfvi_model(a.nfvi_model, a.bins, a.bound, a.hidden, a.depth)
    if a.nfvi_logq:
        rows = [line.split(",") for line in open(a.nfvi_logq).read().split("\n")[1:] if line.strip()]
        points = torch.tensor([[float(r[0]), float(r[1])] for r in rows])
        theirs = torch.tensor([float(r[2]) for r in rows])
        with torch.no_grad():
            ours = flow.log_density(points)
        diff = (ours - theirs).abs()
        rel = diff / theirs.abs().clamp(min=1)
        print(f"log q at {len(rows)} points: max |peer - nfvi| = {diff.max().item():.3e}, "
              f"max relative {rel.max().item():.1e} (nfvi logq writes ~8 significant digits), "
              f"mean {diff.mean().item():.3e} (log q from {theirs.min().item():.2f} to {theirs.max().item():.2f})")
    U = load_peer(a.peer_dir).POTENTIALS[model["potential"]]
    lz = load_peer(a.peer_dir).log_z(U)
    rng = torch.Generator().manual_seed(12345)
    total, n = 0.0, 100000
    with torch.no_grad():
        for i in range(0, n, 20000):
            z, log_q = flow.push(torch.randn(min(20000, n - i), 2, generator=rng))
            total += float((log_q + U(z)).sum())
    print(f"{model['potential']}: nfvi's flow in the peer: kl_true_fresh={total / n + lz:.4f} (logZ {lz:.4f}); "
          f"nfvi's own: kl_true_fresh_100k={model['kl_true_fresh_100k']:.4f} (log_z {model['log_z']:.4f})")
    return 0


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def load_peer(peer_dir):
    path = os.path.join(peer_dir, "torch_ref.py")
    if not os.path.isfile(path):
        sys.exit(f"torch_spline_flow: no {path} (give --peer-dir or $NFVI_PEER_DIR)")
    spec = importlib.util.spec_from_file_location("torch_ref", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description="PyTorch peer of nfvi's spline:K flow (float64)")
    p.add_argument("potential", nargs="?", choices=["U1", "U2", "U3", "U4", "U8"])
    p.add_argument("steps", nargs="?", type=int)
    p.add_argument("K", nargs="?", type=int, default=4)
    p.add_argument("N", nargs="?", type=int, default=1000)
    p.add_argument("seed", nargs="?", type=int, default=1)
    p.add_argument("--bins", type=int, default=8)
    p.add_argument("--bound", type=float, default=5.0)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--cosine", action="store_true", help="cosine learning-rate schedule over the run")
    p.add_argument("--threads", type=int, default=int(os.environ.get("NFVI_PEER_THREADS", "1")))
    p.add_argument("--peer-dir", default=os.environ.get("NFVI_PEER_DIR", os.path.join(here, "..", "..", "shared", "peer")))
    p.add_argument("--no-fresh", action="store_true", help="skip the 100,000-sample KL of the final flow")
    p.add_argument("--no-logz", action="store_true", help="skip the quadrature (timing runs)")
    p.add_argument("--self-test", action="store_true")
    p.add_argument("--nfvi-model", metavar="SUMMARY_JSON",
                   help="load nfvi's trained spline flow and check it here (no training)")
    p.add_argument("--nfvi-logq", metavar="CSV", help="with --nfvi-model: `nfvi logq` output to compare log q with")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.self_test:
        return self_test()
    if a.nfvi_model:
        return compare_with_nfvi(a)
    if a.potential is None or a.steps is None or a.steps < 1:
        p.error("give POTENTIAL and STEPS >= 1 (or --self-test)")

    U = load_peer(a.peer_dir).POTENTIALS[a.potential]
    torch.manual_seed(a.seed)
    flow = SplineFlow(a.K, a.bins, a.bound, a.hidden, a.depth)
    opt = torch.optim.Adam(flow.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    kls, seconds, cpu_seconds = [], [], []
    for t in range(1, a.steps + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        if a.cosine:
            for group in opt.param_groups:
                group["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * (t - 1) / a.steps))
        z, log_q = flow.push(torch.randn(a.N, 2))
        loss = (log_q + U(z)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        value = loss.item()
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
        if not math.isfinite(value):
            sys.exit(f"torch_spline_flow: the KL estimate is not finite at step {t} (try a smaller --lr)")
        kls.append(value)
    per_step, cpu_per_step = statistics.median(seconds), statistics.median(cpu_seconds)
    est = sum(kls[-100:]) / len(kls[-100:])
    lz = float("nan") if a.no_logz else load_peer(a.peer_dir).log_z(U)
    fresh = float("nan")
    if not a.no_fresh:
        # The final flow's KL from 100,000 fresh samples (in chunks), no gradients.
        rng = torch.Generator().manual_seed(a.seed + 1000003)
        total, n = 0.0, 100000
        with torch.no_grad():
            for i in range(0, n, 20000):
                z, log_q = flow.push(torch.randn(min(20000, n - i), 2, generator=rng))
                total += float((log_q + U(z)).sum())
        fresh = total / n + lz
    schedule = "cosine" if a.cosine else "constant"
    print(f"{a.potential} flow=spline:{a.K}:bins={a.bins}:bound={a.bound:g}:hidden={a.hidden}:depth={a.depth} "
          f"steps={a.steps} N={a.N} seed={a.seed} lr={a.lr:g} schedule={schedule} dtype=float64 "
          f"threads={torch.get_num_threads()} s_per_step={per_step:.6f} cpu_s_per_step={cpu_per_step:.6f} kl_est={est:.4f} logZ={lz:.4f} "
          f"true_kl={est + lz:.4f} kl_true_fresh={fresh:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
