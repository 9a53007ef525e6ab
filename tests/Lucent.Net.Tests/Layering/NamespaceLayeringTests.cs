using Lucent.Net.Rendering;
using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Layering;

/// <summary>
/// The layering rule of docs/architecture.md, checked on the compiled assemblies: inside the core,
/// each namespace uses only namespaces on floors below its own; no package has a loop between its areas
/// (a namespace nested in an area, such as <c>ModelZoo.Onnx.Operators</c> in <c>ModelZoo.Onnx</c>, is part of it).
/// </summary>
public sealed class NamespaceLayeringTests
{
    /// <summary>
    /// The core's floors, lowest first, numbered as in docs/architecture.md. A namespace may use namespaces of lower
    /// floors only: not its peers, not above. Floor 0, the native runtime (<c>Lucent.Net.Runtime</c>), is its own
    /// assembly, Lucent.Net.Native, which cannot reach up (it does not reference the core): no core namespace is there.
    /// </summary>
    private static readonly string[][] CoreFloors =
    [
        [],
        ["Lucent.Net.Declarations", "Lucent.Net.Devices", "Lucent.Net.Modules", "Lucent.Net.Analysis", "Lucent.Net.Images"],
        ["Lucent.Net.Activations"],
        ["Lucent.Net.Parameterization", "Lucent.Net.Transforms", "Lucent.Net.Objectives"],
        ["Lucent.Net.Expressions"],
        ["Lucent.Net.Rendering"],
    ];

    private static readonly Lazy<NamespaceGraph> Core = new(() => NamespaceGraph.Read(typeof(Renderer).Assembly.Location));

    [Fact]
    public void Every_core_namespace_is_on_a_floor()
    {
        var placed = CoreFloors.SelectMany(f => f).ToHashSet();
        Core.Value.Edges.Keys.Where(n => !placed.Contains(n)).Should().BeEmpty(
            "every namespace of Lucent.Net has a floor in docs/architecture.md and in CoreFloors");
    }

    [Fact]
    public void Core_namespaces_use_only_lower_floors()
    {
        var floorOf = CoreFloors.SelectMany((names, floor) => names.Select(n => (n, floor))).ToDictionary(p => p.n, p => p.floor);
        var violations = Core.Value.Edges
            .SelectMany(e => e.Value.Select(to => (From: e.Key, To: to)))
            .Where(e => floorOf.TryGetValue(e.From, out int from) && floorOf.TryGetValue(e.To, out int to) && to >= from)
            .Select(e => $"{e.From} (floor {floorOf[e.From]}) uses {e.To} (floor {floorOf[e.To]})")
            .ToList();
        violations.Should().BeEmpty($"namespaces only point down (docs/architecture.md). The graph:{Environment.NewLine}{Core.Value}");
    }

    [Theory]
    [InlineData("Lucent.Net.Native", "Lucent.Net.Native.dll")]
    [InlineData("Lucent.Net", "Lucent.Net.dll")]
    [InlineData("Lucent.Net.ModelZoo", "Lucent.Net.ModelZoo.dll")]
    [InlineData("Lucent.Net.Imaging", "Lucent.Net.Imaging.dll")]
    [InlineData("Lucent.Net.DependencyInjection", "Lucent.Net.DependencyInjection.dll")]
    [InlineData("Lucent.Net.Interactive", "Lucent.Net.Interactive.dll")]
    [InlineData("Lucent.Net.Testing", "Lucent.Net.Testing.dll")]
    [InlineData("Lucent.Net.Tool", "lucent.dll")]
    public void No_package_has_a_namespace_loop(string project, string assembly)
    {
        var graph = NamespaceGraph.Read(BuiltAssembly(project, assembly)).ByArea(project);
        graph.Loops().Select(l => string.Join(" <-> ", l)).Should().BeEmpty($"the namespaces of {project} form no loop. The graph:{Environment.NewLine}{graph}");
    }

