using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct DataPageHeaderV2 (read only): levels come first, uncompressed and
/// without length prefixes; only the values section may be compressed.</summary>
public sealed record DataPageHeaderV2(
    int NumValues, int NumNulls, int NumRows, ParquetEncoding Encoding,
    int DefinitionLevelsByteLength, int RepetitionLevelsByteLength, bool IsCompressed)
{
    internal static DataPageHeaderV2 Read(ThriftCompactReader r)
    {
        const string S = nameof(DataPageHeaderV2);
        int? numValues = null, numNulls = null, numRows = null, encoding = null, defLength = null, repLength = null;
        bool isCompressed = true;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: numNulls = r.ReadI32(f); break;
                case 3: numRows = r.ReadI32(f); break;
                case 4: encoding = r.ReadI32(f); break;
                case 5: defLength = r.ReadI32(f); break;
                case 6: repLength = r.ReadI32(f); break;
                case 7: isCompressed = r.ReadBool(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new DataPageHeaderV2(
            Required.Field(numValues, S, "num_values"),
            Required.Field(numNulls, S, "num_nulls"),
            Required.Field(numRows, S, "num_rows"),
            (ParquetEncoding)Required.Field(encoding, S, "encoding"),
            Required.Field(defLength, S, "definition_levels_byte_length"),
            Required.Field(repLength, S, "repetition_levels_byte_length"),
            isCompressed);
    }
}
