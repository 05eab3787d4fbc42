using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct DataPageHeader (data page v1): levels and values share the
/// compressed body; definition levels carry a 4-byte length prefix.</summary>
public sealed record DataPageHeader(int NumValues, ParquetEncoding Encoding, ParquetEncoding DefinitionLevelEncoding, ParquetEncoding RepetitionLevelEncoding)
{
    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.I32Field(1, NumValues);
        w.I32Field(2, (int)Encoding);
        w.I32Field(3, (int)DefinitionLevelEncoding);
        w.I32Field(4, (int)RepetitionLevelEncoding);
        w.EndStruct();
    }

    internal static DataPageHeader Read(ThriftCompactReader r)
    {
        const string S = nameof(DataPageHeader);
        int? numValues = null, encoding = null, defEncoding = null, repEncoding = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: encoding = r.ReadI32(f); break;
                case 3: defEncoding = r.ReadI32(f); break;
                case 4: repEncoding = r.ReadI32(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new DataPageHeader(
            Required.Field(numValues, S, "num_values"),
            (ParquetEncoding)Required.Field(encoding, S, "encoding"),
            (ParquetEncoding)Required.Field(defEncoding, S, "definition_level_encoding"),
            (ParquetEncoding)Required.Field(repEncoding, S, "repetition_level_encoding"));
    }
}
