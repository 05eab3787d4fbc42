"""The PyTorch side of TorchBench: the same models and training step as Workload.cs, driven
over stdin/stdout so that the C# process can alternate rounds with it.

Commands (one per line): "run N" times N steps and answers "times t1 ... tN" (wall-clock
milliseconds), "cpu c1 ... cN" (process CPU milliseconds, all threads, user + system), "faults
f1 ... fN" (minor page faults) and "loss L" (the last step's loss); "quit" ends.
"""
import argparse
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F


def attention(q, k, v):
    # The same ATen op as the C# side's scaled_dot_product_attention.
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v)
    return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, False)[0]


class Attention(torch.nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        return self.proj(attention(q, k, v).transpose(1, 2).reshape(b, n, d))


class Mlp(torch.nn.Module):
    def __init__(self, dim, hidden, out_dim=None):
        super().__init__()
        self.fc1 = torch.nn.Linear(dim, hidden)
        self.fc2 = torch.nn.Linear(hidden, out_dim or dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(torch.nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = torch.nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VitStack(torch.nn.Module):
    def __init__(self, dim=384, heads=6, hidden=1536, depth=4):
        super().__init__()
        self.blocks = torch.nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["vit", "mlp"], required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--init", required=True, help="safetensors file with the weights, input and target")
    ap.add_argument("--st-dir", required=True, help="folder holding st.py")
    args = ap.parse_args()
    sys.path.insert(0, args.st_dir)
    import st

    torch.set_num_threads(args.threads)
    model = VitStack() if args.workload == "vit" else Mlp(64, 128, 10)
    init = st.load(args.init)
    x, target = init.pop("input"), init.pop("target")
    model.load_state_dict(init, strict=True)
    # Single-tensor AdamW, as the C# side's native loop.
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05, foreach=False)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        times, cpu, faults, loss = [], [], [], math.nan
        for _ in range(int(cmd[1])):
            r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            loss = step()
            t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            times.append((t1 - t0) * 1000.0)
            cpu.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000.0)
            faults.append(r1.ru_minflt - r0.ru_minflt)
        print("times " + " ".join(f"{t:.4f}" for t in times), flush=True)
        print("cpu " + " ".join(f"{t:.4f}" for t in cpu), flush=True)
        print("faults " + " ".join(str(f) for f in faults), flush=True)
        print(f"loss {loss!r}", flush=True)


if __name__ == "__main__":
    main()
