namespace CrossVideoMAE.Stages.Parquet.Schema;

/// <summary>The column types this codec writes and reads. STRING and BLOB are both BYTE_ARRAY
/// on disk; STRING carries the UTF8 converted type and the STRING logical type.</summary>
public enum ParquetType
{
    Boolean,
    Int32,
    Int64,
    Float,
    Double,
    /// <summary>UTF-8 text (C# <see cref="string"/>).</summary>
    String,
    /// <summary>Plain bytes (C# <see cref="byte"/>[]), e.g. a JPEG.</summary>
    Binary,
}
