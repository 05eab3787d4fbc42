namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// Where a scale-out part takes its index from: <c>--shard-index</c> when given, else the index a job
/// scheduler sets for each of its tasks: <c>JOB_COMPLETION_INDEX</c> (a Kubernetes Indexed Job) or
/// <c>SLURM_ARRAY_TASK_ID</c> (a Slurm job array, submitted with <c>--array=0-(n-1)</c>), else 0.
/// </summary>
public static class PartIndexSource
{
    public static readonly IReadOnlyList<string> Variables = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"];

    public static int Resolve(int? option, Func<string, string?> environment)
    {
        if (option is not null) return option.Value;
        foreach (string name in Variables)
        {
            string? value = environment(name);
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                throw new ArgumentException($"{name}='{value}' is not a part index (a non-negative integer)");
            return index;
        }
        return 0;
    }
}
