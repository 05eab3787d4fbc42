using System.CommandLine;
using System.Text.Json;
using CrossVideoMAE.Model;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>The options the downstream commands share, declared once.</summary>
public sealed class CommonOptions
{
    public Option<string> Manifest { get; } = new("--manifest") { Description = "The prepared dataset's index.json.", Required = true };
    public Option<string?> Model { get; } = new("--model") { Description = $"Model size ({string.Join(", ", ModelConfigs.Names)}); inferred from the weights when omitted." };
    public Option<int?> Size { get; } = new("--size") { Description = "Crop side S of the clips (divisible by 16); from the weights' positional table when omitted, else 224." };
    public Option<int> Batch { get; } = new("--batch") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 8 };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda[:i].", DefaultValueFactory = _ => "cpu" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "libtorch intra-op threads (default: the core count)." };

    public void AddTo(Command command)
    {
        command.Add(Manifest);
        command.Add(Model);
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

    /// <summary>Runs a command body under the CLI convention (<see cref="Cli.ExitCodes"/>): errors logged, 2 for bad input, 1 for a failed run.</summary>
    public static Task<int> Guard(Func<Task<int>> body) => Cli.ExitCodes.GuardAsync(body);
}
