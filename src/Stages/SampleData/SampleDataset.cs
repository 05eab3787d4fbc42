namespace CrossVideoMAE.Stages.SampleData;

/// <summary>
/// A generated sample dataset and where each format's files are:
/// <code>
/// ROOT/videos/&lt;class&gt;/&lt;id&gt;.&lt;mp4|webm|avi&gt;   folder layout; UCF101/HMDB51 video root; Kinetics "Label" layout
/// ROOT/ssv2_videos/&lt;n&gt;.&lt;ext&gt;             symbolic links for Something-Something V2 ids
/// ROOT/annotations/kinetics400/train.csv, validate.csv
/// ROOT/annotations/ssv2/labels.json, something-something-v2-train.json, something-something-v2-validation.json
/// ROOT/annotations/ucf101/classInd.txt, trainlist01.txt, testlist01.txt
/// ROOT/annotations/hmdb51/&lt;class&gt;_test_split1.txt
/// ROOT/sample.json                          every video with its truth (<see cref="SampleVideo"/>)
/// </code>
/// The held-out quarter is "val" in Kinetics/SSv2 and "test" in UCF101/HMDB51, as those datasets name it.
/// </summary>
public sealed record SampleDataset(string Root, IReadOnlyList<string> ClassNames, IReadOnlyList<SampleVideo> Videos)
{
    public string VideosDir => Path.Combine(Root, "videos");
    public string Ssv2VideosDir => Path.Combine(Root, "ssv2_videos");
    public string AnnotationsDir => Path.Combine(Root, "annotations");
    public string KineticsDir => Path.Combine(AnnotationsDir, "kinetics400");
    public string Ssv2Dir => Path.Combine(AnnotationsDir, "ssv2");
    public string Ucf101Dir => Path.Combine(AnnotationsDir, "ucf101");
    public string Hmdb51Dir => Path.Combine(AnnotationsDir, "hmdb51");
    public string SummaryFile => Path.Combine(Root, "sample.json");

    public IReadOnlyList<string> KineticsCsvFiles => [Path.Combine(KineticsDir, "train.csv"), Path.Combine(KineticsDir, "validate.csv")];
    public string Ssv2LabelsFile => Path.Combine(Ssv2Dir, "labels.json");
    public IReadOnlyList<string> Ssv2AnnotationFiles =>
        [Path.Combine(Ssv2Dir, "something-something-v2-train.json"), Path.Combine(Ssv2Dir, "something-something-v2-validation.json")];
}
