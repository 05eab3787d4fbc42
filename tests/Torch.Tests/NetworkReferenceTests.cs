using Xunit;
using static CrossVideoMAE.Torch.torch;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Forward values and gradients of network building blocks against PyTorch (float64).</summary>
public class NetworkReferenceTests
{
    [Fact]
    public void Two_layer_mlp_with_mse_loss_matches_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        Tensor x = randn([8, 6], g, float64), y = randn([8, 3], g, float64);
        Tensor w1 = randn([16, 6], g, float64).requires_grad_(), b1 = randn([16], g, float64).requires_grad_();
        Tensor w2 = randn([3, 16], g, float64).requires_grad_(), b2 = randn([3], g, float64).requires_grad_();

        // [8, 6] -> [8, 16] -> gelu -> [8, 3]
        Tensor loss = F.mse_loss(F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2), y);
        loss.backward();

        using TensorSet expected = PyTorch.Run("""
            mlp = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.GELU(), torch.nn.Linear(16, 3)).double()
            with torch.no_grad():
                mlp[0].weight.copy_(inp["w1"]); mlp[0].bias.copy_(inp["b1"])
                mlp[2].weight.copy_(inp["w2"]); mlp[2].bias.copy_(inp["b2"])
            loss = torch.nn.MSELoss()(mlp(inp["x"]), inp["y"])
            loss.backward()
            out["loss"] = loss.detach()
            out["w1"], out["b1"] = mlp[0].weight.grad, mlp[0].bias.grad
            out["w2"], out["b2"] = mlp[2].weight.grad, mlp[2].bias.grad
            """, new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y, ["w1"] = w1, ["b1"] = b1, ["w2"] = w2, ["b2"] = b2 });

        Close.Assert(expected["loss"], loss, "loss");
        Close.Assert(expected["w1"], w1.grad, "dL/dw1");
        Close.Assert(expected["b1"], b1.grad, "dL/db1");
        Close.Assert(expected["w2"], w2.grad, "dL/dw2");
        Close.Assert(expected["b2"], b2.grad, "dL/db2");
    }

    [Fact]
    public void Conv3d_tubelet_embedding_and_conv2d_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12);
        // Tubelet 2x16x16 with the same stride: [2, 3, 4, 32, 32] -> [2, 8, 2, 2, 2]
        Tensor v = randn([2, 3, 4, 32, 32], g, float64).requires_grad_();
        Tensor w3 = randn([8, 3, 2, 16, 16], g, float64).requires_grad_(), b3 = randn([8], g, float64).requires_grad_();
        Tensor g3 = randn([2, 8, 2, 2, 2], g, float64);
        // Strided, padded, dilated 2-D: [2, 3, 9, 9] -> [2, 4, 4, 5]
        Tensor im = randn([2, 3, 9, 9], g, float64).requires_grad_();
        Tensor w2 = randn([4, 3, 3, 3], g, float64).requires_grad_(), b2 = randn([4], g, float64).requires_grad_();
        Tensor g2 = randn([2, 4, 4, 5], g, float64);

        Tensor y3 = F.conv3d(v, w3, b3, stride: [2, 16, 16]);
        Tensor y2 = F.conv2d(im, w2, b2, stride: [2, 2], padding: [1, 1], dilation: [2, 1]);
        ((y3 * g3).sum() + (y2 * g2).sum()).backward();

        using TensorSet expected = PyTorch.Run("""
            v, w3, b3, im, w2, b2 = (inp[k].requires_grad_() for k in ("v", "w3", "b3", "im", "w2", "b2"))
            y3 = torch.nn.functional.conv3d(v, w3, b3, stride=(2, 16, 16))
            y2 = torch.nn.functional.conv2d(im, w2, b2, stride=2, padding=1, dilation=(2, 1))
            ((y3 * inp["g3"]).sum() + (y2 * inp["g2"]).sum()).backward()
            out.update(y3=y3.detach(), y2=y2.detach(), v=v.grad, w3=w3.grad, b3=b3.grad, im=im.grad, w2=w2.grad, b2=b2.grad)
            """, new Dictionary<string, Tensor> { ["v"] = v, ["w3"] = w3, ["b3"] = b3, ["g3"] = g3, ["im"] = im, ["w2"] = w2, ["b2"] = b2, ["g2"] = g2 });

        Close.Assert(expected["y3"], y3, "conv3d output");
        Close.Assert(expected["y2"], y2, "conv2d output");
        Close.Assert(expected["v"], v.grad, "conv3d dL/dx");
        Close.Assert(expected["w3"], w3.grad, "conv3d dL/dw");
        Close.Assert(expected["b3"], b3.grad, "conv3d dL/db");
        Close.Assert(expected["im"], im.grad, "conv2d dL/dx");
        Close.Assert(expected["w2"], w2.grad, "conv2d dL/dw");
        Close.Assert(expected["b2"], b2.grad, "conv2d dL/db");
    }

    [Fact]
    public void Scaled_dot_product_attention_matches_the_explicit_softmax_formula()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(13);
        // q, k, v: [B=2, H=3, L=5, d=8]; additive mask [5, 5]
        Tensor q = randn([2, 3, 5, 8], g, float64).requires_grad_();
        Tensor k = randn([2, 3, 5, 8], g, float64).requires_grad_();
        Tensor v = randn([2, 3, 5, 8], g, float64).requires_grad_();
        Tensor mask = randn([5, 5], g, float64);
        Tensor go = randn([2, 3, 5, 8], g, float64);

        Tensor plain = F.scaled_dot_product_attention(q, k, v);
        Tensor masked = F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        Tensor causal = F.scaled_dot_product_attention(q, k, v, is_causal: true);
        ((plain + masked + causal) * go).sum().backward();

        // The reference is written out: softmax(q kᵀ / sqrt(d) + mask) v.
        using TensorSet expected = PyTorch.Run("""
            q, k, v = (inp[n].requires_grad_() for n in "qkv")
            def attention(mask):
                s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
                return (s + mask).softmax(-1) @ v
            causal_mask = torch.full((5, 5), float("-inf"), dtype=torch.float64).triu(1)
            plain, masked, causal = attention(0.0), attention(inp["mask"]), attention(causal_mask)
            ((plain + masked + causal) * inp["go"]).sum().backward()
            out.update(plain=plain.detach(), masked=masked.detach(), causal=causal.detach(), q=q.grad, k=k.grad, v=v.grad)
            """, new Dictionary<string, Tensor> { ["q"] = q, ["k"] = k, ["v"] = v, ["mask"] = mask, ["go"] = go });

        Close.Assert(expected["plain"], plain, "attention");
        Close.Assert(expected["masked"], masked, "attention with a mask");
        Close.Assert(expected["causal"], causal, "causal attention");
        Close.Assert(expected["q"], q.grad, "dL/dq");
        Close.Assert(expected["k"], k.grad, "dL/dk");
        Close.Assert(expected["v"], v.grad, "dL/dv");
    }

    [Fact]
    public void Layer_norm_softmax_and_log_softmax_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(14);
        Tensor x = randn([2, 5, 8], g, float64).requires_grad_();
        Tensor w = randn([8], g, float64).requires_grad_(), b = randn([8], g, float64).requires_grad_();
        Tensor s = randn([3, 4, 5], g, float64).requires_grad_();
        Tensor g1 = randn([2, 5, 8], g, float64), g2 = randn([3, 4, 5], g, float64);

        Tensor ln = F.layer_norm(x, [8], w, b, eps: 1e-6);
        Tensor sm = F.softmax(s, -1), lsm = F.log_softmax(s, 1);
        ((ln * g1).sum() + (sm * g2).sum() + (lsm * g2).sum()).backward();

        using TensorSet expected = PyTorch.Run("""
            x, w, b, s = (inp[n].requires_grad_() for n in ("x", "w", "b", "s"))
            norm = torch.nn.LayerNorm(8, eps=1e-6).double()
            with torch.no_grad():
                norm.weight.copy_(w); norm.bias.copy_(b)
            ln = norm(x)
            sm, lsm = torch.softmax(s, -1), torch.log_softmax(s, 1)
            ((ln * inp["g1"]).sum() + (sm * inp["g2"]).sum() + (lsm * inp["g2"]).sum()).backward()
            out.update(ln=ln.detach(), sm=sm.detach(), lsm=lsm.detach(), x=x.grad, w=norm.weight.grad, b=norm.bias.grad, s=s.grad)
            """, new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["b"] = b, ["s"] = s, ["g1"] = g1, ["g2"] = g2 });

        Close.Assert(expected["ln"], ln, "layer_norm");
        Close.Assert(expected["sm"], sm, "softmax");
        Close.Assert(expected["lsm"], lsm, "log_softmax");
        Close.Assert(expected["x"], x.grad, "layer_norm dL/dx");
        Close.Assert(expected["w"], w.grad, "layer_norm dL/dweight");
        Close.Assert(expected["b"], b.grad, "layer_norm dL/dbias");
        Close.Assert(expected["s"], s.grad, "softmax dL/ds");
    }

    [Fact]
    public void Cross_entropy_with_label_smoothing_and_probability_targets_matches_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(15);
        Tensor logits = randn([6, 5], g, float64).requires_grad_();
        Tensor labels = tensor(new long[] { 0, 4, 2, 2, -100, 1 });
        Tensor weight = rand([5], g, float64) + 0.5;
        Tensor probs = F.softmax(randn([6, 5], g, float64), 1);

        Tensor smoothed = F.cross_entropy(logits, labels, label_smoothing: 0.1);
        Tensor weighted = F.cross_entropy(logits, labels, weight: weight, reduction: Reduction.Sum, label_smoothing: 0.2);
        Tensor soft = F.cross_entropy(logits, probs);
        Tensor softSmoothed = F.cross_entropy(logits, probs, reduction: Reduction.None, label_smoothing: 0.3);
        Tensor total = smoothed + weighted + soft + softSmoothed.sum();
        total.backward();

        using TensorSet expected = PyTorch.Run("""
            logits = inp["logits"].requires_grad_()
            smoothed = F.cross_entropy(logits, inp["labels"], label_smoothing=0.1)
            weighted = F.cross_entropy(logits, inp["labels"], weight=inp["weight"], reduction="sum", label_smoothing=0.2)
            soft = F.cross_entropy(logits, inp["probs"])
            soft_smoothed = F.cross_entropy(logits, inp["probs"], reduction="none", label_smoothing=0.3)
            (smoothed + weighted + soft + soft_smoothed.sum()).backward()
            out.update(smoothed=smoothed.detach(), weighted=weighted.detach(), soft=soft.detach(),
                       soft_smoothed=soft_smoothed.detach(), grad=logits.grad)
            """, new Dictionary<string, Tensor> { ["logits"] = logits, ["labels"] = labels, ["weight"] = weight, ["probs"] = probs });

        Close.Assert(expected["smoothed"], smoothed, "label smoothing 0.1");
        Close.Assert(expected["weighted"], weighted, "class weights, sum, smoothing 0.2");
        Close.Assert(expected["soft"], soft, "probability targets");
        Close.Assert(expected["soft_smoothed"], softSmoothed, "probability targets, smoothing 0.3, no reduction");
        Close.Assert(expected["grad"], logits.grad, "dL/dlogits");
    }

    [Fact]
    public void Normalize_and_cosine_similarity_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(16);
        Tensor a = randn([4, 7], g, float64).requires_grad_(), b = randn([4, 7], g, float64).requires_grad_();
        Tensor gn = randn([4, 7], g, float64), gc = randn([4], g, float64);

        Tensor n = F.normalize(a, dim: 1);
        Tensor n1 = F.normalize(b, p: 1, dim: 0);
        Tensor cs = F.cosine_similarity(a, b, dim: 1);
        ((n * gn).sum() + (n1 * gn).sum() + (cs * gc).sum()).backward();

        using TensorSet expected = PyTorch.Run("""
            a, b = inp["a"].requires_grad_(), inp["b"].requires_grad_()
            n, n1 = F.normalize(a, dim=1), F.normalize(b, p=1, dim=0)
            cs = F.cosine_similarity(a, b, dim=1)
            ((n * inp["gn"]).sum() + (n1 * inp["gn"]).sum() + (cs * inp["gc"]).sum()).backward()
            out.update(n=n.detach(), n1=n1.detach(), cs=cs.detach(), a=a.grad, b=b.grad)
            """, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b, ["gn"] = gn, ["gc"] = gc });

        Close.Assert(expected["n"], n, "normalize p=2");
        Close.Assert(expected["n1"], n1, "normalize p=1");
        Close.Assert(expected["cs"], cs, "cosine_similarity");
        Close.Assert(expected["a"], a.grad, "dL/da");
        Close.Assert(expected["b"], b.grad, "dL/db");
    }
}
