using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct PageHeader: precedes every page of a column chunk. Sizes exclude
/// the header itself; exactly one of the page-specific headers matches <see cref="Type"/>.</summary>
public sealed record PageHeader
{
    public required PageType Type { get; init; }
    public required int UncompressedPageSize { get; init; }
    public required int CompressedPageSize { get; init; }
    public DataPageHeader? DataPage { get; init; }
    public DictionaryPageHeader? DictionaryPage { get; init; }
    public DataPageHeaderV2? DataPageV2 { get; init; }

    public byte[] Serialize()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.I32Field(1, (int)Type);
        w.I32Field(2, UncompressedPageSize);
        w.I32Field(3, CompressedPageSize);
        if (DataPage is not null)
        {
            w.FieldHeader(5, CompactType.Struct);
            DataPage.Write(w);
        }
        if (DictionaryPage is not null || DataPageV2 is not null)
            throw new InvalidOperationException("this writer only writes data pages v1");
        w.EndStruct();
        return w.ToArray();
    }

    /// <summary>Reads a page header at the reader's position (the bytes that follow are the page body).</summary>
    public static PageHeader Read(ThriftCompactReader r)
    {
        const string S = nameof(PageHeader);
        int? type = null, uncompressed = null, compressed = null;
        DataPageHeader? data = null;
        DictionaryPageHeader? dictionary = null;
        DataPageHeaderV2? dataV2 = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: type = r.ReadI32(f); break;
                case 2: uncompressed = r.ReadI32(f); break;
                case 3: compressed = r.ReadI32(f); break;
                case 5: r.ExpectStruct(f); data = DataPageHeader.Read(r); break;
                case 7: r.ExpectStruct(f); dictionary = DictionaryPageHeader.Read(r); break;
                case 8: r.ExpectStruct(f); dataV2 = DataPageHeaderV2.Read(r); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new PageHeader
        {
            Type = (PageType)Required.Field(type, S, "type"),
            UncompressedPageSize = Required.Field(uncompressed, S, "uncompressed_page_size"),
            CompressedPageSize = Required.Field(compressed, S, "compressed_page_size"),
            DataPage = data,
            DictionaryPage = dictionary,
            DataPageV2 = dataV2,
        };
    }
}
