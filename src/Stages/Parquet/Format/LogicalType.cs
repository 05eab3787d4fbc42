using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift union LogicalType, kept as the id of the member that is set (its parameters
/// are skipped: this codec only writes STRING and only interprets the string-like members).</summary>
public sealed record LogicalType(short Member)
{
    public const short StringMember = 1;
    public const short EnumMember = 4;
    public const short JsonMember = 12;

    public static LogicalType String { get; } = new(StringMember);

    /// <summary>True for the members whose BYTE_ARRAY values are UTF-8 text.</summary>
    public bool IsText => Member is StringMember or EnumMember or JsonMember;

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.StructField(Member);
        w.EndStruct();
        w.EndStruct();
    }

    internal static LogicalType Read(ThriftCompactReader r)
    {
        short? member = null;
        r.BeginStruct();
        while (r.NextField(nameof(LogicalType), out ThriftField f))
        {
            if (member is not null) throw new InvalidDataException($"Thrift metadata corrupt: LogicalType union has more than one member ({member} and {f.Id})");
            member = f.Id;
            r.Skip(f.Type);
        }
        return new LogicalType(Required.Field(member, nameof(LogicalType), "a member"));
    }
}
