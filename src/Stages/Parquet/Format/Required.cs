namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Turns a required Thrift field that was never read into a clear error.</summary>
internal static class Required
{
    public static T Field<T>(T? value, string structName, string fieldName) where T : struct =>
        value ?? throw Missing(structName, fieldName);

    public static T Field<T>(T? value, string structName, string fieldName) where T : class =>
        value ?? throw Missing(structName, fieldName);

    private static InvalidDataException Missing(string structName, string fieldName) =>
        new($"Thrift metadata corrupt: {structName} is missing required field {fieldName}");
}
