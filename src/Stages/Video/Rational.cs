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

    /// <summary>num/den reduced to the closest fraction whose terms do not exceed <paramref name="max"/>, by continued
    /// fractions, the way FFmpeg's av_reduce does it (so a rate computed here reads as ffprobe prints it).
    /// Unknown when either term is not positive.</summary>
    public static Rational Reduce(long num, long den, long max)
    {
        if (num <= 0 || den <= 0 || max <= 0) return Unknown;
        long gcd = Gcd(num, den);
        num /= gcd;
        den /= gcd;
        if (num <= max && den <= max) return new Rational(num, den);
        (long n0, long d0, long n1, long d1) = (0, 1, 1, 0);
        while (den != 0)
        {
            long x = num / den;
            long nextDen = num - den * x;
            // x * n1 cannot overflow in practice (terms stay below max); checked makes any surprise loud.
            long n2 = checked(x * n1 + n0), d2 = checked(x * d1 + d0);
            if (n2 > max || d2 > max)
            {
                if (n1 != 0) x = (max - n0) / n1;
                if (d1 != 0) x = Math.Min(x, (max - d0) / d1);
                // Take the semiconvergent when it is closer than the last convergent.
                if ((Int128)den * (2 * x * d1 + d0) > (Int128)num * d1)
                    (n1, d1) = (x * n1 + n0, x * d1 + d0);
                break;
            }
            (n0, d0, n1, d1) = (n1, d1, n2, d2);
            num = den;
            den = nextDen;
        }
        return n1 > 0 && d1 > 0 ? new Rational(n1, d1) : Unknown;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}
