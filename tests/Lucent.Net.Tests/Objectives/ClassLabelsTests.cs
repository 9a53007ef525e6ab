using Lucent.Net.Parameterization;
using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

public class ClassLabelsTests
{
    private static readonly ClassLabels Labels = new(
        [null, "tench, Tinca tinca", "goldfish", "tabby, tabby cat", "tiger cat", "crane", "crane", "maillot", "maillot, tank suit", "Egyptian cat"],
        "the test labels");

    public ClassLabelsTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Names_resolve_by_whole_label_or_synonym_ignoring_case()
    {
        Labels.Count.Should().Be(10);
        Labels.IndexOf("tabby").Should().Be(3);
        Labels.IndexOf("Tabby Cat").Should().Be(3);
        Labels.IndexOf(" tabby, tabby cat ").Should().Be(3);
        Labels.IndexOf("maillot").Should().Be(7, "a whole-label match wins over a synonym of another class");
        Labels[0].Should().BeNull();
        Labels[3].Should().Be("tabby, tabby cat");
        Labels.ShortName(3).Should().Be("tabby");
        Labels[99].Should().BeNull();
        Labels.TryGetIndex("crane", out _).Should().BeFalse();
    }

    [Fact]
    public void Unknown_and_ambiguous_names_are_typed_errors_listing_close_names()
    {
        var unknown = FluentActions.Invoking(() => Labels.IndexOf("taby")).Should().Throw<UnknownClassLabelException>().Which;
        unknown.ClassName.Should().Be("taby");
        unknown.Message.Should().Contain("No class is named 'taby' in the test labels").And.Contain("Did you mean: 'tabby'");

        FluentActions.Invoking(() => Labels.IndexOf("crane")).Should().Throw<UnknownClassLabelException>()
            .WithMessage("*'crane' is ambiguous*5 (crane); 6 (crane)*");
    }

    [Fact]
    public void Label_files_read_in_lucents_two_formats()
    {
        var torchvision = ClassLabels.FromLines(["0 tench, Tinca tinca", "1 goldfish, Carassius auratus"], 0, 2, "a");
        torchvision.IndexOf("goldfish").Should().Be(1);
        var old = ClassLabels.FromLines(["n02119789 1 kit fox", "n02100735 2 English setter"], 1, 4, "b");
        old[0].Should().BeNull();
        old.IndexOf("kit fox").Should().Be(1);
        old.IndexOf("english setter").Should().Be(2);
        var plain = ClassLabels.FromLines(["dummy-free", "second"], 1, 3, "c");
        plain.IndexOf("second").Should().Be(2);
        FluentActions.Invoking(() => ClassLabels.FromLines(["5 five"], 0, 3, "d")).Should().Throw<FormatException>().WithMessage("*index 5*");
    }

    [Fact]
    public void ClassLogit_by_name_equals_ClassLogit_by_index_on_a_model_with_labels()
    {
        using var scope = NewDisposeScope();
        var logits = arange(20, dtype: ScalarType.Float32).view(2, 10);
        var lookup = new LabelledLookup(new DictionaryLookup(IActivationLookup.Labels, logits), Labels);

        var byName = Objective.ClassLogit("tabby cat");
        byName.Name.Should().Be("class_logit(labels, 'tabby cat')");
        byName.Compute(lookup).item<float>().Should().Be(Objective.ClassLogit(3).Compute(lookup).item<float>());
        Objective.ClassLogit("goldfish", Labels).Name.Should().Be("class_logit(labels, 2)");

        ObjectiveExpression.Parse("labels:tabby").Compute(lookup).item<float>().Should().Be(Objective.Channel("labels", 3).Compute(lookup).item<float>());
        ObjectiveExpression.Parse("class_logit(labels, tabby, batch: 1)").Compute(lookup).item<float>().Should().Be(-13f);
        ObjectiveExpression.Parse("labels:'tiger cat' - labels:tabby").Compute(lookup).item<float>().Should().Be(-1f);
        ObjectiveExpression.Parse(byName.Name).Compute(lookup).item<float>().Should().Be(-16f, "the name parses back");

        var unknown = () => Objective.ClassLogit("tabbby").Compute(lookup);
        unknown.Should().Throw<UnknownClassLabelException>().WithMessage("*Did you mean: 'tabby'*");
        var noLabels = () => Objective.ClassLogit("tabby").Compute(new DictionaryLookup(IActivationLookup.Labels, logits));
        noLabels.Should().Throw<UnknownClassLabelException>().WithMessage("*has no class names*IClassLabels*");
    }

    [Fact]
    public void A_render_resolves_the_class_name_from_the_model_and_raises_that_class()
    {
        using var model = new LabelledNet(Labels);
        var options = new RenderOptions { Parameterization = ParameterizationFactory.From(g => new TestPixelParameterization(16, g)), Transforms = [], Thresholds = [12], FixedImageSize = (16, 16) };
        var result = Renderer.Render(model, Objective.ClassLogit("goldfish"), options);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);

        var act = () => Renderer.Render(model, "labels:goldfsh", options);
        act.Should().Throw<UnknownClassLabelException>().WithMessage("*'goldfsh'*'goldfish'*");
    }

    private sealed class LabelledLookup(IActivationLookup inner, ClassLabels labels) : IActivationLookup, IClassLabels
    {
        public ClassLabels? ClassLabels => labels;

        public Tensor this[string layer] => inner[layer];
    }

    private sealed class LabelledNet : nn.Module<Tensor, Tensor>, IClassLabels
    {
        private readonly TinyConvNet net;

        public LabelledNet(ClassLabels labels)
            : base(nameof(LabelledNet))
        {
            ClassLabels = labels;
            net = new TinyConvNet(seed: 1);
            RegisterComponents();
        }

        public ClassLabels? ClassLabels { get; }

        public override Tensor forward(Tensor input) => net.call(input);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                net.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
