namespace CrossVideoMAE.Stages.Parquet.Thrift;

/// <summary>The type nibble of the Thrift compact protocol. Booleans inside a struct carry
/// their value in the type (<see cref="BooleanTrue"/> / <see cref="BooleanFalse"/>); inside a
/// list they are sent as one byte each.</summary>
public enum CompactType : byte
{
    Stop = 0,
    BooleanTrue = 1,
    BooleanFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
}
