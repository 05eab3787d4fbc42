using System.Buffers.Binary;
using CrossVideoMAE.Stages.Parquet.Encodings;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;
using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>
/// Decodes the pages of one column chunk of a flat column: an optional dictionary page, then
/// data pages v1 or v2 with PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY (or RLE for booleans)
/// values and RLE definition levels. Every page must lie inside the chunk, inflate to its
/// declared size and hold no more values than the chunk declares.
/// </summary>
internal static class ColumnChunkReader
{
    /// <summary>Largest page body accepted, to refuse absurd allocations from a corrupt header.</summary>
    public const int MaxPageBytes = 1 << 30;

    public static ColumnData Read(ParquetColumn column, ColumnMetaData meta, ReadOnlyMemory<byte> chunk, int rowCount)
    {
        if (!PageCompression.IsSupported(meta.Codec))
            throw new InvalidDataException($"compression codec {meta.Codec} is not supported (only UNCOMPRESSED and GZIP)");

        Array values = Array.CreateInstance(column.ClrType, rowCount);
        bool[]? nulls = column.Optional ? new bool[rowCount] : null;
        Array? dictionary = null;
        int rowsRead = 0;
        int pos = 0;
        while (rowsRead < rowCount)
        {
            if (pos >= chunk.Length) throw new InvalidDataException($"column chunk ends after {rowsRead} of {rowCount} values");
            int pageStart = pos;
            var thrift = new ThriftCompactReader(chunk[pos..]);
            PageHeader header = PageHeader.Read(thrift);
            pos += thrift.Position;
            if (header.CompressedPageSize < 0 || header.CompressedPageSize > chunk.Length - pos)
                throw new InvalidDataException($"page at chunk offset {pageStart} claims {header.CompressedPageSize} bytes but {chunk.Length - pos} remain in the column chunk");
            if (header.UncompressedPageSize is < 0 or > MaxPageBytes)
                throw new InvalidDataException($"page at chunk offset {pageStart} claims an uncompressed size of {header.UncompressedPageSize} bytes");
            ReadOnlyMemory<byte> body = chunk.Slice(pos, header.CompressedPageSize);
            pos += header.CompressedPageSize;

            switch (header.Type)
            {
                case PageType.DictionaryPage:
                    if (dictionary is not null || rowsRead > 0) throw new InvalidDataException($"dictionary page at chunk offset {pageStart} is not the chunk's first page");
                    dictionary = ReadDictionary(column, meta.Codec, header, body);
                    break;
                case PageType.DataPage:
                {
                    DataPageHeader page = header.DataPage ?? throw new InvalidDataException($"data page at chunk offset {pageStart} has no data_page_header");
                    CheckValueCount(page.NumValues, rowCount - rowsRead, pageStart);
                    ReadOnlyMemory<byte> bytes = PageCompression.Decompress(meta.Codec, body, header.UncompressedPageSize);
                    int[] levels = ReadLevelsV1(column, page, bytes.Span, out int valuesStart);
                    StoreValues(column, page.Encoding, bytes.Span[valuesStart..], levels, dictionary, values, nulls, rowsRead);
                    rowsRead += page.NumValues;
                    break;
                }
                case PageType.DataPageV2:
                {
                    DataPageHeaderV2 page = header.DataPageV2 ?? throw new InvalidDataException($"data page at chunk offset {pageStart} has no data_page_header_v2");
                    CheckValueCount(page.NumValues, rowCount - rowsRead, pageStart);
                    (int[] levels, ReadOnlyMemory<byte> valueBytes) = ReadPageV2(column, meta.Codec, header, page, body);
                    StoreValues(column, page.Encoding, valueBytes.Span, levels, dictionary, values, nulls, rowsRead);
                    rowsRead += page.NumValues;
                    break;
                }
                case PageType.IndexPage:
                    break;
                default:
                    throw new InvalidDataException($"page at chunk offset {pageStart} has unknown type {(int)header.Type}");
            }
        }
        if (pos != chunk.Length) throw new InvalidDataException($"column chunk has {chunk.Length - pos} bytes after its last page");
        return new ColumnData(column, values, nulls);
    }

    private static void CheckValueCount(int numValues, int remaining, int pageStart)
    {
        if (numValues < 0 || numValues > remaining)
            throw new InvalidDataException($"page at chunk offset {pageStart} holds {numValues} values but only {remaining} are left in the column chunk");
    }

