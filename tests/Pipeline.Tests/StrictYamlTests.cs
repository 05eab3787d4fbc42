using CrossVideoMAE.Pipeline.Config;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class StrictYamlTests
{
    public sealed class Inner { public double Lr { get; set; } = 1; public List<double> Betas { get; set; } = [0.9, 0.999]; }
    public sealed class Outer { public string Model { get; set; } = "tiny"; public int BatchSize { get; set; } = 2; public Inner Optim { get; set; } = new(); }

    [Fact]
    public void Snake_case_keys_fill_the_settings_and_defaults_stay()
    {
        var c = StrictYaml.Parse<Outer>("model: small\noptim:\n  lr: 0.5\n", "a.yaml");
        Assert.Equal("small", c.Model);
        Assert.Equal(2, c.BatchSize);
        Assert.Equal(0.5, c.Optim.Lr);
        Assert.Equal([0.9, 0.999], c.Optim.Betas);
        Assert.Equal(8, StrictYaml.Parse<Outer>("batch_size: 8", "b.yaml").BatchSize);
    }

    [Fact]
    public void Unknown_key_names_file_line_and_key()
    {
        var e = Assert.Throws<InvalidDataException>(() => StrictYaml.Parse<Outer>("model: tiny\noptim:\n  lrr: 0.5\n", "cfg.yaml"));
        Assert.StartsWith("cfg.yaml:3:", e.Message);
        Assert.Contains("lrr", e.Message);
    }

    [Fact]
    public void Wrong_type_is_an_error_with_position()
    {
        var e = Assert.Throws<InvalidDataException>(() => StrictYaml.Parse<Outer>("batch_size: many\n", "cfg.yaml"));
        Assert.StartsWith("cfg.yaml:1:", e.Message);
    }

    [Fact]
    public void Empty_document_gives_defaults() => Assert.Equal("tiny", StrictYaml.Parse<Outer>("", "e.yaml").Model);
}
