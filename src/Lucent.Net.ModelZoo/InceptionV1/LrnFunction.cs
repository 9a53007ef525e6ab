using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// InceptionV1's local response normalisation (<c>k = 1</c>, <c>beta = 1/2</c>) as one autograd node with
/// a hand-written backward pass. With <c>d = 1 + W(x^2)</c> (<c>W</c> the scaled window sums of
/// <see cref="LrnWindow"/>, a symmetric linear map), <c>r = d^-1/2</c> and <c>y = x r</c>, the gradient is
/// <c>dx = g r - x W(g x r^3)</c>. The forward pass keeps <c>x r^3</c>, so the backward pass is one window
/// sum and three element-wise passes. LibTorch's autograd cannot use <see cref="LrnWindow"/>'s blocks
/// without a zero-filled copy of the whole input per block in the backward pass, which is why this is a
/// node of its own.
/// </summary>
/// <remarks>
/// Values: the same operations as <see cref="Forward"/> (which the no-gradient path runs), so a render's
/// forward pass and an evaluation agree exactly. Gradients: within float rounding of LibTorch's
/// <c>local_response_norm</c> (tests). TorchSharp keeps a little managed bookkeeping per node
/// (released with the graph); the native-heap test and the <c>memory</c> benchmark show no growth.
/// Not twice differentiable (nothing in Lucent.Net differentiates a gradient).
/// </remarks>
internal sealed class LrnFunction : autograd.SingleTensorFunction<LrnFunction>
{
    private const string ShapeKey = "shape";

    /// <inheritdoc/>
    public override string Name => "InceptionV1LocalResponseNorm";

    /// <summary>
    /// The normalisation of a (batch, channels, height, width) tensor without recording a gradient: the
    /// output, the rows it was computed on (channels last or (batch, channels, pixels)), <c>r</c>, and
    /// whether the rows are channels-last. The caller owns the tensors.
    /// </summary>
    public static (Tensor Output, Tensor Rows, Tensor ReciprocalRoot, bool ChannelsLast) Forward(Tensor input)
    {
        bool channelsLast = Layout.ChannelsLast.Is(input);
        var rows = channelsLast ? input.permute(0, 2, 3, 1) : input.reshape(input.shape[0], input.shape[1], -1);
        using var squares = rows.mul(rows);
        var sums = channelsLast ? LrnWindow.SumLast(squares) : LrnWindow.SumChannelsFirst(squares);
        var reciprocalRoot = sums.add_(InceptionV1Model.LrnK).rsqrt_();
        var output = rows.mul(reciprocalRoot);
        return (channelsLast ? output.permute(0, 3, 1, 2) : output.view(input.shape), rows, reciprocalRoot, channelsLast);
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var (output, rows, reciprocalRoot, _) = Forward(input);
        var outputRows = Layout.ChannelsLast.Is(input) ? output.permute(0, 2, 3, 1) : output.view(rows.shape);
        var cubed = outputRows.mul(reciprocalRoot).mul_(reciprocalRoot);
        ctx.save_for_backward([rows, reciprocalRoot, cubed]);
        ctx.save_data(ShapeKey, input.shape);
        return output;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        Tensor rows = saved[0], reciprocalRoot = saved[1], cubed = saved[2];
        var shape = (long[])ctx.get_data(ShapeKey);
        bool channelsLast = rows.dim() == 4;
        var grad = channelsLast ? grad_output.permute(0, 2, 3, 1) : grad_output.reshape(rows.shape);
        var weighted = grad.mul(cubed).contiguous();
        var spread = channelsLast ? LrnWindow.SumLast(weighted) : LrnWindow.SumChannelsFirst(weighted);
        var result = grad.mul(reciprocalRoot).addcmul_(rows, spread, -1);
        return [channelsLast ? result.permute(0, 3, 1, 2) : result.reshape(shape)];
    }
}
