using System.Globalization;
using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Stages.SampleData;

/// <summary>
/// Everything random about one sample video, drawn from (seed, class, index): size, rate, length,
/// background, box colour and size, the start and path of the motion. <see cref="FfmpegArguments"/>
/// turns the plan into one ffmpeg command: a lavfi background, a coloured box with a white border
/// overlaid at a position (or size) that is a linear function of time t.
/// </summary>
internal sealed record SampleVideoPlan(
    MotionClass Class, int Width, int Height, int Fps, int FrameCount, string Background, string BackgroundFilter,
    string BoxColor, int BoxSize, double Across, VideoFormat Format)
{
    private static readonly (int W, int H)[] Sizes = [(160, 120), (320, 240), (256, 192), (192, 256)];
    private static readonly (int W, int H)[] QuickSizes = [(160, 120), (128, 96)];
    private static readonly int[] Rates = [24, 25, 30];
    private static readonly string[] Colors = ["0xE53935", "0x1E88E5", "0x43A047", "0xFDD835", "0x8E24AA", "0xFB8C00", "0x00ACC1", "0xFFFFFF"];
    private static readonly string[] Backgrounds = ["testsrc2", "mandelbrot", "cellauto", "gradients", "life", "noise"];

    public static SampleVideoPlan Draw(ulong seed, MotionClass cls, int index, bool quick, bool oneScene, VideoFormat format)
    {
        var rng = new SplitMix64(StableHash.Derive(seed, cls.Name, index, "sample-video"));
        (int w, int h) = quick ? QuickSizes[rng.NextInt(QuickSizes.Length)] : Sizes[rng.NextInt(Sizes.Length)];
        int fps = quick ? 25 : Rates[rng.NextInt(Rates.Length)];
        double seconds = quick ? 1.5 + 0.5 * rng.NextInt(2) : 1.5 + 0.5 * rng.NextInt(6);   // 1.5..2 or 1.5..4 s
        int frames = (int)Math.Round(seconds * fps);
        string background = Backgrounds[rng.NextInt(Backgrounds.Length)];
        string backgroundSource = BackgroundSource(background, w, h, fps, ref rng);
        int box = Math.Max(8, (int)(Math.Min(w, h) * (0.2 + 0.1 * rng.NextDouble())) / 2 * 2);
        string color = Colors[rng.NextInt(Colors.Length)];
        double across = 0.2 + 0.6 * rng.NextDouble();
        if (oneScene) (background, backgroundSource, color) = ("still-gradient", StillGradient(w, h, fps), "0xFFFFFF");
        return new SampleVideoPlan(cls, w, h, fps, frames, background, backgroundSource, color, box, across, format);
    }

    // The one scene of OneScene: a fixed two-colour linear gradient whose rotation (the slowest lavfi
    // allows) moves it by well under a pixel over a sample video.
    private static string StillGradient(int w, int h, int fps) =>
        $"gradients=size={w}x{h}:rate={fps}:seed=1:speed=0.00001:n=2:type=0:c0=0x183048:c1=0x6878A0:x0=0:y0=0:x1={w - 1}:y1={h - 1}";

    // Every source gets explicit seeds and colours: lavfi picks "random" ones from the clock otherwise.
    private static string BackgroundSource(string name, int w, int h, int fps, ref SplitMix64 rng)
    {
        string size = $"size={w}x{h}:rate={fps}";
        int seed = rng.NextInt(1 << 30);
        return name switch
        {
            "testsrc2" => $"testsrc2={size}",
            "mandelbrot" => $"mandelbrot={size}",
            "cellauto" => $"cellauto={size}:rule={new[] { 30, 90, 110, 150 }[seed % 4]}:seed={seed}",
            "gradients" => $"gradients={size}:seed={seed}:speed=0.03:n=3:type={seed % 4}:c0={Colors[seed % 7]}:c1={Colors[(seed / 7) % 7]}:c2=0x202020"
                              + $":x0={rng.NextInt(w)}:y0={rng.NextInt(h)}:x1={rng.NextInt(w)}:y1={rng.NextInt(h)}",
            "life" => $"life={size}:seed={seed}:ratio=0.2:mold=8:life_color=#70C0FF:death_color=#202040",
            _ => $"color=c=gray:{size},noise=alls=60:allf=t+u:all_seed={seed}",
        };
    }

    public IReadOnlyList<string> FfmpegArguments(string outputPath)
    {
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        double last = (FrameCount - 1) / (double)Fps;   // time of the last frame: the motion ends there
        int margin = 4;
        string box = $"color=c={BoxColor}:size={BoxSize}x{BoxSize}:rate={Fps}";
        string overlay;
        string boxChain = "[1:v]drawbox=x=0:y=0:w=iw:h=ih:color=white:t=2";
        switch (Class.Kind)
        {
            case MotionKind.Left or MotionKind.Right or MotionKind.Up or MotionKind.Down:
            {
                bool horizontal = Class.Kind is MotionKind.Left or MotionKind.Right;
                int travel = (horizontal ? Width : Height) - BoxSize - 2 * margin;
                bool forward = Class.Kind is MotionKind.Right or MotionKind.Down;
                double start = forward ? margin : margin + travel;
                double speed = (forward ? travel : -travel) / last;
                string moving = $"{F(start)}+{F(speed)}*t";
                string fixedPos = F(((horizontal ? Height : Width) - BoxSize) * Across);
                overlay = horizontal ? $"overlay=x='{moving}':y='{fixedPos}'" : $"overlay=x='{fixedPos}':y='{moving}'";
                break;
            }
            default:
            {
                int small = Math.Max(8, BoxSize / 2), large = Math.Min(Width, Height) * 7 / 10;
                (int from, int to) = Class.Kind == MotionKind.Grow ? (small, large) : (large, small);
                string side = $"2*trunc(({from}+({to - from})*t/{F(last)})/2)";
                boxChain = $"[1:v]scale=w='{side}':h='{side}':eval=frame,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=2";
                overlay = "overlay=x='(W-w)/2':y='(H-h)/2'";
                break;
            }
        }
        string graph = $"{boxChain}[box];[0:v][box]{overlay}:eval=frame:shortest=1,format=yuv420p[v]";
        return
        [
            "-f", "lavfi", "-i", BackgroundFilter,
            "-f", "lavfi", "-i", box,
            "-filter_complex", graph, "-map", "[v]",
            "-frames:v", FrameCount.ToString(CultureInfo.InvariantCulture),
            "-r", Fps.ToString(CultureInfo.InvariantCulture),
            .. Format.EncoderArgs,
            outputPath,
        ];
    }
}
