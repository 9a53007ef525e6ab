using Lucent.Net.Expressions;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Expressions;

public sealed class TransformExpressionTests
{
    public TransformExpressionTests() => LucentRuntime.EnsureInitialized();

    public static TheoryData<string, string> BuiltInCalls => new()
    {
        { "pad(12, mode=constant, value=0.5)", new PadTransform(12, PadMode.Constant, 0.5).Name },
        { "pad(12, mode: constant, value: 0.25)", new PadTransform(12, PadMode.Constant, 0.25).Name },
        { "pad(w=3, mode='CONSTANT', constant_value=0.2)", new PadTransform(3, PadMode.Constant, 0.2).Name },
        { "pad(2 * 3)", new PadTransform(6).Name },
        { "pad(4, replicate)", new PadTransform(4, PadMode.Replicate).Name },
        { "jitter(d=4)", new JitterTransform(4).Name },
        { "jitter(8)", new JitterTransform(8).Name },
        { "random_scale([0.9, 1, 1.1])", new RandomScaleTransform([0.9, 1, 1.1]).Name },
        { "random_rotate([-5, 0, 5])", new RandomRotateTransform([-5, 0, 5]).Name },
        { "random_rotate(angles=[0.1], units=radians)", new RandomRotateTransform([0.1], AngleUnit.Radians).Name },
        { "resize(32)", new ResizeTransform(32, 32).Name },
        { "resize(height=32, width=16)", new ResizeTransform(32, 16).Name },
        { "normalize", new ImageNetNormalizeTransform().Name },
        { "NORMALIZE()", new ImageNetNormalizeTransform().Name },
        { "preprocess_inceptionv1", new InceptionV1PreprocessingTransform().Name },
        { "standard", TransformPipeline.Standard.Name },
    };

    [Theory]
    [MemberData(nameof(BuiltInCalls))]
    public void Built_in_calls_make_the_same_transform_as_the_constructor(string expression, string name)
    {
        TransformExpression.Parse(expression).Name.Should().Be(name);
    }

    [Fact]
    public void Standard_is_the_shared_pipeline()
    {
        TransformExpression.Parse("standard").Should().BeSameAs(TransformPipeline.Standard);
    }

    [Fact]
    public void Every_built_in_name_parses_back_to_a_transform_that_computes_the_same_image()
    {
        IImageTransform[] transforms =
        [
            new PadTransform(3, PadMode.Constant, 0.25), new PadTransform(2), new PadTransform(1, PadMode.Circular), new JitterTransform(3),
            new RandomScaleTransform([0.9, 1.1]), new RandomRotateTransform([-10, 10]), new RandomRotateTransform([0.2], AngleUnit.Radians),
            new ResizeTransform(12, 10), new ImageNetNormalizeTransform(), new InceptionV1PreprocessingTransform(),
            new MacoCropTransform(2, 8, 0.5, 0.25, 0.1), new CollapseAlphaTransform(AlphaBackground.FftNoise, 0.25), new CollapseAlphaTransform(AlphaBackground.Uniform),
        ];
        TransformFunctionRegistry.Default.Names.Except(transforms.Select(t => t.Name[..t.Name.IndexOf('(', StringComparison.Ordinal)]))
            .Should().Equal(["standard"], "every built-in but the pipeline is covered");
        using var generator = new Generator(3, torch.CPU);
        using var rgb = torch.rand([1, 3, 8, 8], generator: generator);
        using var rgba = torch.rand([1, 4, 8, 8], generator: generator);
        foreach (var transform in transforms)
        {
            using var scope = torch.NewDisposeScope();
            var image = transform is CollapseAlphaTransform ? rgba : rgb;
            var parsed = TransformExpression.Parse(transform.Name);
            parsed.Name.Should().Be(transform.Name);
            parsed.GetType().Should().Be(transform.GetType());
            var expected = transform.Apply(image, TransformContext.FromSeed(5));
            var actual = parsed.Apply(image, TransformContext.FromSeed(5));
            actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue(transform.Name);
        }
    }

    [Fact]
    public void Pipeline_form_is_calls_separated_by_commas()
    {
        var pipeline = TransformExpression.ParsePipeline("pad(12, mode=constant), jitter(8), random_scale([0.9, 1.1]), normalize");
        pipeline.Transforms.Select(t => t.Name).Should().Equal(
            new PadTransform(12, PadMode.Constant).Name, new JitterTransform(8).Name, new RandomScaleTransform([0.9, 1.1]).Name, new ImageNetNormalizeTransform().Name);
        TransformExpression.ParsePipeline("standard").Transforms.Should().ContainSingle().Which.Should().BeSameAs(TransformPipeline.Standard);
        TransformFunctionRegistry.Default.ParsePipeline(" jitter(2) ").Transforms.Should().ContainSingle();
    }

