using System.Text;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>Splits one CSV line into fields (RFC 4180 quoting: "a, b" and doubled quotes inside quotes).
/// Annotation CSVs never hold line breaks inside fields, so each line is one record, which keeps the
/// line numbers in error messages exact.</summary>
public static class CsvLine
{
    /// <summary>The fields, or null when a quote is left open.</summary>
    public static string[]? Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) return null;
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
