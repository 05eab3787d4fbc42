using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.TestSupport;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>The hostile and damaged files of <see cref="CheckpointPthSafetyTests"/>, written once by PyTorch.</summary>
public sealed class HostilePthFixtures : IDisposable
{
    public TempDir Dir { get; } = new();
    public string[] Output { get; }

    public HostilePthFixtures() => Output = PythonSections(Dir, CheckpointPthSafetyTests.HostileFiles, CheckpointPthSafetyTests.DamagedFiles,
        CheckpointPthSafetyTests.ViewsOutsideStorage, CheckpointPthSafetyTests.CutAndCorrupted);

    public void Dispose() => Dir.Dispose();
}

/// <summary>Hostile and damaged .pth files are refused with a clear error; nothing in them ever runs.</summary>
public class CheckpointPthSafetyTests(HostilePthFixtures fx) : IClassFixture<HostilePthFixtures>
{
    // Each payload would create the marker file if it were executed. torch.save writes the hostile
    // object into a real checkpoint layout; the same pickle is also written bare.
    internal const string HostileFiles = """
        import builtins, os, pickle, torch, zipfile
        marker = os.path.abspath('executed')
        class System:
            def __reduce__(self): return (os.system, ('touch ' + marker,))
        class Eval:
            def __reduce__(self): return (builtins.eval, ("open(%r, 'w').close()" % marker,))
        class Exec:
            def __reduce__(self): return (builtins.exec, ("open(%r, 'w').close()" % marker,))
        for name, obj in [('system', System()), ('eval', Eval()), ('exec', Exec())]:
            torch.save({'weight': torch.ones(2), 'payload': obj}, name + '.pth')
            with open(name + '.pkl', 'wb') as f:
                pickle.dump({'payload': obj}, f, protocol=2)
        # The payload alone in torch.save's zip layout (no tensors at all).
        with zipfile.ZipFile('bare.pth', 'w', zipfile.ZIP_STORED) as z:
            z.writestr('bare/data.pkl', pickle.dumps(System(), protocol=2))
            z.writestr('bare/version', '3\n')
        print(os.path.exists(marker))
        """;

    // A good archive and damaged copies of it.
    internal const string DamagedFiles = """
        import torch, zipfile
        torch.save({'w': torch.arange(12.).reshape(3, 4), 'b': torch.ones(3)}, 'good.pth')
        data = open('good.pth', 'rb').read()
        open('truncated_zip.pth', 'wb').write(data[:len(data) // 2])
        open('garbage.pth', 'wb').write(b'not a checkpoint at all')
        src = zipfile.ZipFile('good.pth')
        def rewrite(out_name, change):
            with zipfile.ZipFile(out_name, 'w', zipfile.ZIP_STORED) as out:
                for n in src.namelist():
                    d = change(n, src.read(n))
                    if d is not None: out.writestr(n, d)
        rewrite('truncated_pickle.pth', lambda n, d: d[:len(d) // 2] if n.endswith('data.pkl') else d)
        rewrite('short_storage.pth', lambda n, d: d[:-4] if n.endswith('/data/0') else d)
        rewrite('missing_storage.pth', lambda n, d: None if n.endswith('/data/1') else d)
        rewrite('no_pickle.pth', lambda n, d: None if n.endswith('data.pkl') else d)
        torch.save({'w': torch.ones(2)}, 'legacy.pth', _use_new_zipfile_serialization=False)
        import pickle
        pickle.dump({'a': 1, 'b': [1.5, 'x']}, open('plain.pkl', 'wb'), protocol=2)
        """;

    // Views whose (offset, size, stride) reach outside their storage, written with the real
    // rebuild function and storage class so that only the numbers are wrong.
    internal const string ViewsOutsideStorage = """
        import collections, io, pickle, torch, zipfile
        class Storage:
            def __init__(self, numel): self.numel = numel
        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                return ('storage', torch.FloatStorage, '0', 'cpu', obj.numel) if isinstance(obj, Storage) else None
        class View:
            def __init__(self, *a): self.a = a
            def __reduce__(self):
                return (torch._utils._rebuild_tensor_v2, (Storage(self.a[0]),) + self.a[1:] + (False, collections.OrderedDict()))
        cases = {
            'too_large': (4, 0, (3, 3), (3, 1)),
            'offset_past_end': (9, 7, (3,), (1,)),
            'stride_past_end': (9, 0, (3, 3), (4, 1)),
            'overflow': (9, 0, (2**62, 4), (2**62, 1)),
            'negative_size': (9, 0, (-1,), (1,)),
            'rank_mismatch': (9, 0, (3, 3), (3,)),
        }
        for name, (numel, offset, size, stride) in cases.items():
            buf = io.BytesIO()
            Pickler(buf, protocol=2).dump({'w': View(numel, offset, size, stride)})
            with zipfile.ZipFile(name + '.pth', 'w', zipfile.ZIP_STORED) as z:
                z.writestr(name + '/data.pkl', buf.getvalue())
                z.writestr(name + '/data/0', b'\0' * (4 * numel))
        # Copies that would blow up: one storage element expanded 2**25 times; 200 full views of one storage.
        def archive(name, obj, numel):
            buf = io.BytesIO()
            Pickler(buf, protocol=2).dump(obj)
            with zipfile.ZipFile(name + '.pth', 'w', zipfile.ZIP_STORED) as z:
                z.writestr(name + '/data.pkl', buf.getvalue())
                z.writestr(name + '/data/0', b'\0' * (4 * numel))
        archive('expanded_huge', {'w': View(1, 0, (2**25,), (0,))}, 1)
        archive('many_views', {'w%d' % i: View(1 << 20, 0, (1 << 20,), (1,)) for i in range(200)}, 1 << 20)
        # Hand-written pickles nested 100000 deep: a tuple used as a dict key, and lists in a dict value.
        def raw(name, body):
            with zipfile.ZipFile(name + '.pth', 'w', zipfile.ZIP_STORED) as z:
                z.writestr(name + '/data.pkl', b'\x80\x02}' + body + b's.')
        raw('deep_key', b'K\x01' + b'\x85' * 100000 + b'K\x02')
        raw('deep_value', b'X\x01\x00\x00\x00k' + b']' * 100000 + b'a' * 99999)
        """;

