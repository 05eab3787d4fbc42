using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct DictionaryPageHeader (read only): the dictionary values, PLAIN encoded.</summary>
public sealed record DictionaryPageHeader(int NumValues, ParquetEncoding Encoding)
{
    internal static DictionaryPageHeader Read(ThriftCompactReader r)
    {
        const string S = nameof(DictionaryPageHeader);
        int? numValues = null, encoding = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: encoding = r.ReadI32(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new DictionaryPageHeader(Required.Field(numValues, S, "num_values"), (ParquetEncoding)Required.Field(encoding, S, "encoding"));
    }
}
