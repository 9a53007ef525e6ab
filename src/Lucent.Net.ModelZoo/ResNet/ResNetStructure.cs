using Lucent.Net.ModelZoo.Onnx;

namespace Lucent.Net.ModelZoo.ResNet;

/// <summary>
/// Finds torchvision-style layer names in an imported ResNet graph from its structure: a residual
/// block ends with a <c>Relu</c> applied to an <c>Add</c>; a block whose shortcut has a convolution
/// (or the first block) starts a new stage.
/// </summary>
internal static class ResNetStructure
{
    /// <summary>Alias to layer (hook) name, in a readable order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FindAliases(IReadOnlyList<OnnxNodeModule> nodes, int expectedStages)
    {
        var producer = new Dictionary<string, OnnxNodeModule>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var output in node.Outputs)
            {
                producer[output] = node;
            }
        }

        var blocks = new List<Block>();
        foreach (var node in nodes)
        {
            if (node.OperatorType == "Relu" && producer.TryGetValue(node.Inputs[0], out var add) && add.OperatorType == "Add" && add.Inputs.Count == 2)
            {
                blocks.Add(AnalyseBlock(node, add, producer));
            }
        }

        if (blocks.Count == 0)
        {
            throw new OnnxImportException("No residual block (Relu of Add) was found: the graph is not a ResNet.");
        }

        var aliases = new List<KeyValuePair<string, string>>();
        var stemNodes = nodes.TakeWhile(n => !n.Outputs.Contains(blocks[0].Input)).ToList();
        var stemEnd = nodes.FirstOrDefault(n => n.Outputs.Contains(blocks[0].Input));
        if (stemEnd is not null)
        {
            stemNodes.Add(stemEnd);
        }

        AddFirst(aliases, stemNodes, "Conv", "conv1");
        AddFirst(aliases, stemNodes, "BatchNormalization", "bn1");
        AddFirst(aliases, stemNodes, "Relu", "relu");
        AddFirst(aliases, stemNodes, "MaxPool", "maxpool");

        var stage = 0;
        var indexInStage = 0;
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            if (b == 0 || block.Downsample.Count > 0)
            {
                stage++;
                indexInStage = 0;
            }

            var prefix = $"layer{stage}_{indexInStage}";
            aliases.Add(new(prefix, block.Output.GetName()));
            var convs = block.Main.Where(n => n.OperatorType == "Conv").ToList();
            var norms = block.Main.Where(n => n.OperatorType == "BatchNormalization").ToList();
            for (var i = 0; i < convs.Count; i++)
            {
                aliases.Add(new($"{prefix}_conv{i + 1}", convs[i].GetName()));
            }

            for (var i = 0; i < norms.Count; i++)
            {
                aliases.Add(new($"{prefix}_bn{i + 1}", norms[i].GetName()));
            }

            for (var i = 0; i < block.Downsample.Count; i++)
            {
                aliases.Add(new($"{prefix}_downsample_{i}", block.Downsample[i].GetName()));
            }

            var lastInStage = b == blocks.Count - 1 || blocks[b + 1].Downsample.Count > 0;
            if (lastInStage)
            {
                aliases.Add(new($"layer{stage}", block.Output.GetName()));
            }

            indexInStage++;
        }

        if (stage != expectedStages)
        {
            throw new OnnxImportException($"Found {stage} ResNet stages where {expectedStages} were expected; the graph is not the expected ResNet.");
        }

        var lastOutput = blocks[^1].Output;
        var afterBlocks = nodes.SkipWhile(n => !ReferenceEquals(n, lastOutput)).Skip(1);
        if (afterBlocks.FirstOrDefault(n => n.OperatorType is "AveragePool" or "GlobalAveragePool") is { } pool)
        {
            aliases.Add(new("avgpool", pool.GetName()));
        }

        return aliases;
    }

    private static void AddFirst(List<KeyValuePair<string, string>> aliases, List<OnnxNodeModule> nodes, string opType, string alias)
    {
        if (nodes.FirstOrDefault(n => n.OperatorType == opType) is { } node)
        {
            aliases.Add(new(alias, node.GetName()));
        }
    }

    private static Block AnalyseBlock(OnnxNodeModule relu, OnnxNodeModule add, Dictionary<string, OnnxNodeModule> producer)
    {
        var chainA = DataChain(add.Inputs[0], producer);
        var chainB = DataChain(add.Inputs[1], producer);
        var setB = new HashSet<string>(chainB.Select(c => c.Value), StringComparer.Ordinal);
        var input = chainA.Select(c => c.Value).FirstOrDefault(setB.Contains)
            ?? throw new OnnxImportException($"Residual block ending at '{relu.GetName()}': its two branches do not meet.");
        var branchA = NodesBefore(chainA, input);
        var branchB = NodesBefore(chainB, input);
        var convsA = branchA.Count(n => n.OperatorType == "Conv");
        var convsB = branchB.Count(n => n.OperatorType == "Conv");
        var (main, shortcut) = convsA >= convsB ? (branchA, branchB) : (branchB, branchA);
        return new Block(relu, input, main, shortcut);
    }

    /// <summary>The value and its producers, walking back through each node's first input.</summary>
    private static List<(string Value, OnnxNodeModule? Node)> DataChain(string value, Dictionary<string, OnnxNodeModule> producer)
    {
        var chain = new List<(string, OnnxNodeModule?)>();
        var current = value;
        while (true)
        {
            producer.TryGetValue(current, out var node);
            chain.Add((current, node));
            if (node is null || node.Inputs.Count == 0)
            {
                return chain;
            }

            current = node.Inputs[0];
        }
    }

    /// <summary>The nodes of a chain between the block input and the Add, in execution order.</summary>
    private static List<OnnxNodeModule> NodesBefore(List<(string Value, OnnxNodeModule? Node)> chain, string input)
    {
        var nodes = new List<OnnxNodeModule>();
        foreach (var (value, node) in chain)
        {
            if (value == input || node is null)
            {
                break;
            }

            nodes.Add(node);
        }

        nodes.Reverse();
        return nodes;
    }

    private sealed record Block(OnnxNodeModule Output, string Input, List<OnnxNodeModule> Main, List<OnnxNodeModule> Downsample);
}
