using System.Globalization;
using System.Text;
using System.Text.Json;
using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Stages.SampleData;

/// <summary>Writes the sample dataset's annotations in the Kinetics-400, Something-Something V2, UCF101 and
/// HMDB51 formats (as <see cref="Datasets"/> reads them) plus <c>sample.json</c>.</summary>
internal static class SampleAnnotationWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task WriteAllAsync(SampleDataset d, IReadOnlyList<MotionClass> classes, CancellationToken ct)
    {
        foreach (string dir in new[] { d.KineticsDir, d.Ssv2Dir, d.Ucf101Dir, d.Hmdb51Dir, d.Ssv2VideosDir }) Directory.CreateDirectory(dir);
        bool Held(SampleVideo v) => v.Split != DatasetSplits.Train;
        MotionClass ClassOf(SampleVideo v) => classes.Single(c => c.Name == v.ClassName);

        // Kinetics-400: one CSV per split; label folders are the class names (the "Label" layout, underscores).
        foreach ((string file, bool held) in new[] { (d.KineticsCsvFiles[0], false), (d.KineticsCsvFiles[1], true) })
        {
            var csv = new StringBuilder("label,youtube_id,time_start,time_end,split\n");
            foreach (SampleVideo v in d.Videos.Where(v => Held(v) == held))
            {
                string[] parts = v.VideoId.Split('_');   // youtube id (no underscores), start, end
                csv.Append(CultureInfo.InvariantCulture, $"{ClassOf(v).KineticsLabel},{parts[0]},{int.Parse(parts[1], CultureInfo.InvariantCulture)},{int.Parse(parts[2], CultureInfo.InvariantCulture)},{(held ? "val" : "train")}\n");
            }
            await File.WriteAllTextAsync(file, csv.ToString(), ct).ConfigureAwait(false);
        }

        // Something-Something V2: labels.json in label order; entries with the template as the class.
        var labels = new Dictionary<string, string>();
        for (int i = 0; i < d.ClassNames.Count; i++)
            labels[SomethingSomethingV2Reader.ClassName(classes.Single(c => c.Name == d.ClassNames[i]).Ssv2Template)] = i.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(d.Ssv2LabelsFile, JsonSerializer.Serialize(labels, Indented), ct).ConfigureAwait(false);
        foreach ((string file, bool held) in new[] { (d.Ssv2AnnotationFiles[0], false), (d.Ssv2AnnotationFiles[1], true) })
        {
            var items = d.Videos.Where(v => Held(v) == held).Select(v => new Dictionary<string, object>
            {
                ["id"] = v.Ssv2Id,
                ["label"] = ClassOf(v).Ssv2Template.Replace("[something]", "a box").Replace("[Something]", "A box"),
                ["template"] = ClassOf(v).Ssv2Template,
            });
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(items, Indented), ct).ConfigureAwait(false);
        }
        foreach (SampleVideo v in d.Videos)
        {
            string link = Path.Combine(d.Ssv2VideosDir, v.Ssv2Id + Path.GetExtension(v.RelativePath));
            if (File.Exists(link) || Directory.Exists(link)) File.Delete(link);
            File.CreateSymbolicLink(link, Path.Combine("..", v.RelativePath));
        }

        // UCF101: 1-based classInd in label order; train lines carry the index, test lines do not.
        await File.WriteAllLinesAsync(Path.Combine(d.Ucf101Dir, "classInd.txt"),
            d.ClassNames.Select((c, i) => $"{i + 1} {c}"), ct).ConfigureAwait(false);
        await File.WriteAllLinesAsync(Path.Combine(d.Ucf101Dir, "trainlist01.txt"),
            d.Videos.Where(v => !Held(v)).Select(v => $"{v.ClassName}/{Path.GetFileName(v.RelativePath)} {v.Label + 1}"), ct).ConfigureAwait(false);
        await File.WriteAllLinesAsync(Path.Combine(d.Ucf101Dir, "testlist01.txt"),
            d.Videos.Where(Held).Select(v => $"{v.ClassName}/{Path.GetFileName(v.RelativePath)}"), ct).ConfigureAwait(false);

        // HMDB51: one file per class; 1 = train, 2 = test.
        foreach (string cls in d.ClassNames)
            await File.WriteAllLinesAsync(Path.Combine(d.Hmdb51Dir, $"{cls}_test_split1.txt"),
                d.Videos.Where(v => v.ClassName == cls).Select(v => $"{Path.GetFileName(v.RelativePath)} {(Held(v) ? 2 : 1)} "), ct).ConfigureAwait(false);

        await File.WriteAllTextAsync(d.SummaryFile, JsonSerializer.Serialize(new { d.ClassNames, d.Videos }, Indented), ct).ConfigureAwait(false);
    }
}
