using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch.Distributed;

/// <summary>
/// libtorch's <c>c10d::TCPStore</c>: a key/value store served by one process (rank 0,
/// <c>isServer</c>) on <c>host:port</c> that every rank connects to. Process groups meet through
/// it; <see cref="Set"/>/<see cref="Get"/> exchange small values (e.g. a hash of the config, to
/// check that every rank runs the same one). The server's constructor returns once
/// <c>worldSize</c> clients (itself included) have connected, a client's once it has connected;
/// either throws after <c>timeout</c>. A port already in use throws a <see cref="TorchException"/>
/// naming host and port. Port 0 lets the server pick one (<see cref="Port"/>).
/// </summary>
public sealed unsafe class TcpStore : IDisposable
{
    private IntPtr handle;

    public TcpStore(string host, int port, int worldSize, bool isServer, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        Host = host;
        fixed (byte* h = LibTorch.Utf8Z(host))
            handle = Check.Handle(LibTorch.cvm_store_tcp_new(h, port, worldSize, isServer, Milliseconds(timeout)));
        Port = LibTorch.cvm_store_port(handle);
    }

    public string Host { get; }

    /// <summary>The port the server listens on (the one it picked when created with port 0).</summary>
    public int Port { get; }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(TcpStore));

    public void Set(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        fixed (byte* k = LibTorch.Utf8Z(key))
        fixed (byte* v = value)
            Check.Status(LibTorch.cvm_store_set(Handle, k, v, value.Length));
    }

    /// <summary>The value of <paramref name="key"/>, waiting for another rank to set it (up to the
    /// store's timeout, then a <see cref="TorchException"/>).</summary>
    public byte[] Get(string key)
    {
        byte* data;
        long n;
        fixed (byte* k = LibTorch.Utf8Z(key))
            Check.Status(LibTorch.cvm_store_get(Handle, k, &data, &n));
        return new ReadOnlySpan<byte>(data, checked((int)n)).ToArray();
    }

    internal static long Milliseconds(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must be positive");
        return (long)Math.Ceiling(timeout.TotalMilliseconds);
    }

    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) LibTorch.cvm_store_free(h);
        GC.SuppressFinalize(this);
    }

    ~TcpStore() => Dispose();
}
