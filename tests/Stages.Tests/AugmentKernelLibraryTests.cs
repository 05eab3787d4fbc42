using CrossVideoMAE.Stages.Augment.Native;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>libcvmae_augment.so stands apart from libtorch: binutils' readelf lists what it links,
/// and the kernels see a tensor only through the address, shape and strides handed to them.</summary>
public class AugmentKernelLibraryTests
{
    [Fact]
    public void The_kernel_library_links_no_libtorch()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "libcvmae_augment.so");
        Assert.True(File.Exists(lib), $"{lib} was not copied beside the tests");
        string[] needed = ProcessRunner.Run("readelf", ["-d", "-W", lib]).Split('\n')
            .Where(l => l.Contains("(NEEDED)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')]).ToArray();
        Assert.Contains(needed, n => n.StartsWith("libc.so"));
        Assert.DoesNotContain(needed, n => n.Contains("torch") || n.Contains("c10"));
    }

    [Fact]
    public void Views_with_offsets_and_strides_are_read_and_written_where_they_lie()
    {
        using var scope = NewDisposeScope();
        // Rows 1..2 of a [4, 6] byte matrix, every other column: a view with an offset and stride 2.
        Tensor whole = arange(0, 24, 1, ScalarType.Byte).reshape(4, 6);
        Tensor view = whole.narrow(0, 1, 2).narrow(1, 0, 5);          // [2, 5], strides [6, 1], offset 6
        Tensor table = (arange(0, 256, 1, ScalarType.Int64) * 2 % 256).to(ScalarType.Byte).reshape(1, 256);
        AugmentKernels.lut_into(view, table, view);                    // in place: values doubled
        byte[] expected = Enumerable.Range(0, 24).Select(v => (byte)((v >= 6 && v < 18 && v % 6 < 5) ? v * 2 : v)).ToArray();
        Assert.Equal(expected, whole.ToArray<byte>());

        var e = Assert.Throws<ArgumentException>(() => AugmentKernels.lut_into(whole.t(), table, whole.t()));
        Assert.Contains("rows must be contiguous (stride(1) = 1), strides are [1, 6]", e.Message);
    }
}
