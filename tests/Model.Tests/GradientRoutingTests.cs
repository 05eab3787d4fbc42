using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Each loss term sends gradient to the parts it should and to no other.</summary>
public class GradientRoutingTests
{
    private static readonly string[] Parts = ["video_encoder.", "image_encoder.", "g_u.", "g_f.", "decoder.", "e_u."];

    /// <summary>Runs the full forward (every part computed) and back-propagates only the chosen terms;
    /// returns, per part, whether any of its parameters got a non-zero gradient.</summary>
    private static Dictionary<string, bool> Reached(LossConfig config, bool freezeImage = false)
    {
        using var scope = torch.NewDisposeScope();
        ModelConfig c = TinySetup.Config() with { FreezeImageEncoder = freezeImage };
        using var model = new CrossVideoMAE(c, seed: 1);
        CrossVideoMaeBatch batch = TinySetup.Batch(c, 4, 1, seed: 2);
        CrossVideoMaeOutput o = model.forward(batch, new Generator(3), ForwardParts.All);
        new CrossVideoMaeLoss(config, c).Compute(o, batch).Total.backward();
        var reached = Parts.ToDictionary(p => p, _ => false);
        foreach (var (name, p) in model.named_parameters())
        {
            using Tensor? g = p.grad;
            if (g is not null && g.abs().sum().item() > 0)
                reached[Parts.First(name.StartsWith)] = true;
        }
        return reached;
    }

    private static void AssertReaches(Dictionary<string, bool> reached, params string[] expected)
    {
        foreach (string part in Parts)
            Assert.True(reached[part] == expected.Contains(part), $"{part} {(reached[part] ? "got" : "did not get")} gradient");
    }

    private static readonly LossConfig Off = new() { Intra = false, Cross = false, Reconstruction = false, DecoderMse = false };

    [Fact]
    public void Intra_reaches_the_video_side_only() =>
        AssertReaches(Reached(Off with { Intra = true }), "video_encoder.", "g_u.");

    [Fact]
    public void Cross_reaches_both_encoders_but_not_the_decoder() =>
        AssertReaches(Reached(Off with { Cross = true }), "video_encoder.", "image_encoder.", "g_u.", "g_f.");

    [Fact]
    public void Reconstruction_reaches_the_decoder_but_not_the_image_side() =>
        AssertReaches(Reached(Off with { Reconstruction = true }), "video_encoder.", "g_u.", "decoder.", "e_u.");

    [Fact]
    public void Decoder_mse_reaches_the_decoder_path() =>
        AssertReaches(Reached(Off with { DecoderMse = true }), "video_encoder.", "g_u.", "decoder.", "e_u.");

    [Fact]
    public void A_frozen_image_encoder_gets_no_gradient_but_g_f_does() =>
        AssertReaches(Reached(Off with { Cross = true }, freezeImage: true), "video_encoder.", "g_u.", "g_f.");

    [Fact]
    public void Frame_level_terms_reach_the_video_encoder_through_the_selected_tokens_only()
    {
        // Frame-level intra alone: only the visible tokens of the selected tubelets feed z_f, so the
        // patch embedding still gets gradient while the full objective is not needed.
        AssertReaches(Reached(Off with { Intra = true, VideoLevel = false }), "video_encoder.", "g_u.");
    }
}
