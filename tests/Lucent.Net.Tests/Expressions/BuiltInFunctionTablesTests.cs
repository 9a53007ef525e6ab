using System.Text;
using Lucent.Net.Expressions;

namespace Lucent.Net.Tests.Expressions;

/// <summary>
/// Every built-in function (name, parameters, description) comes from the one declaration on the member that
/// builds it ([TextFunction], read by DeclaredFunctions); the tables in the docs are generated from them. When a
/// built-in changes, this test fails and prints the table to paste between the markers.
/// </summary>
public sealed class BuiltInFunctionTablesTests
{
    public static TheoryData<string, string> Tables => new()
    {
        { "docs/expressions.md", "objective functions" },
        { "docs/expressions.md", "transform functions" },
        { "docs/configuration.md", "transform functions" },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Docs_table_is_generated_from_the_registry(string file, string table)
    {
        IEnumerable<ExpressionFunction> functions = table == "objective functions" ? DeclaredFunctions.Objectives : DeclaredFunctions.Transforms;
        string expected = Markdown(functions);
        string begin = $"<!-- begin generated: {table} (from the registry; tests/Lucent.Net.Tests/Expressions/BuiltInFunctionTablesTests.cs) -->";
        const string end = "<!-- end generated -->";
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), file)).ReplaceLineEndings("\n");
        int start = doc.IndexOf(begin, StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"{file} holds the generated {table} table between\n{begin}\nand {end}; the table is:\n{expected}");
        int stop = doc.IndexOf(end, start, StringComparison.Ordinal);
        stop.Should().BeGreaterThan(start, $"{file} closes the generated {table} table with {end}");
        string actual = doc[(start + begin.Length)..stop].Trim('\n');
        actual.Should().Be(expected, $"the {table} table in {file} is generated from the registry; replace it with:\n{expected}\n");
    }

    [Fact]
    public void Every_built_in_has_a_description_of_its_own()
    {
        foreach (ExpressionFunction function in DeclaredFunctions.Objectives.Concat<ExpressionFunction>(DeclaredFunctions.Transforms))
        {
            function.Description.Should().NotBe(function.Name).And.EndWith(".", function.Name).And.NotContain("|", "it is a cell of a Markdown table");
        }

        ObjectiveFunctionRegistry.Default.Names.Should().BeEquivalentTo(DeclaredFunctions.Objectives.Select(f => f.Name));
        TransformFunctionRegistry.Default.Names.Should().BeEquivalentTo(DeclaredFunctions.Transforms.Select(f => f.Name));
    }

    /// <summary>The table: one row a function, in declaration order; parameters in positional order, aliases in brackets.</summary>
    private static string Markdown(IEnumerable<ExpressionFunction> functions)
    {
        var text = new StringBuilder();
        text.Append("| Function | Parameters | What it does |\n|---|---|---|\n");
        foreach (var function in functions)
        {
            string parameters = function.AcceptsAnyArguments
                ? "any arguments"
                : function.Parameters.Count == 0
                    ? "none"
                    : "`" + string.Join(", ", function.Parameters.Select(p => p + (p.Aliases.Count > 0 ? " [" + string.Join(", ", p.Aliases) + "]" : string.Empty))) + "`";
            text.Append("| `").Append(function.Name).Append("` | ").Append(parameters).Append(" | ").Append(function.Description).Append(" |\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Lucent.Net.sln")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("the tests run from a build inside the repository");
        return directory!.FullName;
    }
}