    [Fact]
    public void The_graph_sees_references_that_only_method_bodies_and_signatures_make()
    {
        // ModelLayers (Activations) calls TorchDevices.ModelDevice (Devices) only inside a method body;
        // Renderer's public signatures name Objectives and Parameterization types; Expressions builds objectives.
        var edges = Core.Value.Edges;
        edges["Lucent.Net.Activations"].Should().Contain("Lucent.Net.Devices");
        edges["Lucent.Net.Rendering"].Should().Contain(["Lucent.Net.Objectives", "Lucent.Net.Parameterization", "Lucent.Net.Transforms", "Lucent.Net.Activations"]);
        edges["Lucent.Net.Expressions"].Should().Contain("Lucent.Net.Objectives");
        edges["Lucent.Net.Transforms"].Should().Contain("Lucent.Net.Declarations", "an attribute on a constructor or parameter is a use of its namespace");
        edges["Lucent.Net.Analysis"].Should().BeEmpty("channel reduction and colours use tensors only");
    }

    [Fact]
    public void The_native_runtime_lives_in_its_own_assembly_and_only_there()
    {
        // Lucent.Net.Native holds the namespace Lucent.Net.Runtime and nothing else; the core holds none of it
        // (one namespace is never split between two assemblies), and the core does use it.
        var native = NamespaceGraph.Read(BuiltAssembly("Lucent.Net.Native", "Lucent.Net.Native.dll"));
        native.Edges.Keys.Should().Equal(["Lucent.Net.Runtime"], "Lucent.Net.Native keeps the namespace Lucent.Net.Runtime (docs/architecture.md)");
        typeof(LucentRuntime).Assembly.GetName().Name.Should().Be("Lucent.Net.Native");
        Core.Value.Edges.Keys.Should().NotContain("Lucent.Net.Runtime", "the native runtime moved out of the core");
        typeof(Renderer).Assembly.GetReferencedAssemblies().Select(a => a.Name).Should().Contain("Lucent.Net.Native");
    }

    [Fact]
    public void Nested_namespaces_merge_into_their_area()
    {
        var graph = NamespaceGraph.Read(typeof(NamespaceLayeringTests).Assembly.Location).ByArea("Lucent.Net.Tests");
        graph.Edges.Keys.Should().Contain("Lucent.Net.Tests.Layering").And.NotContain(k => k.StartsWith("Lucent.Net.Tests.Layering.", StringComparison.Ordinal));
        graph.Loops().Should().NotContain(l => l.Any(n => n.StartsWith("Lucent.Net.Tests.Layering", StringComparison.Ordinal)), "the fixture loop is inside one area");
    }

    [Fact]
    public void A_loop_is_reported()
    {
        // This test assembly's own Layering.Fixture namespaces use each other on purpose.
        var graph = NamespaceGraph.Read(typeof(NamespaceLayeringTests).Assembly.Location);
        graph.Loops().Should().ContainSingle(l => l.Contains("Lucent.Net.Tests.Layering.FixtureA") && l.Contains("Lucent.Net.Tests.Layering.FixtureB"));
    }

    /// <summary>A package's assembly as built for this test run (the project references build them first).</summary>
    private static string BuiltAssembly(string project, string assembly)
    {
        // AppContext.BaseDirectory is <repo>/tests/Lucent.Net.Tests/bin/<Configuration>/<tfm>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = output.Name;
        string configuration = output.Parent!.Name;
        var repo = output;
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Lucent.Net.sln")))
        {
            repo = repo.Parent;
        }

        repo.Should().NotBeNull("the tests run from a build inside the repository");
        string path = Path.Combine(repo!.FullName, "src", project, "bin", configuration, tfm, assembly);
        File.Exists(path).Should().BeTrue($"{path} is built before these tests (Lucent.Net.Tests references {project} with ReferenceOutputAssembly=false)");
        return path;
    }
}
