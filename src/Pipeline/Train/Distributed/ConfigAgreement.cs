using System.Security.Cryptography;
using System.Text;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// Makes sure every rank of a group resolved the same training settings: each rank publishes a
/// SHA-256 of its resolved config and of the options that shape the run (steps, TTA, resume) through
/// the rendezvous store, and a rank whose hash differs from rank 0's is an error naming it.
/// </summary>
public static class ConfigAgreement
{
    /// <param name="shaping">the resolved config and every option that shapes the run, as text</param>
    public static void Check(IRankGroup group, string shaping)
    {
        if (group.WorldSize == 1) return;
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shaping)));
        IReadOnlyList<string> all = group.ExchangeStrings("config_sha256", hash);
        var differing = Enumerable.Range(0, all.Count).Where(r => all[r] != all[0]).ToList();
        if (differing.Count > 0)
            throw new ArgumentException(
                $"rank(s) {string.Join(", ", differing)} resolved a different config or options than rank 0 " +
                $"(sha256 {all[differing[0]][..12]}... vs {all[0][..12]}...): start every rank with the same config file and options");
    }
}
