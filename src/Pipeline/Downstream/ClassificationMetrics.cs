namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Top-1 / top-5 accuracy, the confusion matrix (rows: true class, columns: predicted class) and
/// per-class accuracy of class scores. The prediction is the highest score; ties go to the lower
/// class index. Top-k counts a hit when the true class is among the k highest scores (k capped at
/// the class count), ties again broken towards lower indices.
/// </summary>
public sealed record ClassificationMetrics(int Count, double Top1, double Top5, int[][] Confusion, double?[] PerClassAccuracy)
{
    /// <param name="scores">one score vector per sample, each of <paramref name="numClasses"/> values</param>
    public static ClassificationMetrics Compute(IReadOnlyList<float[]> scores, IReadOnlyList<int> labels, int numClasses)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} score vectors but {labels.Count} labels");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "need at least one class");
        var confusion = Enumerable.Range(0, numClasses).Select(_ => new int[numClasses]).ToArray();
        int top1 = 0, top5 = 0, k5 = Math.Min(5, numClasses);
        for (int i = 0; i < scores.Count; i++)
        {
            float[] s = scores[i];
            int y = labels[i];
            if (s.Length != numClasses) throw new ArgumentException($"sample {i} has {s.Length} scores, expected {numClasses}");
            if (y < 0 || y >= numClasses) throw new ArgumentOutOfRangeException(nameof(labels), y, $"label of sample {i} is outside [0, {numClasses})");
            int[] ranked = Enumerable.Range(0, numClasses).OrderByDescending(c => s[c]).ThenBy(c => c).ToArray();
            confusion[y][ranked[0]]++;
            if (ranked[0] == y) top1++;
            if (Array.IndexOf(ranked, y, 0, k5) >= 0) top5++;
        }
        var perClass = new double?[numClasses];
        for (int c = 0; c < numClasses; c++)
        {
            int total = confusion[c].Sum();
            perClass[c] = total == 0 ? null : (double)confusion[c][c] / total;
        }
        int n = scores.Count;
        return new ClassificationMetrics(n, n == 0 ? 0 : (double)top1 / n, n == 0 ? 0 : (double)top5 / n, confusion, perClass);
    }

    /// <summary>The confusion matrix as aligned text, one row per true class.</summary>
    public string FormatConfusion(IReadOnlyList<string> classNames)
    {
        int k = Confusion.Length;
        int width = Math.Max(5, Confusion.SelectMany(r => r).DefaultIfEmpty(0).Max().ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1);
        int nameWidth = Math.Min(24, classNames.Select(n => n.Length).DefaultIfEmpty(4).Max());
        var sb = new System.Text.StringBuilder();
        sb.Append(new string(' ', nameWidth + 1)).AppendJoin("", Enumerable.Range(0, k).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width))).AppendLine("   (predicted)");
        for (int r = 0; r < k; r++)
        {
            string name = r < classNames.Count ? classNames[r] : $"class {r}";
            if (name.Length > nameWidth) name = name[..nameWidth];
            sb.Append(name.PadRight(nameWidth)).Append(' ')
              .AppendJoin("", Confusion[r].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width))).AppendLine();
        }
        return sb.ToString();
    }
}
