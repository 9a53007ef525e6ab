using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// A convenient base for <see cref="IImageParameterization"/> implementations: it checks for use after
/// disposal and runs <see cref="CreateImageCore"/> inside a dispose scope, so that implementations may
/// create intermediate tensors freely; only the returned image survives.
/// </summary>
public abstract class ImageParameterizationBase : IImageParameterization
{
    private bool _disposed;

    /// <summary>Initialises the shape and name.</summary>
    /// <param name="shape">The shape of the images produced.</param>
    /// <param name="name">A short readable description.</param>
    protected ImageParameterizationBase(ImageShape shape, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Shape = shape;
        Name = name;
    }

    /// <inheritdoc />
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public ImageShape Shape { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Whether <see cref="Dispose()"/> has run.</summary>
    protected bool IsDisposed => _disposed;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The parameterisation has been disposed.</exception>
    public Tensor CreateImage()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = torch.NewDisposeScope();
        var image = CreateImageCore();
        return image.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Builds the image from the parameters, differentiably. Runs inside a dispose scope: every tensor
    /// created here except the returned one is disposed afterwards. Never return a parameter itself:
    /// return <c>parameter.alias()</c>.
    /// </summary>
    /// <returns>The (batch, channels, height, width) image.</returns>
    protected abstract Tensor CreateImageCore();

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Disposes the parameters and any other tensors held.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Dispose(disposing: true);
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the tensors held; called once by <see cref="Dispose()"/>.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected abstract void Dispose(bool disposing);
}
