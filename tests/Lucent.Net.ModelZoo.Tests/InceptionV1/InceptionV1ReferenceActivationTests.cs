using System.Globalization;
using System.Text.Json;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>
/// Compares every layer of our float32 InceptionV1 with a float64 forward of the same architecture
/// in real PyTorch (Fixtures/inceptionv1/reference_activations.json, made by
/// Fixtures/make_fixtures.py) under deterministic weights and input.
/// </summary>
public sealed class InceptionV1ReferenceActivationTests
{
    private const double RelativeTolerance = 1e-3;

    private static readonly string FixturePath =
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "inceptionv1", "reference_activations.json");

    private readonly ITestOutputHelper _output;
    private (double Ratio, string What) _worst = (0, "none");

    public InceptionV1ReferenceActivationTests(ITestOutputHelper output)
    {
        LucentRuntime.EnsureInitialized();
        _output = output;
    }

    [Fact]
    public void Every_layer_matches_the_PyTorch_float64_reference()
    {
        File.Exists(FixturePath).Should().BeTrue(
            $"the reference fixture must exist at {FixturePath} (source: tests/Lucent.Net.ModelZoo.Tests/Fixtures/inceptionv1/reference_activations.json, made with PyTorch by Fixtures/make_fixtures.py); without it the architecture is unproven");
        var reference = ReadFixture(FixturePath);

        using var scope = NewDisposeScope();
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);

        using var recorder = new LayerRecorder(model);
        using var input = DeterministicInceptionV1.Input();
        var output = model.call(input);
        recorder.Outputs[IActivationLookupNames.Labels] = output.detach().clone().DetachFromDisposeScope();

        var expectedNames = InceptionV1Layers.Names.Append(IActivationLookupNames.Labels).ToList();
        reference.Keys.Should().BeEquivalentTo(expectedNames, "the fixture covers exactly our hook names plus 'labels'");

        var failures = new List<string>();
        foreach (var name in expectedNames)
        {
            Compare(name, reference[name], recorder.Outputs[name], failures);
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{expectedNames.Count} layers compared; closest to its tolerance: {_worst.What} at {_worst.Ratio:P1} of it"));
        failures.Should().BeEmpty($"every layer must match PyTorch within {RelativeTolerance} relative; mismatches:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    private void Compare(string name, LayerReference expected, Tensor actual, List<string> failures)
    {
        var shape = actual.shape;
        if (!shape.SequenceEqual(expected.Shape))
        {
            failures.Add($"{name}: shape [{string.Join(", ", shape)}], reference [{string.Join(", ", expected.Shape)}]");
            return;
        }

        using var flat = actual.detach().to(float64).flatten();
        var mean = flat.mean().item<double>();
        var std = flat.std(unbiased: false).item<double>();
        var slack = RelativeTolerance * expected.Std;
        Track(Math.Abs(mean - expected.Mean) / ((RelativeTolerance * Math.Abs(expected.Mean)) + (0.1 * slack)), name + " mean");
        Track(Math.Abs(std - expected.Std) / ((RelativeTolerance * expected.Std) + 1e-12), name + " std");
        if (Math.Abs(mean - expected.Mean) > (RelativeTolerance * Math.Abs(expected.Mean)) + (0.1 * slack))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: mean {mean:G9}, reference {expected.Mean:G9}"));
        }

        if (Math.Abs(std - expected.Std) > (RelativeTolerance * expected.Std) + 1e-12)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: std {std:G9}, reference {expected.Std:G9}"));
        }

        using var values = flat.index_select(0, tensor(expected.Indices));
        var actualValues = values.data<double>().ToArray();
        for (var k = 0; k < expected.Indices.Length; k++)
        {
            var reference = expected.Values[k];
            Track(Math.Abs(actualValues[k] - reference) / (RelativeTolerance * (expected.Std + Math.Abs(reference))), $"{name}[{expected.Indices[k]}]");
            if (Math.Abs(actualValues[k] - reference) > RelativeTolerance * (expected.Std + Math.Abs(reference)))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}[{expected.Indices[k]}]: {actualValues[k]:G9}, reference {reference:G9}"));
            }
        }
    }

    private void Track(double ratio, string what)
    {
        if (ratio > _worst.Ratio)
        {
            _worst = (ratio, what);
        }
    }

    private static Dictionary<string, LayerReference> ReadFixture(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var layers = new Dictionary<string, LayerReference>(StringComparer.Ordinal);
        foreach (var layer in document.RootElement.GetProperty("layers").EnumerateObject())
        {
            var value = layer.Value;
            layers[layer.Name] = new LayerReference(
                [.. value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64())],
                value.GetProperty("mean").GetDouble(),
                value.GetProperty("std").GetDouble(),
                [.. value.GetProperty("indices").EnumerateArray().Select(e => e.GetInt64())],
                [.. value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble())]);
        }

        return layers;
    }

    private sealed record LayerReference(long[] Shape, double Mean, double Std, long[] Indices, double[] Values);

    private static class IActivationLookupNames
    {
        public const string Labels = Lucent.Net.Activations.IActivationLookup.Labels;
    }
}