    private static Array ReadDictionary(ParquetColumn column, CompressionCodec codec, PageHeader header, ReadOnlyMemory<byte> body)
    {
        DictionaryPageHeader dict = header.DictionaryPage ?? throw new InvalidDataException("dictionary page has no dictionary_page_header");
        if (dict.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
            throw new InvalidDataException($"dictionary page encoding {dict.Encoding} is not supported");
        if (dict.NumValues < 0) throw new InvalidDataException($"dictionary page holds {dict.NumValues} values");
        ReadOnlyMemory<byte> bytes = PageCompression.Decompress(codec, body, header.UncompressedPageSize);
        return PlainDecoder.Decode(column.Type, bytes.Span, dict.NumValues);
    }

    /// <summary>Data page v1: definition levels (optional columns only) are RLE with a 4-byte
    /// length prefix and precede the values; a flat schema has no repetition levels.</summary>
    private static int[] ReadLevelsV1(ParquetColumn column, DataPageHeader page, ReadOnlySpan<byte> bytes, out int valuesStart)
    {
        var levels = new int[page.NumValues];
        if (!column.Optional)
        {
            levels.AsSpan().Fill(1);
            valuesStart = 0;
            return levels;
        }
        if (page.DefinitionLevelEncoding != ParquetEncoding.Rle)
            throw new InvalidDataException($"definition level encoding {page.DefinitionLevelEncoding} is not supported");
        if (bytes.Length < 4) throw new InvalidDataException("data page is too short for its definition level length");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 0 || length > bytes.Length - 4)
            throw new InvalidDataException($"definition levels claim {length} bytes but the page holds {bytes.Length - 4} after the length");
        RleBitPackedHybridDecoder.Decode(bytes.Slice(4, length), bitWidth: 1, levels);
        valuesStart = 4 + length;
        return levels;
    }

    /// <summary>Data page v2: levels first, never compressed and without length prefixes; the
    /// values section is compressed when the header says so.</summary>
    private static (int[] Levels, ReadOnlyMemory<byte> Values) ReadPageV2(ParquetColumn column, CompressionCodec codec, PageHeader header, DataPageHeaderV2 page, ReadOnlyMemory<byte> body)
    {
        if (page.RepetitionLevelsByteLength != 0) throw new InvalidDataException("data page v2 has repetition levels, which a flat schema cannot have");
        int defLength = page.DefinitionLevelsByteLength;
        if (defLength < 0 || defLength > body.Length)
            throw new InvalidDataException($"data page v2 claims {defLength} bytes of definition levels in a {body.Length}-byte page");
        if (!column.Optional && defLength != 0) throw new InvalidDataException("data page v2 of a required column has definition levels");
        var levels = new int[page.NumValues];
        if (column.Optional) RleBitPackedHybridDecoder.Decode(body.Span[..defLength], bitWidth: 1, levels);
        else levels.AsSpan().Fill(1);
        int nulls = levels.Count(l => l == 0);
        if (nulls != page.NumNulls) throw new InvalidDataException($"data page v2 says {page.NumNulls} nulls but its definition levels hold {nulls}");

        ReadOnlyMemory<byte> valueSection = body[defLength..];
        int uncompressedValues = header.UncompressedPageSize - defLength;
        if (uncompressedValues < 0) throw new InvalidDataException("data page v2 is smaller than its definition levels");
        CompressionCodec effective = page.IsCompressed ? codec : CompressionCodec.Uncompressed;
        return (levels, PageCompression.Decompress(effective, valueSection, uncompressedValues));
    }

    private static void StoreValues(
        ParquetColumn column, ParquetEncoding encoding, ReadOnlySpan<byte> data, int[] levels, Array? dictionary,
        Array values, bool[]? nulls, int rowOffset)
    {
        int defined = 0;
        foreach (int level in levels)
        {
            if (level == 1) defined++;
            else if (level != 0) throw new InvalidDataException($"definition level {level} exceeds the column's maximum of 1");
        }

        Array decoded = encoding switch
        {
            ParquetEncoding.Plain => PlainDecoder.Decode(column.Type, data, defined),
            ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary => DecodeDictionaryIndices(data, defined, dictionary),
            ParquetEncoding.Rle when column.Type == ParquetType.Boolean => DecodeRleBooleans(data, defined),
            _ => throw new InvalidDataException($"value encoding {encoding} is not supported (PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY are)"),
        };
        TypedArrays.Scatter(decoded, values, rowOffset, levels);
        if (nulls is not null)
        {
            for (int i = 0; i < levels.Length; i++) nulls[rowOffset + i] = levels[i] == 0;
        }
    }

    private static Array DecodeDictionaryIndices(ReadOnlySpan<byte> data, int count, Array? dictionary)
    {
        if (dictionary is null) throw new InvalidDataException("dictionary-encoded page without a dictionary page");
        var indices = new int[count];
        if (count > 0)
        {
            if (data.Length < 1) throw new InvalidDataException("dictionary-encoded page has no bit width byte");
            RleBitPackedHybridDecoder.Decode(data[1..], data[0], indices);
            foreach (int index in indices)
            {
                if ((uint)index >= (uint)dictionary.Length)
                    throw new InvalidDataException($"dictionary index {index} is outside the {dictionary.Length}-entry dictionary");
            }
        }
        return TypedArrays.Gather(dictionary, indices);
    }

    /// <summary>RLE-encoded booleans carry a 4-byte length prefix in data pages v1 and v2 alike.</summary>
    private static bool[] DecodeRleBooleans(ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < 4) throw new InvalidDataException("RLE boolean page is too short for its length prefix");
        int length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) throw new InvalidDataException($"RLE booleans claim {length} bytes but {data.Length - 4} remain");
        var bits = new int[count];
        RleBitPackedHybridDecoder.Decode(data.Slice(4, length), bitWidth: 1, bits);
        return bits.Select(b => b != 0).ToArray();
    }
}
