using CrossVideoMAE.Bench;
using static CrossVideoMAE.Bench.BenchTiming;
using System.Diagnostics;
using CrossVideoMAE.Stages.Jpeg;
using Parquet;
using Parquet.Schema;

// frame-layout-bench ROUNDS [ROWS]: ROWS clips (default 100) of 17 JPEG frames of 341x256 at q90
// (16 clip frames and one sampled frame) written with Parquet.Net, uncompressed, once as 17
// BYTE_ARRAY columns and once as one LIST<BINARY> column; then both files are read back into
// one byte[][] per row ROUNDS times, in turns. Prints the median wall and CPU seconds of a read.
if (args.Length is < 1 or > 2) { Console.Error.WriteLine("usage: frame-layout-bench ROUNDS [ROWS]"); return 2; }
int rounds = int.Parse(args[0]), rowCount = args.Length == 2 ? int.Parse(args[1]) : 100;
const int Frames = 17, H = 256, W = 341;

byte[][][] rows = SyntheticFrames.Jpegs(rowCount, Frames, H, W);
string dir = Path.Combine(Path.GetTempPath(), $"frame-layout-bench-{Environment.ProcessId}");
Directory.CreateDirectory(dir);
try
{
    string columnsPath = Path.Combine(dir, "columns.parquet"), listPath = Path.Combine(dir, "list.parquet");
    DataField[] columns = Enumerable.Range(0, Frames).Select(i => new DataField($"frame_{i:D2}", typeof(byte[]), isNullable: false)).ToArray();
    var element = new DataField("element", typeof(byte[]), isNullable: false);
    var list = new ListField("frames", element);
    var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };

    await using (FileStream file = File.Create(columnsPath))
    await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(columns), file, options))
    using (ParquetRowGroupWriter group = writer.CreateRowGroup())
    {
        for (int i = 0; i < Frames; i++) await group.WriteAsync(columns[i], rows.Select(r => r[i]).ToArray());
        group.CompleteValidate();
    }
    await using (FileStream file = File.Create(listPath))
    await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(list), file, options))
    using (ParquetRowGroupWriter group = writer.CreateRowGroup())
    {
        var values = rows.SelectMany(r => r).ToArray();
        int[] repetition = Enumerable.Range(0, values.Length).Select(i => i % Frames == 0 ? 0 : 1).ToArray();
        int[] definition = Enumerable.Repeat(((DataField)list.Item).MaxDefinitionLevel, values.Length).ToArray();
        await group.WriteAllPartsAsync<ReadOnlyMemory<byte>>((DataField)list.Item, values.Select(v => (ReadOnlyMemory<byte>)v).ToArray(), definition, repetition, CancellationToken.None);
        group.CompleteValidate();
    }

    var perColumn = new List<(double, double)>();
    var asList = new List<(double, double)>();
    for (int round = 0; round < rounds; round++)
    {
        perColumn.Add(await Measure(() => ReadColumnsAsync(columnsPath)));
        asList.Add(await Measure(() => ReadListAsync(listPath)));
    }
    (double cw, double cc) = Median(perColumn);
    (double lw, double lc) = Median(asList);
    Console.WriteLine($"{rowCount} rows x {Frames} frames, {new FileInfo(columnsPath).Length:N0} B as columns, {new FileInfo(listPath).Length:N0} B as a list; median of {rounds} reads: " +
                      $"one column per frame {cw:F3} s wall {cc:F3} s CPU; LIST<BINARY> {lw:F3} s wall {lc:F3} s CPU");
}
finally
{
    Directory.Delete(dir, recursive: true);
}
return 0;

async Task ReadColumnsAsync(string path)
{
    await using ParquetReader reader = await ParquetReader.CreateAsync(path);
    ParquetRowGroupReader group = reader.OpenRowGroupReader(0);
    DataField[] fields = reader.Schema.GetDataFields();
    var byColumn = new byte[]?[Frames][];
    for (int i = 0; i < Frames; i++)
    {
        byColumn[i] = new byte[]?[rowCount];
        await group.ReadAsync(fields[i], byColumn[i].AsMemory());
    }
    var result = new byte[rowCount][][];
    for (int r = 0; r < rowCount; r++)
    {
        result[r] = new byte[Frames][];
        for (int i = 0; i < Frames; i++) result[r][i] = byColumn[i][r]!;
    }
    Check(result);
}

async Task ReadListAsync(string path)
{
    await using ParquetReader reader = await ParquetReader.CreateAsync(path);
    ParquetRowGroupReader group = reader.OpenRowGroupReader(0);
    DataField field = reader.Schema.GetDataFields()[0];
    int total = checked((int)group.GetMetadata(field)!.MetaData!.NumValues);
    var values = new ReadOnlyMemory<byte>[total];
    var definition = new int[total];
    var repetition = new int[total];
    await group.ReadRawAsync<ReadOnlyMemory<byte>>(field, values.AsMemory(), definition.AsMemory(), repetition.AsMemory());
    var result = new byte[rowCount][][];
    int at = 0;
    for (int r = 0; r < rowCount; r++)
    {
        int start = at;
        do at++; while (at < total && repetition[at] == 1);
        result[r] = new byte[at - start][];
        for (int i = start; i < at; i++) result[r][i - start] = values[i].ToArray();
    }
    Check(result);
}

void Check(byte[][][] read)
{
    for (int r = 0; r < rowCount; r++)
        for (int i = 0; i < Frames; i++)
            if (!read[r][i].AsSpan().SequenceEqual(rows[r][i])) throw new InvalidOperationException($"row {r} frame {i} differs");
}