    [Theory]
    [InlineData("pad(12", 7, "Expected ',' or ')'")]
    [InlineData("pad(x)", 5, "Argument 'width' of pad must be a whole number, but got the name 'x'")]
    [InlineData("pad(2.5)", 5, "Argument 'width' of pad must be a whole number, but got the number 2.5")]
    [InlineData("pad(2, mode=sideways)", 13, "Argument 'mode' of pad must be one of reflect, constant, replicate, circular, but got the name 'sideways'")]
    [InlineData("pad(2, mode=1)", 13, "Argument 'mode' of pad must be one of reflect, constant, replicate, circular, but got the number 1")]
    [InlineData("random_scale(1.1)", 14, "Argument 'scales' of random_scale must be a list of numbers")]
    [InlineData("jiter(2)", 1, "Unknown transform function 'jiter'")]
    [InlineData("pad(2, z=1)", 8, "pad has no parameter 'z'")]
    [InlineData("pad(2, 3, 0.5, 1)", 16, "Too many arguments: pad takes at most 3")]
    [InlineData("pad(2, w=3)", 5, "The argument 'width' of pad is given both by position and by name")]
    [InlineData("pad(mode=constant, 2)", 20, "A positional argument cannot follow a named one")]
    [InlineData("pad()", 1, "Missing argument 'width' of pad")]
    [InlineData("jitter(1)", 1, "jitter rejected its arguments")]
    [InlineData("pad(1) + 2", 8, "Expected the end of the expression")]
    [InlineData("pad(1), jitter(2)", 7, "Expected the end of the expression (one transform; parse a pipeline")]
    [InlineData("layer:3", 1, "Unknown transform function 'layer'")]
    [InlineData("12", 1, "Expected a transform such as pad(12) or jitter(8)")]
    [InlineData("", 1, "The expression is empty")]
    [InlineData("pad(jitter(2))", 5, "Argument 'width' of pad must be a whole number, but got the transform jitter(2)")]
    [InlineData("pad(2) # 1", 8, "Unexpected character '#'")]
    public void Errors_name_the_column(string expression, int column, string start)
    {
        var ex = FluentActions.Invoking(() => TransformExpression.Parse(expression)).Should().Throw<TransformExpressionException>().Which;
        ex.Message.Should().StartWith(start);
        ex.Column.Should().Be(column, ex.Message);
        ex.Expression.Should().Be(expression);
        ex.Message.Split('\n')[^1].Should().Be(new string(' ', column + 1) + "^");
    }

    [Theory]
    [InlineData("", 1, "The pipeline is empty")]
    [InlineData("pad(2),", 8, "Expected a transform such as pad(12) or jitter(8)")]
    [InlineData("pad(2) jitter(3)", 8, "Expected ',' or the end of the pipeline")]
    [InlineData("pad(2), jiter(3)", 9, "Unknown transform function 'jiter'")]
    public void Pipeline_errors_name_the_column(string expression, int column, string start)
    {
        var ex = FluentActions.Invoking(() => TransformExpression.ParsePipeline(expression)).Should().Throw<TransformExpressionException>().Which;
        ex.Message.Should().StartWith(start);
        ex.Column.Should().Be(column, ex.Message);
    }

    [Fact]
    public void Unknown_function_lists_the_transforms_closest_first()
    {
        var ex = FluentActions.Invoking(() => TransformExpression.Parse("jiter(2)")).Should().Throw<TransformExpressionException>().Which;
        ex.Message.Should().Contain("Known functions (closest first): jitter, ");
        ex.Message.Should().Contain("random_rotate").And.NotContain("channel");
    }

    [Fact]
    public void Both_languages_share_the_limits_and_the_exception_base()
    {
        (TransformExpression.MaxLength, TransformExpression.MaxTokens, TransformExpression.MaxDepth)
            .Should().Be((ObjectiveExpression.MaxLength, ObjectiveExpression.MaxTokens, ObjectiveExpression.MaxDepth));
        string deep = "pad(" + new string('(', 200) + "1" + new string(')', 200) + ")";
        FluentActions.Invoking(() => TransformExpression.Parse(deep)).Should().Throw<TransformExpressionException>()
            .WithMessage("The expression is nested more than 100 levels deep*");
        string longText = "pad(" + new string(' ', TransformExpression.MaxLength) + "1)";
        FluentActions.Invoking(() => TransformExpression.Parse(longText)).Should().Throw<ExpressionException>()
            .WithMessage("*over the limit of 100000 (TransformExpression.MaxLength)*");
        FluentActions.Invoking(() => ObjectiveExpression.Parse("chanel(a, 1)")).Should().Throw<ExpressionException>()
            .Which.Should().BeOfType<ObjectiveExpressionException>();
    }

