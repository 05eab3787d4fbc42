using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Positional-embedding resampling equals PyTorch's F.interpolate (bicubic / linear, align_corners=False).</summary>
[Collection(ForeignCheckpointCollection.Name)]
public sealed class CheckpointPosEmbedTests(ForeignCheckpointFixtures fx) : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly Dictionary<string, Tensor> py = Expected(fx.Dir, "resampled.safetensors");

    public void Dispose() => DisposeAll(py.Values);

    [Fact]
    public void Spatial_grids_are_resampled_bicubically_down_and_up()
    {
        using Tensor down = PosEmbedResampler.ResampleSpatial(py["spatial_in"], (14, 14), (7, 9));
        AssertClose(py["spatial_7x9"], down, Tolerance, "14x14 -> 7x9");
        using Tensor up = PosEmbedResampler.ResampleSpatial(py["spatial_in"], (14, 14), (20, 20));
        AssertClose(py["spatial_20x20"], up, Tolerance, "14x14 -> 20x20");
    }

    [Fact]
    public void Temporal_positions_are_resampled_linearly()
    {
        using Tensor fewer = PosEmbedResampler.ResampleTemporal(py["temporal_in"], 8, 5);
        AssertClose(py["temporal_5"], fewer, Tolerance, "8 -> 5");
        using Tensor more = PosEmbedResampler.ResampleTemporal(py["temporal_in"], 8, 16);
        AssertClose(py["temporal_16"], more, Tolerance, "8 -> 16");
    }

    [Fact]
    public void A_joint_space_time_table_is_resampled_per_frame_then_over_time()
    {
        using Tensor r = PosEmbedResampler.ResampleJoint(py["joint_in"], (4, 6, 6), (7, 4, 5));
        AssertClose(py["joint_7x4x5"], r, Tolerance, "4x6x6 -> 7x4x5");
    }

    [Fact]
    public void Half_precision_tables_come_back_in_their_own_dtype()
    {
        using Tensor half = py["spatial_in"].to(ScalarType.BFloat16);
        using Tensor r = PosEmbedResampler.ResampleSpatial(half, (14, 14), (7, 9));
        Assert.Equal(ScalarType.BFloat16, r.dtype);
        AssertClose(py["spatial_7x9"], r, 0.05, "bf16 14x14 -> 7x9");
    }

    [Fact]
    public void Key_maps_resample_to_the_target_grid_they_are_given()
    {
        using (PthStateDict mae = PthReader.Load(fx.Dir.File("mae.pth")))
        using (KeyMapResult r = ForeignKeyMaps.MapMaeImage(mae.Tensors, new KeyMapOptions { SpatialGrid = (7, 7) }))
        {
            AssertClose(py["mae_pos_7x7"], r.Tensors["pos_embed"], Tolerance, "MAE pos_embed 4x4 -> 7x7");
            Assert.Contains("pos_embed: resampled the 4x4 grid to 7x7 (bicubic)", r.Notes);
        }
        using (PthStateDict st = PthReader.Load(fx.Dir.File("mae_st.pth")))
        using (KeyMapResult r = ForeignKeyMaps.MapMaeStVideo(st.Tensors, new KeyMapOptions { SpatialGrid = (2, 3), TemporalGrid = 6 }))
        {
            AssertClose(py["mae_st_spatial_2x3"], r.Tensors["pos_embed_spatial"], Tolerance, "pos_embed_spatial 4x4 -> 2x3");
            AssertClose(py["mae_st_temporal_6"], r.Tensors["pos_embed_temporal"], Tolerance, "pos_embed_temporal 4 -> 6");
        }
    }

    [Fact]
    public void Separable_tables_join_into_the_joint_table_mae_st_adds()
    {
        using PthStateDict source = PthReader.Load(fx.Dir.File("mae_st.pth"));
        using KeyMapResult r = ForeignKeyMaps.MapMaeStVideo(source.Tensors, new KeyMapOptions { JointPositions = true });
        Assert.DoesNotContain("pos_embed_spatial", r.Tensors.Keys);
        Assert.DoesNotContain("pos_embed_temporal", r.Tensors.Keys);
        AssertIdentical(py["mae_st_joint"], r.Tensors["pos_embed"], "joined pos_embed");
        Assert.Contains("joined pos_embed_spatial and pos_embed_temporal into pos_embed [1, 64, 48]", r.Notes);
    }

    [Fact]
    public void A_joint_video_table_is_resampled_when_its_grid_can_be_inferred()
    {
        using PthStateDict source = PthReader.Load(fx.Dir.File("videomae.pth"));
        Assert.Equal(new long[] { 1, 32, 48 }, source.Tensors["encoder.pos_embed"].shape); // a 2x4x4 grid
        using KeyMapResult r = ForeignKeyMaps.MapVideoMae(source.Tensors, new KeyMapOptions { SpatialGrid = (3, 3), TemporalGrid = 2 });
        Assert.Equal(new long[] { 1, 18, 48 }, r.Tensors["pos_embed"].shape);
        Assert.Contains("pos_embed: resampled the 2x4x4 grid to 2x3x3 (bicubic in space, linear in time)", r.Notes);

        var e = Assert.Throws<InvalidDataException>(() => ForeignKeyMaps.MapVideoMae(source.Tensors, new KeyMapOptions { SpatialGrid = (5, 5), TemporalGrid = 3 }));
        Assert.Contains("set KeyMapOptions.SourceGrid", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_match_the_stated_grid_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PosEmbedResampler.ResampleSpatial(py["spatial_in"], (10, 10), (5, 5)));
        Assert.Contains("expected [1, 100, D]", e.Message);
    }
}
