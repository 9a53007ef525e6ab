using Lucent.Net.Activations;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// The micro-batched forward and backward passes of one step, shared by the render loop and the measurement of the
/// micro-batch size (<see cref="MicroBatchTuning"/>), so that what is timed is what a render runs.
/// </summary>
internal static class MicroBatchSlices
{
    /// <summary>
    /// Cuts the leading images of the detached, gradient-recording transformed batch into slices of <paramref name="size"/>
    /// images; each slice runs through the model and its images' objectives, which see their own activations at their
    /// own batch positions, and its loss is taken back to <paramref name="detached"/> (the gradients gather there).
    /// </summary>
    /// <param name="session">The prepared session (its recorder is reset for each slice).</param>
    /// <param name="image">The step's image, which the recorder reports as <c>input</c>.</param>
    /// <param name="detached">The images to run: the first rows of the step's transformed batch, detached and recording a gradient.</param>
    /// <param name="batch">The step's batch size (the positions the objectives know their images by).</param>
    /// <param name="size">Images per pass; the whole batch runs at once with the recorder's own lookup.</param>
    /// <param name="forward">Runs the model on a slice.</param>
    /// <param name="loss">The loss of the images <c>start .. start + count - 1</c> on the slice's activations.</param>
    /// <param name="afterBackward">Called with the slice's start once its backward pass is queued: the place to read values
    /// back from the device (a GPU does not wait there for the loss before the backward pass starts).</param>
    public static void ForwardBackward(
        ModelSession session, Tensor image, Tensor detached, int batch, int size, Action<Tensor> forward, Func<IActivationLookup, int, int, Tensor> loss, Action<int>? afterBackward = null)
    {
        var recorder = session.Recorder;
        int images = (int)detached.shape[0];
        for (int start = 0; start < images; start += size)
        {
            int count = Math.Min(size, images - start);
            using var sliceScope = NewDisposeScope();
            recorder.BeginStep(image);
            forward(count == batch ? detached : detached.narrow(0, start, count));
            using var lookup = new BatchSliceLookup(recorder, start, batch);
            loss(count == batch ? recorder : lookup, start, count).backward();
            afterBackward?.Invoke(start);
        }
    }
}
