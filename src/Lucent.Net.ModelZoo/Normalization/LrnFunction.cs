using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Normalization;

/// <summary>
/// A local response normalisation as one autograd node with a hand-written backward pass. With <c>d = Bias + W(x^2)</c>
/// (<c>W</c> the scaled window sums of <see cref="LrnWindow"/>, a linear map), <c>r = d^-Beta</c> and <c>y = x r</c>,
/// the gradient is <c>dx = g r - x W^T(g w)</c> with <c>w = 2 Beta y / d</c> (for <c>Beta = 1/2</c>, <c>w = y r^2</c>).
/// The forward pass keeps <c>w</c>, so the backward pass is one window sum and three element-wise passes. LibTorch's
/// autograd cannot use <see cref="LrnWindow"/>'s blocks without a zero-filled copy of the whole input per block in
/// the backward pass, which is why this is a node of its own.
/// </summary>
/// <remarks>
/// Values: the same operations as <see cref="Forward"/> (which the no-gradient path runs), so a render's forward pass
/// and an evaluation agree exactly. Gradients: within float rounding of LibTorch's <c>local_response_norm</c> (tests).
/// TorchSharp keeps a little managed bookkeeping per node (released with the graph); the native-heap test and the
/// <c>memory</c> benchmark show no growth. Not twice differentiable (nothing in Lucent.Net differentiates a gradient).
/// </remarks>
internal sealed class LrnFunction : autograd.SingleTensorFunction<LrnFunction>
{
    private const string ShapeKey = "shape";
    private const string SpecKey = "spec";

    /// <inheritdoc/>
    public override string Name => "LocalResponseNorm";

    /// <summary>
    /// The normalisation of a (batch, channels, height, width) tensor without recording a gradient: the output, the rows
    /// it was computed on (channels last, or (batch, channels, pixels)), <c>r</c>, and when asked the gradient weight
    /// <c>w</c>. The caller owns the tensors.
    /// </summary>
    public static (Tensor Output, Tensor Rows, Tensor Power, Tensor? GradientWeight) Forward(Tensor input, LrnSpec spec, bool withGradientWeight)
    {
        bool channelsLast = Layout.ChannelsLast.Is(input);
        var rows = channelsLast ? input.permute(0, 2, 3, 1) : input.reshape(input.shape[0], input.shape[1], -1);
        using var squares = rows.mul(rows);
        var denominator = (channelsLast ? LrnWindow.SumLast(squares, spec) : LrnWindow.SumChannelsFirst(squares, spec)).add_(spec.Bias);
        Tensor power, outputRows;
        Tensor? weight = null;
        if (spec.Beta == 0.5)
        {
            power = denominator.rsqrt_();
            outputRows = rows.mul(power);
            weight = withGradientWeight ? outputRows.mul(power).mul_(power) : null;
        }
        else
        {
            power = denominator.pow(-spec.Beta);
            outputRows = rows.mul(power);
            weight = withGradientWeight ? outputRows.div(denominator).mul_(2 * spec.Beta) : null;
            denominator.Dispose();
        }

        var output = channelsLast ? outputRows.permute(0, 3, 1, 2) : outputRows.view(input.shape);
        return (output, rows, power, weight);
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var spec = (LrnSpec)vars[1];
        var (output, rows, power, weight) = Forward(input, spec, withGradientWeight: true);
        ctx.save_for_backward([rows, power, weight!]);
        ctx.save_data(ShapeKey, input.shape);
        ctx.save_data(SpecKey, spec);
        return output;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        Tensor rows = saved[0], power = saved[1], weight = saved[2];
        var shape = (long[])ctx.get_data(ShapeKey);
        var transposed = ((LrnSpec)ctx.get_data(SpecKey)).Transposed;
        bool channelsLast = rows.dim() == 4;
        var grad = channelsLast ? grad_output.permute(0, 2, 3, 1) : grad_output.reshape(rows.shape);
        var weighted = grad.mul(weight).contiguous();
        var spread = channelsLast ? LrnWindow.SumLast(weighted, transposed) : LrnWindow.SumChannelsFirst(weighted, transposed);
        var result = grad.mul(power).addcmul_(rows, spread, -1);
        return [channelsLast ? result.permute(0, 3, 1, 2) : result.reshape(shape), null!];
    }
}
