using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>Puts pre-trained video encoder weights into a <see cref="VideoClassifier"/>.</summary>
public static class EncoderLoading
{
    /// <summary>
    /// Copies the encoder weights (see <see cref="ModelWeights.VideoEncoder"/>). A fixed sin-cos
    /// <c>pos_embed</c> of another grid is left as the classifier built it (it is a function of the grid);
    /// every other encoder tensor must be present with the classifier's shape.
    /// </summary>
    public static void LoadEncoder(VideoClassifier classifier, ModelWeights weights)
    {
        Dictionary<string, Tensor> source = weights.VideoEncoder();
        var live = classifier.encoder.state_dict();
        if (classifier.Config.VideoEncoder.PosEmbed == PositionalEmbeddingKind.SinCos
            && source.TryGetValue("pos_embed", out Tensor? pos) && live.TryGetValue("pos_embed", out Tensor? mine)
            && !pos.shape.SequenceEqual(mine.shape))
            source.Remove("pos_embed");
        List<string> missing, unexpected;
        try
        {
            (missing, unexpected) = classifier.encoder.load_state_dict(source, strict: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{weights.Path}: {e.Message}", e);
        }
        missing.Remove("pos_embed");
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{weights.Path}: the video encoder does not match config '{classifier.Config.Name}': missing [{string.Join(", ", missing.Take(8))}], unexpected [{string.Join(", ", unexpected.Take(8))}]");
    }
}
