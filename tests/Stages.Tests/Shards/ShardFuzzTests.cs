using System.Buffers.Binary;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace CrossVideoMAE.Stages.Tests.Shards;

/// <summary>
/// Damaged copies of a small shard (bytes flipped in the footer, bytes flipped in the pages,
/// truncations), chosen by a fixed seed, read with and without the manifest entry: each either
/// fails with an <see cref="InvalidDataException"/> naming the file, or yields exactly the rows
/// written. No other exception type may escape.
/// </summary>
public sealed class ShardFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int FooterFlips = 130, PageFlips = 130, Truncations = 80;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_damaged_copy_fails_naming_the_file_or_reads_back_exactly()
    {
        var layout = new ShardLayout(clipLength: 4, sampledFrames: 1);
        ShardRow[] rows = Enumerable.Range(0, 6).Select(v => ShardTestRows.Row(v, v % 2, layout, frameBytes: 120) with { Split = "train" }).ToArray();   // one split: one shard
        string original = Path.Combine(_dir.Path, "orig");
        ShardInfo info;
        await using (var writer = new ShardWriter(original, "fuzz", layout, new ShardWriterOptions { RowGroupBytes = 1_500 }))
        {
            foreach (ShardRow row in rows) await writer.AppendAsync(row);
            info = (await writer.CompleteAsync())!;
        }
        byte[] clean = await File.ReadAllBytesAsync(Path.Combine(original, info.File));
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(clean.AsSpan(clean.Length - 8));
        int footerStart = clean.Length - 8 - footerLength;
        Assert.True(footerStart > 4 && footerLength > 0);

        var random = new Random(20261206);
        var copies = new List<(string What, byte[] Bytes)>();
        for (int i = 0; i < FooterFlips; i++) copies.Add(Flip(clean, random.Next(footerStart, clean.Length), random, "footer"));
        for (int i = 0; i < PageFlips; i++) copies.Add(Flip(clean, random.Next(4, footerStart), random, "page"));
        for (int i = 0; i < Truncations; i++)
        {
            int length = i < Truncations / 2 ? (int)((long)clean.Length * i / (Truncations / 2)) : random.Next(footerStart, clean.Length);
            copies.Add(($"truncated to {length}", clean[..length]));
        }

        string damagedDir = Path.Combine(_dir.Path, "damaged");
        Directory.CreateDirectory(damagedDir);
        string path = Path.Combine(damagedDir, info.File);
        int refusedWithManifest = 0, refusedWithout = 0, sameWithout = 0;
        var reasons = new Dictionary<string, int>();
        foreach ((string what, byte[] bytes) in copies)
        {
            await File.WriteAllBytesAsync(path, bytes);
            if (await ReadAsync(() => ShardReader.OpenAsync(damagedDir, info), path, rows, what) is not null) refusedWithManifest++;
            if (await ReadAsync(() => ShardReader.OpenUnlistedAsync(path), path, rows, what) is string reason)
            {
                refusedWithout++;
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
            else sameWithout++;
        }
        output.WriteLine($"{copies.Count} damaged copies of {clean.Length} bytes: refused with the manifest {refusedWithManifest}; " +
                         $"without it refused {refusedWithout}, read back unchanged {sameWithout}");
        foreach ((string reason, int count) in reasons.OrderByDescending(r => r.Value)) output.WriteLine($"  {count,4}  {reason}");
        Assert.True(copies.Count >= 300);
        Assert.Equal(copies.Count, refusedWithManifest); // every copy differs from the listed hash or size
        Assert.True(refusedWithout > copies.Count / 2, $"only {refusedWithout} of {copies.Count} copies were refused without the manifest");
    }

    private static (string, byte[]) Flip(byte[] clean, int at, Random random, string region)
    {
        byte[] copy = (byte[])clean.Clone();
        copy[at] ^= (byte)random.Next(1, 256);
        return ($"{region} byte {at} flipped", copy);
    }

    /// <summary>Reads every row; the kind of refusal when refused with an InvalidDataException
    /// naming the file, null when the rows equal <paramref name="expected"/>; anything else fails the test.</summary>
    private static async Task<string?> ReadAsync(Func<Task<ShardReader>> open, string path, ShardRow[] expected, string what)
    {
        var read = new List<ShardRow>();
        try
        {
            await using ShardReader reader = await open();
            await foreach (ShardRow row in reader.ReadRowsAsync()) read.Add(row);
        }
        catch (InvalidDataException e)
        {
            Assert.True(e.Message.Contains($"'{path}'", StringComparison.Ordinal), $"{what}: the error does not name the file: {e.Message}");
            return Kind(e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped: {e.Message}");
        }
        Assert.True(expected.Length == read.Count, $"{what}: read {read.Count} rows without an error, wrote {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            try
            {
                ShardTestRows.AssertSame(expected[i], read[i]);
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: row {i} differs without an error: {e.Message}");
            }
        }
        return null;
    }

    /// <summary>A refusal's kind: Parquet.Net's exception type, or our check's words without numbers.</summary>
    private static string Kind(string message)
    {
        string reason = message[(message.IndexOf(" is invalid: ", StringComparison.Ordinal) is int at and >= 0 ? at + 13 : 0)..];
        if (reason.StartsWith("row group ", StringComparison.Ordinal) && reason.IndexOf(": ", StringComparison.Ordinal) is int colon and > 0) reason = reason[(colon + 2)..];
        if (reason.StartsWith("Parquet.Net", StringComparison.Ordinal)) return reason[..Math.Min(reason.Length, reason.IndexOf(':') is int c and > 0 ? c : reason.Length)];
        string words = new(reason.Where(ch => !char.IsAsciiDigit(ch)).ToArray());
        return words[..Math.Min(60, words.Length)];
    }
}
