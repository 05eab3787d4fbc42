using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;
using CrossVideoMAE.Torch.IO;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>Inputs and reference plumbing shared by the augmentation tests.</summary>
internal static class AugmentTestData
{
    /// <summary>uint8 <c>[N, H, W, 3]</c> whose pixel (i, y, x) holds (y, x, i): a crop's values
    /// say where each output pixel came from.</summary>
    public static Tensor CoordinateImages(int n, int height, int width)
    {
        var v = new byte[n * height * width * 3];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int at = ((i * height + y) * width + x) * 3;
                    v[at] = (byte)y;
                    v[at + 1] = (byte)x;
                    v[at + 2] = (byte)i;
                }
        return torch.tensor(v, n, height, width, 3);
    }

    /// <summary>Seeded random uint8 values of the given shape.</summary>
    public static Tensor RandomBytes(int seed, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var v = new byte[n];
        new Random(seed).NextBytes(v);
        return torch.tensor(v, shape);
    }

    /// <summary>Saves the tensors, runs the Python script (which reads in.safetensors and writes
    /// out.safetensors) with Debian's PyTorch, and returns what it wrote.</summary>
    public static Dictionary<string, Tensor> RunReference(string script, IEnumerable<KeyValuePair<string, Tensor>> inputs)
    {
        using var dir = new TempDir("cvmae-augment");
        SafeTensors.Save(dir.File("in.safetensors"), inputs);
        PyTorchReference.Run(script, dir.Path);
        return SafeTensors.Load(dir.File("out.safetensors")).tensors;
    }

    /// <summary>Largest absolute difference between two tensors of the same shape.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var scope = torch.NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item();
    }

    /// <summary>A clip tensor <c>[1, 3, T, H, W]</c> float from images <c>[T, H, W, 3]</c> uint8.</summary>
    public static Tensor ToClip(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(images.permute(3, 0, 1, 2).unsqueeze(0).to(ScalarType.Float32).contiguous());
    }

    /// <summary>Images <c>[T, H, W, 3]</c> float from a clip <c>[1, 3, T, H, W]</c>.</summary>
    public static Tensor FromClip(Tensor clip)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(clip.squeeze(0).permute(1, 2, 3, 0).contiguous());
    }

    public static AugmentConfig SmallConfig(DatasetKind dataset = DatasetKind.Kinetics400) => new()
    {
        Dataset = dataset,
        ShortSide = 32,
        CropSize = 16,
    };
}
