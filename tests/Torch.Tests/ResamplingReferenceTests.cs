using Xunit;
using static CrossVideoMAE.Torch.torch;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>grid_sample, affine_grid and interpolate against PyTorch, values and gradients (float64).</summary>
public class ResamplingReferenceTests
{
    [Fact]
    public void Grid_sample_on_an_affine_grid_matches_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(21);
        Tensor x = randn([2, 3, 6, 7], g, float64).requires_grad_();
        // Near-identity affine maps with some rotation, scale and shift: [2, 2, 3]
        Tensor theta = (tensor(new double[] { 1, 0, 0, 0, 1, 0 }, 1, 2, 3) + 0.3 * randn([2, 2, 3], g, float64)).requires_grad_();
        Tensor g1 = randn([2, 3, 5, 4], g, float64), g2 = randn([2, 3, 5, 4], g, float64);

        Tensor grid = F.affine_grid(theta, [2, 3, 5, 4]);                       // [2, 5, 4, 2]
        Tensor gridCorners = F.affine_grid(theta, [2, 3, 5, 4], align_corners: true);
        Tensor zeros = F.grid_sample(x, grid);                                  // [2, 3, 5, 4]
        Tensor border = F.grid_sample(x, gridCorners, GridSampleMode.Bilinear, GridPadding.Border, align_corners: true);
        Tensor bicubic = F.grid_sample(x, grid, GridSampleMode.Bicubic, GridPadding.Reflection);
        ((zeros * g1).sum() + (border * g2).sum() + (bicubic * g1).sum()).backward();

        using TensorSet expected = PyTorch.Run("""
            x, theta = inp["x"].requires_grad_(), inp["theta"].requires_grad_()
            grid = F.affine_grid(theta, [2, 3, 5, 4], align_corners=False)
            grid_corners = F.affine_grid(theta, [2, 3, 5, 4], align_corners=True)
            zeros = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
            border = F.grid_sample(x, grid_corners, mode="bilinear", padding_mode="border", align_corners=True)
            bicubic = F.grid_sample(x, grid, mode="bicubic", padding_mode="reflection", align_corners=False)
            ((zeros * inp["g1"]).sum() + (border * inp["g2"]).sum() + (bicubic * inp["g1"]).sum()).backward()
            out.update(grid=grid.detach(), zeros=zeros.detach(), border=border.detach(), bicubic=bicubic.detach(),
                       x=x.grad, theta=theta.grad)
            """, new Dictionary<string, Tensor> { ["x"] = x, ["theta"] = theta, ["g1"] = g1, ["g2"] = g2 });

        Close.Assert(expected["grid"], grid, "affine_grid");
        Close.Assert(expected["zeros"], zeros, "grid_sample bilinear/zeros");
        Close.Assert(expected["border"], border, "grid_sample bilinear/border/align_corners");
        Close.Assert(expected["bicubic"], bicubic, "grid_sample bicubic/reflection");
        Close.Assert(expected["x"], x.grad, "dL/dinput");
        Close.Assert(expected["theta"], theta.grad, "dL/dtheta");
    }

    [Fact]
    public void Interpolate_bilinear_bicubic_and_antialiased_matches_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(22);
        Tensor x = randn([1, 2, 12, 10], g, float64).requires_grad_();
        Tensor gu = randn([1, 2, 17, 13], g, float64), gd = randn([1, 2, 5, 4], g, float64);

        var results = new Dictionary<string, Tensor>
        {
            ["bilinear_up"] = F.interpolate(x, [17, 13], InterpolationMode.Bilinear),
            ["bilinear_up_corners"] = F.interpolate(x, [17, 13], InterpolationMode.Bilinear, align_corners: true),
            ["bicubic_up"] = F.interpolate(x, [17, 13], InterpolationMode.Bicubic),
            ["nearest_up"] = F.interpolate(x, [17, 13]),
            ["bilinear_down"] = F.interpolate(x, [5, 4], InterpolationMode.Bilinear),
            ["bilinear_down_aa"] = F.interpolate(x, [5, 4], InterpolationMode.Bilinear, antialias: true),
            ["bicubic_down_aa"] = F.interpolate(x, [5, 4], InterpolationMode.Bicubic, antialias: true),
            ["area_down"] = F.interpolate(x, [5, 4], InterpolationMode.Area),
        };
        Tensor loss = zeros([], float64);
        foreach (var (name, y) in results) loss = loss + (y * (name.EndsWith("up") || name.EndsWith("corners") ? gu : gd)).sum();
        loss.backward();

        using TensorSet expected = PyTorch.Run("""
            x = inp["x"].requires_grad_()
            r = {
                "bilinear_up": F.interpolate(x, size=(17, 13), mode="bilinear", align_corners=False),
                "bilinear_up_corners": F.interpolate(x, size=(17, 13), mode="bilinear", align_corners=True),
                "bicubic_up": F.interpolate(x, size=(17, 13), mode="bicubic", align_corners=False),
                "nearest_up": F.interpolate(x, size=(17, 13), mode="nearest"),
                "bilinear_down": F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=False),
                "bilinear_down_aa": F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=False, antialias=True),
                "bicubic_down_aa": F.interpolate(x, size=(5, 4), mode="bicubic", align_corners=False, antialias=True),
                "area_down": F.interpolate(x, size=(5, 4), mode="area"),
            }
            loss = sum((y * (inp["gu"] if n.endswith("up") or n.endswith("corners") else inp["gd"])).sum() for n, y in r.items())
            loss.backward()
            out.update({n: y.detach() for n, y in r.items()})
            out["x"] = x.grad
            """, new Dictionary<string, Tensor> { ["x"] = x, ["gu"] = gu, ["gd"] = gd });

        foreach (var (name, y) in results) Close.Assert(expected[name], y, name);
        Close.Assert(expected["x"], x.grad, "dL/dx through every mode");
    }
}
