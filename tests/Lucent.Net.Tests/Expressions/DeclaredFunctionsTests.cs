using System.Reflection;
using Lucent.Net.Declarations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Expressions;

/// <summary>
/// How a <see cref="TextFunctionAttribute"/> on a factory becomes a text function: names, optional parameters, left-out
/// parameters, description placeholders, how each C# type is read, and the refusals for declarations text cannot serve.
/// </summary>
public sealed class DeclaredFunctionsTests
{
    /// <summary>A limit quoted in <see cref="Weighted"/>'s description.</summary>
    internal const int Limit = 42;

    public DeclaredFunctionsTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData("cossimPow", "cossim_pow")]
    [InlineData("layer1", "layer1")]
    [InlineData("standardDeviation", "standard_deviation")]
    [InlineData("x", "x")]
    public void Parameter_names_are_the_CSharp_names_in_snake_case(string name, string expected) =>
        DeclaredFunctions.SnakeCase(name).Should().Be(expected);

    [Fact]
    public void A_declaration_gives_the_names_optional_parameters_and_description()
    {
        var function = Declared(nameof(Weighted));
        function.Should().BeOfType<ObjectiveFunction>();
        function.Signature.Should().Be("weighted(layer, weight?, scale_by?, mode?)");
        function.Parameters[1].Aliases.Should().Equal("weights");
        function.Description.Should().Be("At most 42 of them.");
    }

    [Fact]
    public void Each_type_is_read_from_its_kind_of_argument_and_a_left_out_parameter_gets_its_default()
    {
        var registry = new ObjectiveFunctionRegistry(includeBuiltIns: false).Register((ObjectiveFunction)Declared(nameof(Weighted)));
        registry.Parse("weighted(l, [1, 2], scale_by: 3, mode: nhwc)").Name.Should().Be("weighted(l, 2, 3, Nhwc, 7)");
        registry.Parse("weighted(l)").Name.Should().Be("weighted(l, none, 1, Auto, 7)");
        FluentActions.Invoking(() => registry.Parse("weighted(l, hidden=3)")).Should().Throw<ObjectiveExpressionException>()
            .WithMessage("weighted has no parameter 'hidden'*Its parameters are layer, weight, scale_by, mode*");
        FluentActions.Invoking(() => registry.Parse("weighted(l, scale_by: 0)")).Should().Throw<ObjectiveExpressionException>()
            .WithMessage("weighted rejected its arguments*scale*");
    }

    [Fact]
    public void Declarations_text_cannot_serve_are_refused_when_read()
    {
        FluentActions.Invoking(() => Declared(nameof(Dated))).Should().Throw<InvalidOperationException>().WithMessage("*Dated(when)*DateTime*");
        FluentActions.Invoking(() => Declared(nameof(HiddenWithoutDefault))).Should().Throw<InvalidOperationException>().WithMessage("*HiddenWithoutDefault(x)*no default*");
        FluentActions.Invoking(() => Declared(nameof(NotBuilt))).Should().Throw<InvalidOperationException>().WithMessage("*NotBuilt*neither an Objective nor an IImageTransform*");
    }

    [Fact]
    public void Built_ins_come_from_every_floor_that_declares_them()
    {
        DeclaredFunctions.Objectives.Select(f => f.Name).Should().Contain(["channel", "sum", "class_logit", "layer_activation"]);
        DeclaredFunctions.Transforms.Select(f => f.Name).Should().Contain(["pad", "resize", "standard", "collapse_alpha_random", "collapse_alpha_uniform"]);
        DeclaredFunctions.Objectives.Concat<ExpressionFunction>(DeclaredFunctions.Transforms).Select(f => f.Name).Should().OnlyHaveUniqueItems();
    }

    [TextFunction("weighted", "At most {Limit} of them.")]
    internal static Objective Weighted(string layer, [TextName("weight", "weights")] Tensor? weights, double scaleBy = 1, ActivationLayout mode = ActivationLayout.Auto, [NotInText] int hidden = 7)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleBy);
        string count = weights is null ? "none" : weights.numel().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Objective.FromDelegate($"weighted({layer}, {count}, {scaleBy}, {mode}, {hidden})", [layer], a => a[layer].mean());
    }

    [TextFunction("dated", "Not readable.")]
    internal static Objective Dated(DateTime when) => throw new NotSupportedException(when.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [TextFunction("hidden", "Not readable.")]
    internal static Objective HiddenWithoutDefault([NotInText] int x) => throw new NotSupportedException(x.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [TextFunction("not_built", "Not an objective.")]
    internal static string NotBuilt(string layer) => layer;

    private static ExpressionFunction Declared(string method)
    {
        var member = typeof(DeclaredFunctionsTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!;
        return DeclaredFunctions.FromMember(member, member.GetCustomAttribute<TextFunctionAttribute>()!);
    }
}
