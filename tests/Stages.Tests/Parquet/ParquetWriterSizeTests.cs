using System.Text.Json;
using CrossVideoMAE.Stages.Parquet.Reading;
using CrossVideoMAE.Stages.Parquet.Writing;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

/// <summary>The size bookkeeping the shard writer relies on: the estimate is an upper bound of
/// the finished file, a row adds at most its bound, and buffered bytes (the memory held)
/// stay within one row group.</summary>
public class ParquetWriterSizeTests
{
    [Theory]
    [InlineData(ParquetCompression.Uncompressed)]
    [InlineData(ParquetCompression.Gzip)]
    public async Task Estimated_length_bounds_the_finished_file_at_every_row(ParquetCompression compression)
    {
        const long rowGroupBytes = 3000;
        var stream = new MemoryStream();
        await using var writer = new ParquetFileWriter(stream, SampleTable.Schema,
            new ParquetWriterOptions { Compression = compression, RowGroupTargetBytes = rowGroupBytes, PageTargetBytes = 700 }, leaveOpen: true);
        long maxRowBound = 0;
        for (int id = 0; id < 400; id++)
        {
            object?[] row = SampleTable.Row(id);
            long before = writer.EstimatedLength;
            long bound = writer.RowSizeUpperBound(row);
            maxRowBound = Math.Max(maxRowBound, bound);
            await writer.AppendRowAsync(row);
            Assert.True(writer.EstimatedLength <= before + bound, $"row {id}: estimate grew from {before} to {writer.EstimatedLength}, bound {bound}");
            Assert.True(writer.BufferedBytes < rowGroupBytes + maxRowBound, $"row {id}: {writer.BufferedBytes} bytes buffered");
            Assert.True(writer.BytesWritten <= writer.EstimatedLength);
        }
        long estimate = writer.EstimatedLength;
        await writer.CompleteAsync();
        Assert.True(writer.RowGroupCount > 5);
        Assert.Equal(stream.Length, writer.BytesWritten);
        Assert.True(stream.Length <= estimate, $"file has {stream.Length} bytes, estimate was {estimate}");
    }

    [Fact]
    public async Task File_without_rows_is_valid_for_DuckDb_and_our_reader()
    {
        using var dir = new TempDir();
        string path = dir.File("empty.parquet");
        await SampleTable.WriteAsync(path, 0, new ParquetWriterOptions());
        await using (ParquetFileReader reader = await ParquetFileReader.OpenAsync(path))
        {
            Assert.Equal(0, reader.RowCount);
            Assert.Equal(0, reader.RowGroupCount);
            Assert.True(reader.Schema.SameAs(SampleTable.Schema));
        }
        JsonElement result = DuckDb.Query($"SELECT count(*) AS n FROM read_parquet({DuckDb.Literal(path)})").Single();
        Assert.Equal(0, result.GetProperty("n").GetInt32());
    }
}
