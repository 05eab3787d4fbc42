using System.CommandLine;
using System.Text.Json;
using CrossVideoMAE.Model;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>The options the downstream commands share, declared once.</summary>
public sealed class CommonOptions
{
    public Option<string> Manifest { get; } = new("--manifest") { Description = "The prepared dataset's index.json.", Required = true };
    public Option<string?> Config { get; } = new("--config") { Description = $"Model config ({string.Join(", ", ModelConfigs.Names)}); inferred from the weights when omitted." };
    public Option<int?> Size { get; } = new("--size") { Description = "Crop side S of the clips (divisible by 16); from the weights' positional table when omitted, else 224." };
    public Option<int> Batch { get; } = new("--batch") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 8 };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda[:i].", DefaultValueFactory = _ => "cpu" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "libtorch intra-op threads (default: the core count)." };

    public void AddTo(Command command)
    {
        command.Add(Manifest);
        command.Add(Config);
        command.Add(Size);
        command.Add(Batch);
        command.Add(Device);
        command.Add(Threads);
    }

    public Device ParseDevice(ParseResult r) => Torch.Device.Parse(r.GetValue(Device)!);

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes a JSON report, creating its folder.</summary>
    public static void WriteJson(string path, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");
    }

    /// <summary>Runs a command body, turning the errors of bad input into a message and exit code 1 (2 for bad arguments).</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or TorchException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
