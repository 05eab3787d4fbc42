using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct Statistics (the fields this codec writes and reads: null count and
/// the PLAIN-encoded min/max values, byte arrays without their length prefix).</summary>
public sealed record Statistics(long? NullCount, byte[]? MinValue, byte[]? MaxValue)
{
    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (NullCount is long nulls) w.I64Field(3, nulls);
        if (MaxValue is not null) w.BinaryField(5, MaxValue);
        if (MinValue is not null) w.BinaryField(6, MinValue);
        w.EndStruct();
    }

    internal static Statistics Read(ThriftCompactReader r)
    {
        long? nulls = null;
        byte[]? min = null, max = null;
        r.BeginStruct();
        while (r.NextField(nameof(Statistics), out ThriftField f))
        {
            switch (f.Id)
            {
                case 3: nulls = r.ReadI64(f); break;
                case 5: max = r.ReadBinary(f); break;
                case 6: min = r.ReadBinary(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new Statistics(nulls, min, max);
    }
}
