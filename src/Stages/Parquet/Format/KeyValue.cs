using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct KeyValue: one entry of a file's key/value metadata.</summary>
public sealed record KeyValue(string Key, string? Value)
{
    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.StringField(1, Key);
        if (Value is not null) w.StringField(2, Value);
        w.EndStruct();
    }

    internal static KeyValue Read(ThriftCompactReader r)
    {
        string? key = null, value = null;
        r.BeginStruct();
        while (r.NextField(nameof(KeyValue), out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: key = r.ReadString(f); break;
                case 2: value = r.ReadString(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new KeyValue(Required.Field(key, nameof(KeyValue), "key"), value);
    }

    internal static void WriteList(ThriftCompactWriter w, short fieldId, IReadOnlyList<KeyValue> entries)
    {
        w.ListField(fieldId, CompactType.Struct, entries.Count);
        foreach (KeyValue kv in entries) kv.Write(w);
    }

    internal static List<KeyValue> ReadList(ThriftCompactReader r, ThriftField f)
    {
        int count = r.ReadListHeader(f, CompactType.Struct);
        var list = new List<KeyValue>(count);
        for (int i = 0; i < count; i++) list.Add(Read(r));
        return list;
    }
}
