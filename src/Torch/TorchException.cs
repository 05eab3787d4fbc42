namespace CrossVideoMAE.Torch;

/// <summary>A libtorch error (the message is libtorch's own, without its C++ backtrace).</summary>
public sealed class TorchException(string message) : Exception(message);
