using System.Buffers.Binary;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>
/// Reads and checks the footer of an untrusted file: "PAR1" at both ends, a footer length
/// that fits between them, FileMetaData that parses, a flat schema, and row groups whose
/// counts add up and whose column chunks lie between the leading magic and the footer.
/// </summary>
internal static class FooterReader
{
    /// <summary>Largest footer accepted.</summary>
    public const int MaxFooterBytes = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> Magic => "PAR1"u8;
    private static ReadOnlySpan<byte> EncryptedMagic => "PARE"u8;

    public sealed record Footer(FileMetaData Metadata, ParquetSchema Schema, long FooterStart);

    public static async Task<Footer> ReadAsync(Stream stream, CancellationToken ct)
    {
        long length = stream.Length;
        if (length < 12) throw new InvalidDataException($"file is {length} bytes, too short for Parquet (magic, footer length and magic need 12)");

        byte[] head = new byte[4];
        stream.Position = 0;
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (!head.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("file does not start with the magic bytes PAR1");

        byte[] tail = new byte[8];
        stream.Position = length - 8;
        await stream.ReadExactlyAsync(tail, ct).ConfigureAwait(false);
        if (tail.AsSpan(4).SequenceEqual(EncryptedMagic)) throw new InvalidDataException("file has an encrypted footer (PARE), which is not supported");
        if (!tail.AsSpan(4).SequenceEqual(Magic)) throw new InvalidDataException("file does not end with the magic bytes PAR1 (truncated or not Parquet)");

        long footerLength = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        long footerStart = length - 8 - footerLength;
        if (footerLength == 0 || footerStart < 4)
            throw new InvalidDataException($"footer length {footerLength} does not fit in the {length}-byte file");
        if (footerLength > MaxFooterBytes) throw new InvalidDataException($"footer of {footerLength} bytes exceeds the {MaxFooterBytes} this reader accepts");

        byte[] footer = new byte[footerLength];
        stream.Position = footerStart;
        await stream.ReadExactlyAsync(footer, ct).ConfigureAwait(false);
        FileMetaData metadata = FileMetaData.Deserialize(footer);
        ParquetSchema schema = ParquetSchema.FromSchemaElements(metadata.Schema);
        Validate(metadata, schema, footerStart);
        return new Footer(metadata, schema, footerStart);
    }

    private static void Validate(FileMetaData metadata, ParquetSchema schema, long footerStart)
    {
        if (metadata.NumRows < 0) throw new InvalidDataException($"file claims {metadata.NumRows} rows");
        long rows = 0;
        for (int g = 0; g < metadata.RowGroups.Count; g++)
        {
            RowGroup group = metadata.RowGroups[g];
            if (group.NumRows is < 0 or > int.MaxValue) throw new InvalidDataException($"row group {g} claims {group.NumRows} rows");
            rows += group.NumRows;
            if (group.Columns.Count != schema.Columns.Count)
                throw new InvalidDataException($"row group {g} has {group.Columns.Count} column chunks but the schema has {schema.Columns.Count} columns");
            for (int c = 0; c < group.Columns.Count; c++) ValidateChunk(group.Columns[c], schema.Columns[c], group.NumRows, footerStart, $"row group {g}, column '{schema.Columns[c].Name}'");
        }
        if (rows != metadata.NumRows) throw new InvalidDataException($"file claims {metadata.NumRows} rows but its row groups hold {rows}");
    }

    private static void ValidateChunk(ColumnChunk chunk, ParquetColumn column, long rowCount, long footerStart, string where)
    {
        if (chunk.FilePath is not null) throw new InvalidDataException($"{where}: data stored in another file ('{chunk.FilePath}') is not supported");
        ColumnMetaData meta = chunk.MetaData ?? throw new InvalidDataException($"{where}: column chunk has no meta_data");
        if (meta.PathInSchema.Count != 1 || meta.PathInSchema[0] != column.Name)
            throw new InvalidDataException($"{where}: path_in_schema is '{string.Join('.', meta.PathInSchema)}'");
        if (meta.Type != ParquetSchema.PhysicalTypeOf(column.Type))
            throw new InvalidDataException($"{where}: chunk type {meta.Type} differs from the schema's {ParquetSchema.PhysicalTypeOf(column.Type)}");
        if (meta.NumValues != rowCount)
            throw new InvalidDataException($"{where}: chunk holds {meta.NumValues} values but the row group has {rowCount} rows");
        long start = meta.ChunkStart;
        if (meta.TotalCompressedSize < 0 || meta.TotalCompressedSize > Array.MaxLength)
            throw new InvalidDataException($"{where}: chunk size {meta.TotalCompressedSize} is out of range");
        if (start < 4 || start > footerStart - meta.TotalCompressedSize)
            throw new InvalidDataException($"{where}: chunk at offset {start} with {meta.TotalCompressedSize} bytes lies outside the data area [4, {footerStart})");
    }
}