    // Every third cut of a real pickle and 150 single-byte corruptions of it.
    internal const string CutAndCorrupted = """
        import random, torch, zipfile
        torch.manual_seed(3)
        m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
        torch.save({'model': m.state_dict(), 'epoch': 2, 'args': {'x': [1, 2.5, None, True]}}, 'fuzz.pth')
        src = zipfile.ZipFile('fuzz.pth')
        pkl = src.read('fuzz/data.pkl')
        random.seed(4)
        variants = [pkl[:n] for n in range(0, len(pkl), 3)]
        for _ in range(150):
            b = bytearray(pkl); i = random.randrange(len(b)); b[i] = random.randrange(256); variants.append(bytes(b))
        for i, v in enumerate(variants):
            with zipfile.ZipFile('fuzz%d.pth' % i, 'w', zipfile.ZIP_STORED) as out:
                for n in src.namelist():
                    out.writestr(n, v if n.endswith('data.pkl') else src.read(n))
        print(len(variants))
        """;

    [Theory]
    [InlineData("system.pth", "posix.system")]
    [InlineData("eval.pth", "__builtin__.eval")]
    [InlineData("exec.pth", "__builtin__.exec")]
    [InlineData("bare.pth", "posix.system")]
    [InlineData("system.pkl", "posix.system")]
    [InlineData("eval.pkl", "__builtin__.eval")]
    public void A_pickle_naming_any_other_global_is_refused_and_nothing_runs(string file, string global)
    {
        Assert.Equal("False", fx.Output[0]);
        string path = fx.Dir.File(file);
        var e = Assert.Throws<InvalidDataException>(() => PthReader.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"refused: the pickle references the global '{global}'", e.Message);
        Assert.False(File.Exists(fx.Dir.File("executed")), "the payload ran");
    }

    [Fact]
    public void Damaged_archives_give_a_clear_InvalidDataException()
    {
        TempDir dir = fx.Dir;
        (string file, string reason)[] cases =
        [
            ("truncated_zip.pth", "not a readable zip archive"),
            ("garbage.pth", "neither a zip archive nor a pickle"),
            ("truncated_pickle.pth", "truncated"),
            ("short_storage.pth", "holds 44 bytes but 12 Float32 elements need 48"),
            ("missing_storage.pth", "has no 'good/data/1'"),
            ("no_pickle.pth", "expected one '<name>/data.pkl' entry"),
            ("legacy.pth", "legacy torch.save format"),
            ("plain.pkl", "a bare pickle holding a dict"),
        ];
        foreach (var (file, reason) in cases)
        {
            string path = dir.File(file);
            var e = Assert.Throws<InvalidDataException>(() => PthReader.Load(path));
            Assert.True(e.Message.Contains(path) && e.Message.Contains(reason), $"{file}: {e.Message}");
        }
    }

    [Fact]
    public void A_view_that_does_not_fit_its_storage_or_would_blow_up_is_refused()
    {
        TempDir dir = fx.Dir;
        (string file, string reason)[] cases =
        [
            ("too_large", "reaches element 8, but storage '0' holds only 4 elements"),
            ("offset_past_end", "reaches element 9, but storage '0' holds only 9 elements"),
            ("stride_past_end", "reaches element 10, but storage '0' holds only 9 elements"),
            ("overflow", "overflows"),
            ("negative_size", "is not a non-negative int"),
            ("rank_mismatch", "size has 2 dimensions but stride has 1"),
            ("expanded_huge", "repeats the 1 elements of storage '0'"),
            ("many_views", "the tensor views add up to 838860800 bytes from 4194304 bytes of storage"),
            ("deep_key", "is not hashable (or is nested too deeply)"),
            ("deep_value", "nested more than 64 levels deep"),
        ];
        foreach (var (file, reason) in cases)
        {
            string path = dir.File(file + ".pth");
            var e = Assert.Throws<InvalidDataException>(() => PthReader.Load(path));
            Assert.True(e.Message.Contains(path) && e.Message.Contains(reason), $"{file}: {e.Message}");
        }
    }

    // Every cut of a real pickle and many single-byte corruptions: each either loads or fails with
    // InvalidDataException, never with another exception type.
    [Fact]
    public void Cut_or_corrupted_pickles_fail_only_with_InvalidDataException()
    {
        TempDir dir = fx.Dir;
        int n = int.Parse(fx.Output[3]);
        int refused = 0;
        for (int i = 0; i < n; i++)
        {
            try { PthReader.Load(dir.File($"fuzz{i}.pth")).Dispose(); }
            catch (InvalidDataException) { refused++; }
        }
        Assert.True(refused > n / 3, $"only {refused} of {n} damaged pickles were refused");
    }
}
