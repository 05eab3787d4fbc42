using System.Text.Json;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Runs a PyTorch script with <c>st</c> and <c>cvmae_reference</c> importable; exchanges tensors through safetensors.</summary>
internal static class Reference
{
    public static string Run(TempDir dir, string script)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "python", "cvmae_reference.py"), dir.File("cvmae_reference.py"), overwrite: true);
        return PyTorchReference.Run(script, dir.Path);
    }

    /// <summary>Runs the script and parses the JSON object it prints last.</summary>
    public static Dictionary<string, double> RunJson(TempDir dir, string script)
    {
        string stdout = Run(dir, script).Trim();
        string last = stdout.Split('\n').Last();
        return JsonSerializer.Deserialize<Dictionary<string, double>>(last)
               ?? throw new InvalidOperationException("reference printed no JSON: " + stdout);
    }

    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors) => SafeTensors.Save(path, tensors);

    public static Dictionary<string, Tensor> Load(string path) => SafeTensors.Load(path).tensors;

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(a.shape, b.shape);
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item();
    }
}
