using System.Diagnostics;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Nightly refreshes: a re-run over a changed input set gives the rows of a fresh run over the
/// final set (DuckDB reading both), reusing the rows of unchanged inputs, in a new manifest version.</summary>
[Collection(NightlyCollection.Name)]
public class PrepareNightlyTests(NightlyPool pool)
{
    [Fact]
    public async Task A_nightly_rerun_over_a_changed_set_gives_the_rows_of_a_fresh_run_and_decodes_only_what_changed()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        string outDir = Path.Combine(dir.Path, "out"), freshDir = Path.Combine(dir.Path, "fresh");
        PrepareSummary first = await new PrepareRunner(d.Options(outDir)).RunAsync();
        Assert.Equal((1, 6, 6), (first.Version, first.Added, first.Decoded));
        ShardIndex v1 = await ShardIndexFile.LoadAsync(first.Index);
        Assert.Equal(["train", "val"], v1.SplitNames);

        d.ApplyNightlyChange();
        PrepareSummary nightly = await new PrepareRunner(d.Options(outDir)).RunAsync();
        PrepareSummary fresh = await new PrepareRunner(d.Options(freshDir)).RunAsync();

        // a0, a9 added; b2 removed; a2 (content), b1 (label), a3 (split) changed; a1, b3 kept. Only a0, a9 and a2 are decoded.
        Assert.Equal((2, 1, 3, 2), (nightly.Added, nightly.Removed, nightly.Changed, nightly.Kept));
        Assert.Equal(3, nightly.Decoded);
        Assert.Equal(2, nightly.Version);
        Assert.Equal(14, nightly.Rows);
        string[] rows = await NightlyDataset.RowsAsync(nightly.Index);
        Assert.Equal(14, rows.Length);
        Assert.Equal(await NightlyDataset.RowsAsync(fresh.Index), rows);

        ShardIndex v2 = await ShardIndexFile.LoadAsync(nightly.Index);
        Assert.Equal(new IndexChanges(2, 1, 3, 2), v2.Changes);
        Assert.Equal(new SplitTotals(10, 5, v2.Shards.Count(s => s.Split == "train")), v2.Splits["train"]);
        Assert.Equal(new SplitTotals(4, 2, v2.Shards.Count(s => s.Split == "val")), v2.Splits["val"]);
        Assert.Equal(7, v2.Inputs.Count);
        Assert.Equal(v2.Totals.Inputs, v2.Inputs.Count(i => i.Rows > 0) + v2.Totals.Quarantined);  // every input accounted for
        Assert.Equal(v2.Totals.Rows, v2.Inputs.Sum(i => i.Rows));
        Assert.Equal(NightlyDataset.VideoId("a2"), Assert.Single(v2.Inputs, i => i.Input == "a2_000000_000002.avi").VideoId);

        // The previous version stays readable (--keep-versions 2): its file and every shard it lists.
        string v1Path = Path.Combine(outDir, "v00001.index.json");
        Assert.Equal(ShardIndexFile.Serialize(v1), ShardIndexFile.Serialize(await ShardIndexFile.LoadAsync(v1Path)));
        Assert.All(v1.Shards, s => Assert.True(File.Exists(Path.Combine(outDir, s.File)), s.File));

