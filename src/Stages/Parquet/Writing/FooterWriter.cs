using System.Buffers.Binary;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>Serialises the footer: FileMetaData (Thrift compact), its 4-byte little-endian
/// length, and the closing magic "PAR1".</summary>
internal static class FooterWriter
{
    public static readonly byte[] Magic = "PAR1"u8.ToArray();

    public static FileMetaData BuildMetadata(ParquetSchema schema, IReadOnlyList<RowGroup> rowGroups, IReadOnlyDictionary<string, string> keyValues, string createdBy)
    {
        return new FileMetaData
        {
            Version = 1,
            Schema = schema.ToSchemaElements(),
            NumRows = rowGroups.Sum(g => g.NumRows),
            RowGroups = rowGroups,
            KeyValueMetadata = keyValues.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new KeyValue(kv.Key, kv.Value)).ToArray(),
            CreatedBy = createdBy,
            TypeDefinedColumnOrders = schema.Columns.Count,
        };
    }

    /// <summary>Footer bytes including length and magic.</summary>
    public static byte[] Serialize(FileMetaData metadata)
    {
        byte[] thrift = metadata.Serialize();
        var footer = new byte[thrift.Length + 8];
        thrift.CopyTo(footer, 0);
        BinaryPrimitives.WriteInt32LittleEndian(footer.AsSpan(thrift.Length), thrift.Length);
        Magic.CopyTo(footer, thrift.Length + 4);
        return footer;
    }
}
