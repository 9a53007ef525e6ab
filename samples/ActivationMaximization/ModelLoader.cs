using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Weights;
using static TorchSharp.torch;

namespace ActivationMaximization;

/// <summary>A model ready to render, and how it was obtained.</summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(nn.Module<Tensor, Tensor> module, ModelKind kind, string description, string weightsSource, bool pretrained, string? fallbackReason)
    {
        Module = module;
        Kind = kind;
        Description = description;
        WeightsSource = weightsSource;
        Pretrained = pretrained;
        FallbackReason = fallbackReason;
    }

    /// <summary>The model (owned by this object).</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Which model it is.</summary>
    public ModelKind Kind { get; }

    /// <summary>A readable name, e.g. "InceptionV1 (pretrained, Lucent's inception5h)".</summary>
    public string Description { get; }

    /// <summary>Where the weights came from (a file path).</summary>
    public string WeightsSource { get; }

    /// <summary>Whether the weights are trained (false only with --allow-random-weights).</summary>
    public bool Pretrained { get; }

    /// <summary>Why the app fell back from InceptionV1 to ResNet-18; null when it did not.</summary>
    public string? FallbackReason { get; }

    /// <inheritdoc />
    public void Dispose() => Module.Dispose();
}

/// <summary>The model could not be loaded; the message says why and what to do.</summary>
public sealed class ModelUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong and how to fix it.</param>
    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public ModelUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Loads the model the settings ask for. InceptionV1 is the default; when its pretrained weights cannot be had and no
/// model was named, the app says so in one line and uses the pretrained ResNet-18 that ships with NuGet. It never
/// renders on random weights unless <c>--allow-random-weights</c> is given.
/// </summary>
public static class ModelLoader
{
    /// <summary>Loads the model.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="environment">Services (weight store options).</param>
    /// <param name="notice">Receives one-line notices (the fallback message).</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>The loaded model; the caller disposes it.</returns>
    /// <exception cref="ModelUnavailableException">The model asked for cannot be loaded.</exception>
    public static async Task<LoadedModel> LoadAsync(AppSettings settings, AppEnvironment environment, Action<string> notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(notice);
        if (settings.Model == ModelKind.ResNet18)
        {
            return LoadResNet18(settings.Weights, fallbackReason: null);
        }

        string? problem;
        try
        {
            return await LoadInceptionV1Async(settings, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (settings.Weights is not null && ex is not OperationCanceledException)
        {
            // An explicit --weights file must load or fail loudly: never fall back behind the user's back.
            throw new ModelUnavailableException(
                $"The weights file '{settings.Weights}' given with --weights could not be loaded as InceptionV1's weights ({FirstLine(ex.Message)}). " +
                "Fix or replace the file, leave --weights out to use the weight store, or use --model resnet18.",
                ex);
        }
        catch (WeightsUnavailableException ex)
        {
            problem = ex.Message;
        }
        catch (CheckpointFormatException ex)
        {
            problem = "the weights file could not be read: " + ex.Message;
        }
        catch (InceptionV1StateDictException ex)
        {
            problem = "the weights file does not fit InceptionV1: " + ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = "the weights file could not be read: " + ex.Message;
        }

        string store = new WeightStore(environment.WeightStore).GetCachePath(PretrainedWeights.InceptionV1);
        string howTo = $"download {PretrainedWeights.InceptionV1.Url} to {store} (or pass --weights <file>)";
        if (settings.Model == ModelKind.InceptionV1)
        {
            if (settings.AllowRandomWeights)
            {
                notice($"InceptionV1's pretrained weights are not available; using RANDOM weights as --allow-random-weights asks (the images mean nothing). To get them: {howTo}.");
                var random = new InceptionV1Model();
                random.eval();
                return new LoadedModel(random, ModelKind.InceptionV1, "InceptionV1 (RANDOM weights, --allow-random-weights)", "random initialisation", pretrained: false, fallbackReason: null);
            }

            throw new ModelUnavailableException(
                $"InceptionV1's pretrained weights are not available ({FirstSentence(problem)}). To get them: {howTo}. " +
                "Or use --model resnet18, which ships with NuGet.");
        }

        string reason = $"InceptionV1 weights unavailable ({FirstSentence(problem)}); to use them, {howTo}. Running on the pretrained ResNet-18 from NuGet instead.";
        notice(reason);
        return LoadResNet18(explicitPath: null, reason);
    }

    private static async Task<LoadedModel> LoadInceptionV1Async(AppSettings settings, AppEnvironment environment, CancellationToken cancellationToken)
    {
        var options = environment.WeightStore ?? new WeightStoreOptions();
        if (settings.NoDownload)
        {
            options = new WeightStoreOptions
            {
                CacheDirectory = options.CacheDirectory,
                AllowDownload = false,
                DownloadTimeout = options.DownloadTimeout,
                StallTimeout = options.StallTimeout,
                GetEnvironmentVariable = options.GetEnvironmentVariable,
            };
        }

        var store = new WeightStore(options);
        string path = await store.ResolveAsync(PretrainedWeights.InceptionV1, settings.Weights, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var stateDict = PyTorchCheckpoint.ReadStateDict(path);
        var model = new InceptionV1Model();
        try
        {
            model.LoadStateDict(stateDict);
            model.eval();
            return new LoadedModel(model, ModelKind.InceptionV1, "InceptionV1 (pretrained, Lucent's inception5h weights)", path, pretrained: true, fallbackReason: null);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static LoadedModel LoadResNet18(string? explicitPath, string? fallbackReason)
    {
        try
        {
            var model = PretrainedResNet18.Load(new ResNet18Options { ModelPath = explicitPath });
            return new LoadedModel(
                model,
                ModelKind.ResNet18,
                $"ResNet-18 (pretrained on ImageNet, from NuGet package {PretrainedResNet18.PackageId} {PretrainedResNet18.PackageVersion})",
                model.ModelPath,
                pretrained: true,
                fallbackReason);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Lucent.Net.ModelZoo.Onnx.OnnxImportException
            || (explicitPath is not null && ex is not OperationCanceledException))
        {
            string what = explicitPath is null ? "The pretrained ResNet-18" : $"The weights file '{explicitPath}' given with --weights";
            throw new ModelUnavailableException($"{what} could not be loaded as ResNet-18 ({FirstLine(ex.Message)}).", ex);
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd('.', ' ', '\r');
    }

    private static string FirstSentence(string text)
    {
        // The weight store's message ends with how to fix it, which the app says itself.
        int fix = text.IndexOf(" To fix this", StringComparison.Ordinal);
        if (fix > 0)
        {
            text = text[..fix];
        }

        int colon = text.IndexOf(" are not available: ", StringComparison.Ordinal);
        if (colon > 0)
        {
            text = text[(colon + " are not available: ".Length)..];
        }

        int end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? text[..end] : text).TrimEnd('.', ' ');
    }
}
