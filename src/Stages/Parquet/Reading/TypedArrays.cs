namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>Moves decoded values between typed arrays without boxing: dictionary lookup and
/// spreading the non-null values of a page over its rows.</summary>
internal static class TypedArrays
{
    public static Array Gather(Array dictionary, ReadOnlySpan<int> indices) => dictionary switch
    {
        bool[] a => Gather(a, indices),
        int[] a => Gather(a, indices),
        long[] a => Gather(a, indices),
        float[] a => Gather(a, indices),
        double[] a => Gather(a, indices),
        string[] a => Gather(a, indices),
        byte[][] a => Gather(a, indices),
        _ => throw new ArgumentException($"unexpected dictionary array {dictionary.GetType().Name}"),
    };

    /// <summary>Copies <paramref name="source"/> (the non-null values) into
    /// <paramref name="destination"/>[offset..offset+levels.Length) where the level is 1.</summary>
    public static void Scatter(Array source, Array destination, int offset, ReadOnlySpan<int> levels)
    {
        switch (destination)
        {
            case bool[] d: Scatter((bool[])source, d, offset, levels); break;
            case int[] d: Scatter((int[])source, d, offset, levels); break;
            case long[] d: Scatter((long[])source, d, offset, levels); break;
            case float[] d: Scatter((float[])source, d, offset, levels); break;
            case double[] d: Scatter((double[])source, d, offset, levels); break;
            case string[] d: Scatter((string[])source, d, offset, levels); break;
            case byte[][] d: Scatter((byte[][])source, d, offset, levels); break;
            default: throw new ArgumentException($"unexpected value array {destination.GetType().Name}");
        }
    }

    private static T[] Gather<T>(T[] dictionary, ReadOnlySpan<int> indices)
    {
        var result = new T[indices.Length];
        for (int i = 0; i < indices.Length; i++) result[i] = dictionary[indices[i]];
        return result;
    }

    private static void Scatter<T>(T[] source, T[] destination, int offset, ReadOnlySpan<int> levels)
    {
        int next = 0;
        for (int i = 0; i < levels.Length; i++)
        {
            if (levels[i] != 0) destination[offset + i] = source[next++];
        }
    }
}
