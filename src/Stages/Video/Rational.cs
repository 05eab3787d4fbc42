using System.Globalization;

namespace CrossVideoMAE.Stages.Video;

/// <summary>A frame rate as ffprobe writes it ("30000/1001"). "0/0" (unknown) parses to <see cref="Unknown"/>.</summary>
public readonly record struct Rational(long Numerator, long Denominator)
{
    public static readonly Rational Unknown = new(0, 0);

    public bool IsValid => Numerator > 0 && Denominator > 0;

    public double Value => IsValid ? (double)Numerator / Denominator : 0.0;

    /// <summary>True when both are valid and differ by at most <paramref name="relativeTolerance"/> of their size.</summary>
    public bool IsCloseTo(Rational other, double relativeTolerance)
        => IsValid && other.IsValid && Math.Abs(Value - other.Value) <= relativeTolerance * Math.Max(Value, other.Value);

    public static Rational Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Unknown;
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long d)
            && n > 0 && d > 0)
            return new Rational(n, d);
        return Unknown;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}