    [Fact]
    public void TryParse_returns_the_error()
    {
        TransformExpression.TryParse("jitter(3)", out var transform, out var error).Should().BeTrue();
        transform!.Name.Should().Be("jitter(3)");
        error.Should().BeNull();
        TransformExpression.TryParse("jitter(", out transform, out error).Should().BeFalse();
        transform.Should().BeNull();
        error!.Column.Should().Be(8);
        TransformExpression.TryParse(null, out _, out error).Should().BeFalse();
        error!.Message.Should().StartWith("The expression is null");
    }

    [Fact]
    public void Plugins_read_every_kind_of_argument_with_the_shared_getters()
    {
        var registry = new TransformFunctionRegistry()
            .Register("probe", ["count", "scale?", "weights?", "label?", "mode?", "flag?", "unit?"], a =>
                Transform.FromDelegate(
                    FormattableString.Invariant(
                        $"probe({a.GetInt32("count")}, {a.GetOptionalDouble("scale")}, {string.Join("/", a.GetOptionalDoubles("weights") ?? [])}, {a.GetOptionalText("label")}, {a.GetOptionalEnum<PadMode>("mode")}, {a.GetOptionalBoolean("flag")}, {(a.Has("unit") ? a.GetEnum("unit", typeof(AngleUnit)) : "-")})"),
                    image => image.alias()))
            .Register("anything", a => Transform.FromDelegate(FormattableString.Invariant($"anything({a.PositionalCount}, {a.GetText(0)}, {a.GetDouble(1)})"), image => image.alias()));
        registry.Parse("probe(3, 0.5, [1, 2], 'tabby cat', Circular, TRUE, radians)").Name.Should().Be("probe(3, 0.5, 1/2, tabby cat, Circular, True, Radians)");
        registry.Parse("probe(count: 1, flag: None)").Name.Should().Be("probe(1, , , , , , -)");
        registry.Parse("anything(x, 2.5)").Name.Should().Be("anything(2, x, 2.5)");
        FluentActions.Invoking(() => registry.Parse("probe(1, flag=yes)")).Should().Throw<TransformExpressionException>()
            .WithMessage("Argument 'flag' of probe must be true or false, but got the name 'yes' at column 15*");
        FluentActions.Invoking(() => registry.Parse("anything(x)")).Should().Throw<TransformExpressionException>()
            .WithMessage("anything needs at least 2 positional argument(s) but was given 1*");
        FluentActions.Invoking(() => registry.Parse("anything(1, 2, extra=3)")).Should().Throw<TransformExpressionException>()
            .WithMessage("Argument '#1' of anything must be a name or a quoted string*");
        var error = FluentActions.Invoking(() => new TransformFunctionRegistry().Register("fussy", [], a => throw a.Error("fussy never works")).Parse("1 + 1, fussy()"))
            .Should().Throw<TransformExpressionException>().Which;
        error.Message.Should().StartWith("Expected a transform such as pad(12) or jitter(8) at column 1");
        FluentActions.Invoking(() => new TransformFunctionRegistry().Register("fussy", [], a => throw a.Error("fussy never works")).Parse("  fussy()"))
            .Should().Throw<TransformExpressionException>().Which.Column.Should().Be(3);
    }

    [Fact]
    public void Registry_rules_mirror_the_objective_registry()
    {
        var registry = new TransformFunctionRegistry();
        FluentActions.Invoking(() => registry.Register("pad", ["width"], a => new JitterTransform(2)))
            .Should().Throw<ArgumentException>().WithMessage("A transform function named 'pad' is already registered (pad(width, mode?, value?))*replace: true*");
        registry.Register(new TransformFunction("pad", [new FunctionParameter("width")], a => new JitterTransform(a.GetInt32("width"))), replace: true);
        registry.Parse("pad(3)").Name.Should().Be("jitter(3)");
        TransformExpression.Parse("pad(3)").Name.Should().Be("pad(3, reflect)", "the default registry is unchanged");
        FluentActions.Invoking(() => TransformFunctionRegistry.Default.Register("x", a => new JitterTransform(2)))
            .Should().Throw<InvalidOperationException>().WithMessage("This transform function registry is read-only (TransformFunctionRegistry.Default is)*");
        new TransformFunctionRegistry(includeBuiltIns: false).Names.Should().BeEmpty();
        var copy = TransformFunctionRegistry.Default.Clone();
        copy.IsReadOnly.Should().BeFalse();
        copy.Names.Should().Equal(TransformFunctionRegistry.Default.Names);
        copy.Register("flip", [], _ => Transform.FromDelegate("flip()", image => image.flip(3))).Contains("FLIP").Should().BeTrue();
        TransformFunctionRegistry.Default.Contains("flip").Should().BeFalse();
        FluentActions.Invoking(() => TransformExpression.Parse("flip")).Should().Throw<TransformExpressionException>().WithMessage("Unknown transform function 'flip'*");
        copy.Parse("flip").Name.Should().Be("flip()");
    }

