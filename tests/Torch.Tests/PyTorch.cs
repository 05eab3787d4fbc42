using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch.IO;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>
/// Runs a PyTorch script (Debian's python3-torch, the same libtorch) on tensors made here: the
/// inputs go to the script as <c>inp</c> (a dict read from in.safetensors by the independent
/// reader st.py), the script fills the dict <c>out</c>, which comes back through our loader.
/// </summary>
internal static class PyTorch
{
    private const string Preamble = """
        import json
        import math
        import torch
        import torch.nn.functional as F
        import st
        torch.set_num_threads(1)
        inp = st.load("in.safetensors")
        out = {}

        """;

    private const string Epilogue = """

        st.save(out, "out.safetensors")
        """;

    /// <summary>Runs <paramref name="body"/> and returns the tensors it put in <c>out</c>.</summary>
    public static TensorSet Run(string body, IEnumerable<KeyValuePair<string, Tensor>>? inputs = null) => Run(body, inputs, out _);

    /// <summary>As <see cref="Run(string, IEnumerable{KeyValuePair{string, Tensor}}?)"/>, also giving the script's stdout.</summary>
    public static TensorSet Run(string body, IEnumerable<KeyValuePair<string, Tensor>>? inputs, out string stdout)
    {
        using var dir = new TempDir("cvmae-torchref");
        SafeTensors.Save(dir.File("in.safetensors"), inputs ?? []);
        stdout = PyTorchReference.Run(Preamble + body + Epilogue, dir.Path);
        return new TensorSet(SafeTensors.Load(dir.File("out.safetensors")).tensors);
    }
}

/// <summary>Tensors by name, disposed together.</summary>
internal sealed class TensorSet(Dictionary<string, Tensor> tensors) : IDisposable
{
    public Tensor this[string name] =>
        tensors.TryGetValue(name, out Tensor? t) ? t : throw new KeyNotFoundException($"the script did not produce '{name}'");

    public IReadOnlyCollection<string> Names => tensors.Keys;

    public void Dispose()
    {
        foreach (Tensor t in tensors.Values) t.Dispose();
    }
}