        // An unchanged re-run decodes nothing, keeps every shard, and with --keep-versions 1 removes what only v1 listed.
        PrepareSummary again = await new PrepareRunner(d.Options(outDir) with { KeepVersions = 1 }).RunAsync();
        Assert.Equal((0, 0, 0, 7, 0, 0L), (again.Added, again.Removed, again.Changed, again.Kept, again.Decoded, again.CopiedRows));
        ShardIndex v3 = await ShardIndexFile.LoadAsync(again.Index);
        Assert.Equal(v2.Shards, v3.Shards);
        Assert.Equal(3, v3.Version);
        Assert.False(File.Exists(v1Path));
        string[] onDisk = Directory.GetFiles(outDir, "*.parquet").Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(v3.Shards.Select(s => s.File).Order(), onDisk);
        Assert.Equal(rows, await NightlyDataset.RowsAsync(again.Index));
    }

    [Fact]
    public async Task A_setting_that_alters_rows_is_refused_by_name_unless_rebuild()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        string outDir = Path.Combine(dir.Path, "out");
        await new PrepareRunner(d.Options(outDir)).RunAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new PrepareRunner(d.Options(outDir) with { Stride = 3 }).RunAsync());
        Assert.Contains("stride (2 before, 3 now)", e.Message);
        Assert.Contains("--rebuild", e.Message);
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => new PrepareRunner(d.Options(outDir) with { JpegQuality = 80 }).RunAsync());
        Assert.Contains("jpeg_quality (90 before, 80 now)", e.Message);

        PrepareSummary rebuilt = await new PrepareRunner(d.Options(outDir) with { Stride = 3, Rebuild = true, KeepVersions = 1 }).RunAsync();
        Assert.Equal((2, 6), (rebuilt.Version, rebuilt.Decoded));
        ShardIndex index = await ShardIndexFile.LoadAsync(rebuilt.Index);
        Assert.Equal(3, index.Config.Stride);
        Assert.Equal(index.Shards.Select(s => s.File).Order(), Directory.GetFiles(outDir, "*.parquet").Select(Path.GetFileName).Order());
    }

    // Frames of 144x96 make rows of about 40 KB: one or two rows per 64 KB shard, so a nightly run writes several shards.
    private const int Big = 96;

    [Fact]
    public async Task A_nightly_run_killed_with_SIGKILL_one_or_more_times_finishes_to_the_rows_of_a_fresh_run()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        string outDir = Path.Combine(dir.Path, "out"), freshDir = Path.Combine(dir.Path, "fresh");
        await new PrepareRunner(d.Options(outDir, Big)).RunAsync();
        d.ApplyNightlyChange();

        string journal = Path.Combine(outDir, ".prepare-journal.jsonl");
        int kills = 0;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            // Each child run is killed once the journal has one more line than when it started (or it finishes).
            // How many kills land depends on timing: journal lines can come in a burst that the 5 ms poll sees at
            // once, and a resumed child may have nothing left to journal before it publishes. So the first kill
            // is required and later ones are best effort (a quiet machine often finishes after one).
            int linesBefore = File.Exists(journal) ? File.ReadAllLines(journal).Length : 1;
            if (!await RunAndKillAsync(d.CliArguments(outDir, Big), () => File.Exists(journal) && File.ReadAllLines(journal).Length > linesBefore)) break;
            kills++;
            // index.json is always a whole version: the previous one, or the new one when the kill came after the switch.
            Assert.InRange((await ShardIndexFile.LoadAsync(Path.Combine(outDir, "index.json"))).Version, 1, 2);
        }
        Assert.True(kills >= 1, "no run was killed before it finished: the kill came too late to test anything");

        PrepareSummary resumed = await new PrepareRunner(d.Options(outDir, Big)).RunAsync();
        Assert.True(resumed.Resumed || resumed.Version == 3);  // resumed v2, or v2 was published by a child
        PrepareSummary fresh = await new PrepareRunner(d.Options(freshDir, Big)).RunAsync();
        Assert.Equal(await NightlyDataset.RowsAsync(fresh.Index), await NightlyDataset.RowsAsync(resumed.Index));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
        Assert.False(File.Exists(journal));
        // Only the shards of the two kept versions are on disk.
        string[] versionFiles = Directory.GetFiles(outDir, "v*.index.json");
        Assert.Equal(2, versionFiles.Length);
        var listed = new HashSet<string>();
        foreach (string v in versionFiles) listed.UnionWith((await ShardIndexFile.LoadAsync(v)).Shards.Select(s => s.File));
        Assert.Equal(listed.Order(), Directory.GetFiles(outDir, "*.parquet").Select(Path.GetFileName).Order());
    }

    // Runs `cvmae prepare` as a child process and kills it (SIGKILL) when `killWhen` holds; true when it was killed.
    private static async Task<bool> RunAndKillAsync(string[] args, Func<bool> killWhen)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cvmae.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2) && !killWhen()) await Task.Delay(5);
        bool killed = !p.HasExited;
        if (killed) p.Kill(entireProcessTree: true);  // SIGKILL
        await p.WaitForExitAsync();
        return killed;
    }
}
