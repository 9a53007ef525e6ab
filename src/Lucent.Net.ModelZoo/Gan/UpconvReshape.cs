using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Gan;

/// <summary>The fc generators' <c>reshape</c> layer: (batch, 16 c) to (batch, c, 4, 4). It holds no weights.</summary>
internal sealed class UpconvReshape : nn.Module<Tensor, Tensor>
{
    private readonly long _channels;

    public UpconvReshape(long channels)
        : base("reshape")
    {
        _channels = channels;
    }

    public override Tensor forward(Tensor input) => input.view(-1, _channels, 4, 4);
}
