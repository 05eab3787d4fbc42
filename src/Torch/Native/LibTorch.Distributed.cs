using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Imports of native/src/distributed.cpp (c10d: TCPStore, process groups, collectives) and
/// native/src/reducer.cpp (DDP's gradient reducer).
/// Strings go in as NUL-terminated UTF-8.</summary>
internal static unsafe partial class LibTorch
{
    [DllImport(Lib)] internal static extern IntPtr cvm_store_tcp_new(byte* host, int port, int worldSize, bool isServer, long timeoutMs);
    [DllImport(Lib)] internal static extern void cvm_store_free(IntPtr store);
    [DllImport(Lib)] internal static extern int cvm_store_port(IntPtr store);
    [DllImport(Lib)] internal static extern int cvm_store_set(IntPtr store, byte* key, byte* data, long n);
    [DllImport(Lib)] internal static extern int cvm_store_get(IntPtr store, byte* key, byte** data, long* n);

    [DllImport(Lib)] internal static extern IntPtr cvm_pg_new(byte* backend, IntPtr store, int rank, int worldSize, long timeoutMs);
    [DllImport(Lib)] internal static extern void cvm_pg_free(IntPtr group);
    [DllImport(Lib)] internal static extern int cvm_pg_allreduce(IntPtr group, IntPtr t, int op);
    [DllImport(Lib)] internal static extern int cvm_pg_allreduce_coalesced(IntPtr group, IntPtr* ts, int n, int op);
    [DllImport(Lib)] internal static extern IntPtr cvm_pg_allgather(IntPtr group, IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_pg_allgather_with_grad(IntPtr group, IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_pg_broadcast(IntPtr group, IntPtr t, int root);
    [DllImport(Lib)] internal static extern int cvm_pg_barrier(IntPtr group);
    [DllImport(Lib)] internal static extern bool cvm_distributed_has_backend(byte* backend);

    [DllImport(Lib)] internal static extern IntPtr cvm_reducer_new(IntPtr group, IntPtr* parameters, int n, long bucketBytes, long firstBucketBytes);
    [DllImport(Lib)] internal static extern void cvm_reducer_free(IntPtr reducer);
    [DllImport(Lib)] internal static extern int cvm_reducer_buckets(IntPtr reducer, long* sizes);
    [DllImport(Lib)] internal static extern int cvm_reducer_prepare(IntPtr reducer, IntPtr output);
    [DllImport(Lib)] internal static extern double cvm_reducer_wait_ms(IntPtr reducer);

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="s"/> for the shim.</summary>
    internal static byte[] Utf8Z(string s)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(s);
        var b = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
