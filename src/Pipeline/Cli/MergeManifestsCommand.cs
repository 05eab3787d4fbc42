using System.CommandLine;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary><c>cvmae merge-manifests</c>: joins the part indexes of a scale-out prepare run.</summary>
public static class MergeManifestsCommand
{
    public static Command Create()
    {
        var parts = new Argument<string[]>("parts") { Description = "Part index files (index-partIIIofNNN.json)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Merged index to write; it lists the parts' shards by paths relative to its own folder", Required = true };
        var cmd = new Command("merge-manifests", "Join the index files of the parts of a scale-out prepare run into one index.json.") { parts, output };
        cmd.SetAction(async (p, ct) =>
        {
            try
            {
                ShardIndex merged = await ManifestMerger.MergeAsync(p.GetValue(parts)!, p.GetValue(output)!, ct);
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(p.GetValue(output)!))!);
                await ShardIndexFile.SaveAsync(p.GetValue(output)!, merged, ct);
                Console.WriteLine($"merged {p.GetValue(parts)!.Length} parts: {merged.Shards.Count} shards, {merged.Totals.Rows} clips, " +
                                  $"{merged.Totals.Quarantined} quarantined of {merged.Totals.Inputs} inputs -> {p.GetValue(output)}");
                return 0;
            }
            catch (Exception e)
            {
                return ExitCodes.Fail(e);
            }
        });
        return cmd;
    }
}