    [Fact]
    public void Arguments_as_configuration_keys_convert_texts_and_name_the_key()
    {
        TransformExpression.FromArguments("pad", [new("Width", "8"), new("Mode", "constant"), new("Value", "-0.5")]).Name
            .Should().Be(new PadTransform(8, PadMode.Constant, -0.5).Name);
        TransformExpression.FromArguments("random_scale", [new("scales", "[0.9, 1.1]")]).Name.Should().Be("random_scale([0.9, 1.1])");
        TransformExpression.FromArguments("random_scale", [new("scales", "0.9, 1, 1.1")]).Name.Should().Be("random_scale([0.9, 1, 1.1])");
        TransformExpression.FromArguments("random_scale", [new("scales", "1.05")]).Name.Should().Be("random_scale([1.05])", "a configured number is a one-item list");
        FluentActions.Invoking(() => TransformExpression.Parse("random_scale(1.05)")).Should().Throw<TransformExpressionException>("in text, a list is written [1.05]");
        var labels = new TransformFunctionRegistry().Register("label", ["text"], a => Transform.FromDelegate($"label({a.GetText("text")})", image => image.alias()));
        TransformExpression.FromArguments("label", [new("Text", "5")], registry: labels).Name.Should().Be("label(5)", "a configured text stays as written");
        FluentActions.Invoking(() => labels.Parse("label(5)")).Should().Throw<TransformExpressionException>("in text, 5 is a number; write '5'");
        TransformExpression.FromArguments("normalize", []).Name.Should().Be("normalize()");
        FluentActions.Invoking(() => TransformExpression.FromArguments("pad", [new("Width", "abc")], "Lucent:Pipelines:gentle:0"))
            .Should().Throw<TransformExpressionException>().WithMessage("Lucent:Pipelines:gentle:0:Width must be a whole number (got 'abc').");
        FluentActions.Invoking(() => TransformExpression.FromArguments("pad", [new("Width", "abc")]))
            .Should().Throw<TransformExpressionException>().WithMessage("argument 'Width' of pad must be a whole number (got 'abc').");
        FluentActions.Invoking(() => TransformExpression.FromArguments("random_scale", [new("Scales", "0.9, big")], "p:0"))
            .Should().Throw<TransformExpressionException>().WithMessage("p:0:Scales must be a list of numbers such as [0.1, 0.2] (got '0.9, big').");
        FluentActions.Invoking(() => TransformExpression.FromArguments("jitter", [new("D", "1")], "p:0"))
            .Should().Throw<TransformExpressionException>().WithMessage("p:0: the transform 'jitter' rejected its arguments: *");
        FluentActions.Invoking(() => TransformExpression.FromArguments("jiter", [], "p:0"))
            .Should().Throw<TransformExpressionException>().WithMessage("p:0:Type: Unknown transform function 'jiter'. Known functions (closest first): jitter, *");
        var error = FluentActions.Invoking(() => TransformExpression.FromArguments("pad", [], "p:0")).Should().Throw<TransformExpressionException>().Which;
        error.Message.Should().Be("p:0:width is required: the transform 'pad' needs it.");
        (error.Column, error.Expression).Should().Be((0, (string?)null));
    }

    [Theory]
    [InlineData("8", "the number 8")]
    [InlineData(" -0.5 ", "the number -0.5")]
    [InlineData("2 * 3", "the number 6")]
    [InlineData("[1, 2]", "a list of 2 numbers")]
    [InlineData("1,2,3", "a list of 3 numbers")]
    [InlineData("constant", "the string 'constant'")]
    [InlineData("1e999", "the string '1e999'")]
    [InlineData("", "the string ''")]
    [InlineData("pad(2)", "the string 'pad(2)'")]
    [InlineData("1, x", "the string '1, x'")]
    [InlineData("'quoted'", "the string ''quoted''")]
    public void Configuration_texts_read_as_numbers_lists_or_text(string text, string described)
    {
        ExpressionParser.ParseKeyedValue(text).Describe().Should().Be(described);
    }
}
