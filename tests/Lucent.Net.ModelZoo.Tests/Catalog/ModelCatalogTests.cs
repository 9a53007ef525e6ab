using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Tests.Checkpoints;
using Lucent.Net.ModelZoo.Tests.InceptionV1;
using Lucent.Net.ModelZoo.Weights;

namespace Lucent.Net.ModelZoo.Tests.Catalog;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lucent-catalog-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Resnet18_loads_by_name_offline_and_lists_its_layers()
    {
        using var model = await ModelCatalog.LoadAsync("ResNet18");
        model.Should().BeOfType<ResNet18Model>();
        model.training.Should().BeFalse();
        var layers = ModelCatalog.DescribeLayers(model);
        layers.Single(l => l.Name == "layer3").OutputShape.Should().Equal(1, 256, 14, 14);
        layers.Single(l => l.Name == "layer4").OutputShape.Should().Equal(1, 512, 7, 7);
    }

    [Fact]
    public async Task Unknown_names_list_the_known_models()
    {
        var act = () => ModelCatalog.LoadAsync("inception");
        (await act.Should().ThrowAsync<UnknownModelException>()).WithMessage("*'inception'*inceptionv1*resnet18*");
    }

    [Fact]
    public async Task Inceptionv1_without_weights_says_which_file_to_put_where()
    {
        var options = new ModelLoadOptions { WeightStore = new WeightStoreOptions { CacheDirectory = folder, AllowDownload = false, GetEnvironmentVariable = _ => null } };
        var act = () => ModelCatalog.LoadAsync("inceptionv1", options);
        var error = (await act.Should().ThrowAsync<WeightsUnavailableException>()).Which;
        error.Message.Should().Contain("inception5h.pth").And.Contain(folder).And.Contain("https://github.com/ProGamerGov/pytorch-old-tensorflow-models/raw/master/inception5h.pth");
    }

    [Theory]
    [InlineData(CheckpointFormat.Legacy)]
    [InlineData(CheckpointFormat.Zip)]
    public async Task Inceptionv1_loads_a_state_dict_in_either_format_by_name_and_from_file(CheckpointFormat format)
    {
        string path = Path.Combine(folder, "inception5h.pth");
        var writer = new TorchCheckpointWriter();
        var expected = DeterministicInceptionV1.SharedStateDict;
        foreach (var (key, shape) in DeterministicInceptionV1.ExpectedParameters())
        {
            writer.AddFloat32(key, expected[key].data<float>().ToArray(), shape);
        }

        await File.WriteAllBytesAsync(path, writer.Write(format));

        using var byName = await ModelCatalog.LoadAsync("inceptionv1", new ModelLoadOptions { WeightsPath = path, WeightStore = new WeightStoreOptions { CacheDirectory = folder, AllowDownload = false } });
        using var fromFile = ModelCatalog.LoadFromFile(path, "inceptionv1");
        foreach (var model in new[] { byName, fromFile })
        {
            model.Should().BeOfType<InceptionV1Model>();
            var weights = model.state_dict();
            weights["mixed4a_3x3_pre_relu_conv.weight"].allclose(expected["mixed4a_3x3_pre_relu_conv.weight"], 0, 0).Should().BeTrue();
            weights["softmax2_pre_activation_matmul.bias"].allclose(expected["softmax2_pre_activation_matmul.bias"], 0, 0).Should().BeTrue();
        }
    }

    [Fact]
    public void A_state_dict_needs_an_architecture()
    {
        string path = Path.Combine(folder, "weights.pth");
        File.WriteAllBytes(path, [1, 2, 3]);
        var act = () => ModelCatalog.LoadFromFile(path);
        act.Should().Throw<UnknownModelException>().WithMessage("*architecture*inceptionv1*");
    }

    [Fact]
    public void Onnx_files_load_through_the_importer()
    {
        using var model = ModelCatalog.LoadFromFile(PretrainedResNet18.FindModelFile());
        ModelLayers.Names(model).Should().Contain("Convolution249").And.NotContain("layer2", "aliases belong to the ResNet-18 loader, not the generic importer");
    }

    [Fact]
    public void Missing_files_are_reported_with_their_full_path()
    {
        var act = () => ModelCatalog.LoadFromFile(Path.Combine(folder, "nope.onnx"));
        act.Should().Throw<FileNotFoundException>().WithMessage("*nope.onnx*does not exist*");
    }
}
