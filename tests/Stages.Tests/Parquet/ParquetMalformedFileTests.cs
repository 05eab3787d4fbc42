using System.Buffers.Binary;
using System.Text;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Reading;
using CrossVideoMAE.Stages.Parquet.Writing;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

/// <summary>Damaged files must fail with an <see cref="InvalidDataException"/> that names the
/// file and says what is wrong, whether the damage is found on open or while reading pages.</summary>
public sealed class ParquetMalformedFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(string Path, byte[] Bytes)> ValidFileAsync(ParquetCompression compression = ParquetCompression.Uncompressed)
    {
        string path = _dir.File($"valid-{compression}.parquet");
        await SampleTable.WriteAsync(path, 40, new ParquetWriterOptions { Compression = compression });
        return (path, await File.ReadAllBytesAsync(path));
    }

    private async Task<string> ExpectInvalidAsync(string name, byte[] bytes, bool onOpen = true)
    {
        string path = _dir.File(name);
        await File.WriteAllBytesAsync(path, bytes);
        InvalidDataException e;
        if (onOpen)
        {
            e = await Assert.ThrowsAsync<InvalidDataException>(() => ParquetFileReader.OpenAsync(path));
        }
        else
        {
            await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
            e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            {
                for (int g = 0; g < reader.RowGroupCount; g++) await reader.ReadRowGroupAsync(g);
            });
        }
        Assert.Contains($"Parquet file '{path}' is invalid", e.Message);
        return e.Message;
    }

    private static byte[] WithFooter(byte[] file, Func<FileMetaData, FileMetaData> change)
    {
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        int footerStart = file.Length - 8 - footerLength;
        FileMetaData meta = change(FileMetaData.Deserialize(file.AsMemory(footerStart, footerLength)));
        byte[] footer = meta.Serialize();
        var result = new byte[footerStart + footer.Length + 8];
        file.AsSpan(0, footerStart).CopyTo(result);
        footer.CopyTo(result, footerStart);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(footerStart + footer.Length), footer.Length);
        "PAR1"u8.CopyTo(result.AsSpan(result.Length - 4));
        return result;
    }

    private static FileMetaData WithFirstChunk(FileMetaData meta, Func<ColumnMetaData, ColumnMetaData> change)
    {
        RowGroup first = meta.RowGroups[0];
        ColumnChunk chunk = first.Columns[0];
        ColumnChunk changed = chunk with { MetaData = change(chunk.MetaData!) };
        RowGroup group = first with { Columns = [changed, .. first.Columns.Skip(1)] };
        return meta with { RowGroups = [group, .. meta.RowGroups.Skip(1)] };
    }

    [Fact]
    public async Task Reference_file_is_valid()
    {
        (string path, _) = await ValidFileAsync();
        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        RowGroupData group = await reader.ReadRowGroupAsync(0);
        Assert.Equal(40, group.RowCount);
    }

    [Fact]
    public async Task Empty_and_tiny_files_are_too_short()
    {
        Assert.Contains("0 bytes, too short", await ExpectInvalidAsync("empty.parquet", []));
        Assert.Contains("5 bytes, too short", await ExpectInvalidAsync("tiny.parquet", "PAR1x"u8.ToArray()));
    }

    [Fact]
    public async Task Truncated_file_has_no_closing_magic()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        Assert.Contains("does not end with the magic bytes PAR1", await ExpectInvalidAsync("truncated.parquet", bytes[..^100]));
    }

    [Fact]
    public async Task Bad_leading_magic_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        bytes[3] = (byte)'0';
        Assert.Contains("does not start with the magic bytes PAR1", await ExpectInvalidAsync("magic.parquet", bytes));
    }

    [Fact]
    public async Task Footer_length_past_the_start_of_the_file_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), bytes.Length - 10);
        Assert.Contains($"footer length {bytes.Length - 10} does not fit in the {bytes.Length}-byte file", await ExpectInvalidAsync("footer-length.parquet", bytes));
    }

    [Fact]
    public async Task Corrupted_thrift_footer_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        byte[] garbage = (byte[])bytes.Clone();
        garbage.AsSpan(bytes.Length - 8 - footerLength, footerLength).Fill(0xFF);
        Assert.Contains("Thrift metadata corrupt", await ExpectInvalidAsync("garbage-footer.parquet", garbage));

        // A footer cut short (its length claims fewer bytes than it has): the parse runs into the end.
        byte[] shortened = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(shortened.AsSpan(bytes.Length - 8), footerLength / 2);
        Assert.Contains("Thrift metadata corrupt", await ExpectInvalidAsync("short-footer.parquet", shortened));
    }

    [Fact]
    public async Task Row_counts_that_do_not_add_up_are_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        byte[] changed = WithFooter(bytes, m => m with { NumRows = m.NumRows + 1 });
        Assert.Contains("file claims 41 rows but its row groups hold 40", await ExpectInvalidAsync("rows.parquet", changed));

        changed = WithFooter(bytes, m => WithFirstChunk(m, c => c with { NumValues = 39 }));
        Assert.Contains("column 'id': chunk holds 39 values but the row group has 40 rows", await ExpectInvalidAsync("values.parquet", changed));
    }

    [Fact]
    public async Task Column_chunk_outside_the_data_area_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        byte[] changed = WithFooter(bytes, m => WithFirstChunk(m, c => c with { DataPageOffset = bytes.Length - 20 }));
        Assert.Contains("lies outside the data area", await ExpectInvalidAsync("offset.parquet", changed));
    }

    [Fact]
    public async Task Page_larger_than_its_column_chunk_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        byte[] changed = WithFooter(bytes, m => WithFirstChunk(m, c => c with { TotalCompressedSize = c.TotalCompressedSize - 1 }));
        string message = await ExpectInvalidAsync("page-size.parquet", changed, onOpen: false);
        Assert.Contains("row group 0, column 'id': page at chunk offset 0 claims", message);
        Assert.Contains("remain in the column chunk", message);
    }

    [Fact]
    public async Task Corrupted_gzip_page_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync(ParquetCompression.Gzip);
        // The first page body follows its header; damage bytes inside the deflate stream.
        for (int i = 40; i < 60; i++) bytes[i] ^= 0x5A;
        Assert.Contains("GZIP page", await ExpectInvalidAsync("gzip.parquet", bytes, onOpen: false));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_string_column_is_refused()
    {
        (_, byte[] bytes) = await ValidFileAsync();
        byte[] needle = Encoding.UTF8.GetBytes("plain 1");
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at > 0);
        bytes[at] = 0xFF;
        Assert.Contains("column 'text': string value", await ExpectInvalidAsync("utf8.parquet", bytes, onOpen: false));
    }
}
