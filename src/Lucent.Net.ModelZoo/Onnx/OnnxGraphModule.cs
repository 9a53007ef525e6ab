using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using Lucent.Net.ModelZoo.Layout;
using Lucent.Net.ModelZoo.Onnx.Operators;
using Lucent.Net.ModelZoo.Pruning;
using Lucent.Net.Modules;
using Onnx;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// An imported ONNX graph: a TorchSharp module that runs the graph's nodes in topological order.
/// Every node is a registered child module (<see cref="OnnxNodeModule"/>), so every node output can
/// be hooked by its layer name.
/// </summary>
/// <remarks>
/// <para>Layer (hook) names: each node is registered under its ONNX node name, or its first output's
/// name when the node has none, with every character other than a letter, digit or underscore
/// replaced by <c>_</c>; a name that starts with a digit gets the lower-case operator type as a
/// prefix, and a name that repeats after sanitising gets <c>_2</c>, <c>_3</c>, ... (two nodes with the same ONNX name are
/// an import error, as are two nodes producing the same value) Registration order is graph order.</para>
/// <para>Folding: nodes whose values depend only on constants and on the input's shape (not its
/// values), such as the <c>Shape</c> -&gt; <c>Gather</c> -&gt; <c>Concat</c> -&gt; <c>Reshape</c> arithmetic and the
/// attention masks of exported transformers, run once per input shape (at import when the graph input
/// has a fixed shape, else on the first call with a new shape); later calls with the same shape, device
/// and type reuse their values, so those nodes' hooks fire only on the run that computes them.</para>
/// <para>Tensor ownership: <see cref="forward"/> returns a new tensor the caller owns. The outputs of
/// inner nodes are not disposed by the module (hooks may hold them); run it inside a
/// <c>torch.NewDisposeScope()</c> so they are freed with the step.</para>
/// </remarks>
public class OnnxGraphModule : nn.Module<Tensor, Tensor>, ILayerAliases, IModelInputSize, Lucent.Net.Activations.IPrunableModel
{
    private readonly List<OnnxNodeModule> _nodes = [];
    private readonly Dictionary<string, string> _layerByValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private bool _useRedirectedRelu;
    private bool[] _foldable = [];
    private OnnxPruning? _pruning;
    private bool _hasFolding;
    private readonly bool _floatInput;
    private FoldCache? _foldCache;

    /// <summary>The most values a declared input shape may have for the graph to be run at import (to fold its shape arithmetic).</summary>
    private const long MaxPrefoldElements = 1L << 24;

    /// <summary>Operators whose further outputs (after the first) the graph can read.</summary>
    private static readonly HashSet<string> MultiOutputOperators = new(StringComparer.Ordinal) { "Split" };

    /// <summary>Operators whose output depends on their input's shape only, not its values.</summary>
    private static readonly HashSet<string> ShapeOnlyOperators = new(StringComparer.Ordinal) { "Shape", "Size" };

    internal OnnxGraphModule(ModelProto model, OnnxImportOptions options)
        : base(PrepareRuntime(options.ModuleName))
    {
        var graph = model.Graph ?? throw new OnnxImportException("The ONNX model has no graph.");
        Opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        ProducerName = model.ProducerName ?? string.Empty;
        _useRedirectedRelu = options.UseRedirectedRelu;
        UseChannelsLast = options.UseChannelsLast;

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            if (!initializers.TryAdd(initializer.Name, initializer))
            {
                throw new OnnxImportException($"The graph has two initializers named '{initializer.Name}'; each must be named once.");
            }
        }

        CheckUniqueNames(graph, initializers);
        InputName = ResolveInput(graph, initializers, options.InputName);
        var ordered = TopologicalOrder(graph, initializers.Keys, InputName);
        CheckOnlyFirstOutputsUsed(graph, ordered);
        ordered = OnnxFusion.FuseLayerNormalization(ordered, initializers, graph.Output.Select(o => o.Name));

        var takenNames = new HashSet<string>(StringComparer.Ordinal) { "input", "labels" };
        var usedInitializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var proto in ordered)
        {
            var displayName = UniqueName(proto, takenNames);
            var definition = new OnnxNodeDefinition(proto, displayName, Opset);
            var node = OnnxModel.CreateNode(definition, _useRedirectedRelu);
            var bufferNames = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < proto.Input.Count; i++)
            {
                if (!initializers.TryGetValue(proto.Input[i], out var initializer))
                {
                    continue;
                }

                var tensor = OnnxTensors.ToTensor(initializer, $"Initializer of node '{displayName}'");
                usedInitializers.Add(initializer.Name);
                var bufferName = Sanitize(initializer.Name, "constant");
                while (!bufferNames.Add(bufferName))
                {
                    bufferName += "_";
                }

                node.BindConstant(i, bufferName, tensor);
            }

            register_module(displayName, node);
            _nodes.Add(node);
            foreach (var output in proto.Output.Where(o => o.Length > 0))
            {
                _layerByValue.TryAdd(output, displayName);
            }
        }

        var outputs = graph.Output.Select(o => o.Name).ToList();
        OutputName = options.OutputName ?? outputs.FirstOrDefault()
            ?? throw new OnnxImportException("The ONNX graph declares no output; set OnnxImportOptions.OutputName.");
        if (OutputName != InputName && !_layerByValue.ContainsKey(OutputName))
        {
            throw new OnnxImportException(
                $"Output '{OutputName}' is not produced by any node of the graph (outputs: {string.Join(", ", outputs)}).");
        }

        foreach (var (alias, target) in options.LayerAliases)
        {
            AddAlias(alias, target);
        }

        InputShape = DeclaredShape(graph, InputName);
        _floatInput = graph.Input.FirstOrDefault(i => i.Name == InputName)?.Type?.TensorType?.ElemType is null or 0 or 1;
        eval();
        PlanFolding();
        PrefoldAtDeclaredShape();
    }

    /// <summary>
    /// The graph input's declared shape: one entry per axis, <c>null</c> for a symbolic (dynamic) axis such
    /// as a batch exported with <c>dynamic_axes</c>; <c>null</c> when the file declares no shape. A render
    /// can use a fixed height and width from here.
    /// </summary>
    public IReadOnlyList<long?>? InputShape { get; }

    /// <summary>
    /// The (height, width) of a 4-D image input whose last two axes are fixed in the file, e.g. (224, 224)
    /// for a model exported with a 224 x 224 example; <c>null</c> when they are symbolic or undeclared.
    /// Renders resize to this size when <c>RenderOptions.FixedImageSize</c> is null (<see cref="IModelInputSize"/>):
    /// graphs exported with constant-folded reshapes only run at it.
    /// </summary>
    public (int Height, int Width)? InputImageSize =>
        InputShape is { Count: 4 } shape && shape[2] is { } height and <= int.MaxValue && shape[3] is { } width and <= int.MaxValue
            ? ((int)height, (int)width)
            : null;

    /// <summary>How many nodes other than <c>Constant</c> are folded (computed once per input shape, see the remarks).</summary>
    internal int FoldedNodeCount => _nodes.Where((n, i) => i < _foldable.Length && _foldable[i] && n.OperatorType != "Constant").Count();

    /// <summary>Whether folding is used (tests and measurements turn it off to compare).</summary>
    internal bool FoldingEnabled { get; set; } = true;

    /// <summary>Whether folded values are cached for the latest input shape.</summary>
    internal bool HasFoldedValues => _foldCache is not null;

    /// <summary>The default-domain opset the model was exported with.</summary>
    public long Opset { get; }

    /// <summary>The producer recorded in the file (e.g. <c>CNTK</c>, <c>pytorch</c>).</summary>
    public string ProducerName { get; }

    /// <summary>The ONNX name of the graph input the module feeds.</summary>
    public string InputName { get; }

    /// <summary>The ONNX name of the graph output the module returns.</summary>
    public string OutputName { get; }

    /// <summary>The node modules in execution (and registration) order.</summary>
    public IReadOnlyList<OnnxNodeModule> Nodes => _nodes;

    /// <summary>The hook names of all nodes, in execution order.</summary>
    public IReadOnlyList<string> LayerNames => _nodes.Select(n => n.GetName()).ToArray();

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> LayerAliases => _aliases;

    /// <summary>
    /// Whether a 4-d input is reordered to channels-last (NHWC) memory before the first node (see
    /// <see cref="OnnxImportOptions.UseChannelsLast"/>).
    /// </summary>
    public bool UseChannelsLast { get; set; }

    /// <summary>
    /// Whether <c>Relu</c> nodes use the redirected ReLU in the backward pass (the forward value is the
    /// same either way). Set it to <c>false</c> for exact gradients, e.g. for attribution.
    /// </summary>
    public bool UseRedirectedRelu
    {
        get => _useRedirectedRelu;
        set
        {
            _useRedirectedRelu = value;
            foreach (var relu in _nodes.OfType<ReluNode>())
            {
                relu.Redirected = value;
            }
        }
    }

    /// <summary>The hook name of the node that produces an ONNX value, or of a node by ONNX node name.</summary>
    /// <param name="onnxName">An ONNX value name (e.g. <c>ReLU253_Output_0</c>) or node name.</param>
    /// <returns>The layer (hook) name.</returns>
    /// <exception cref="KeyNotFoundException">No node produces or is called <paramref name="onnxName"/>.</exception>
    public string GetLayerName(string onnxName)
    {
        ArgumentNullException.ThrowIfNull(onnxName);
        if (_layerByValue.TryGetValue(onnxName, out var layer))
        {
            return layer;
        }

        var byNode = _nodes.FirstOrDefault(n => n.NodeName == onnxName || n.GetName() == onnxName);
        return byNode?.GetName()
            ?? throw new KeyNotFoundException($"No node of the graph produces or is named '{onnxName}'.");
    }

    /// <summary>
    /// Until the returned scope is disposed, when <paramref name="layer"/> is the output of a <c>Concat</c> along the
    /// channel axis, the nodes that feed only its inputs holding none of <paramref name="channels"/> are not run (from the
    /// second pass on: the first runs whole and records each input's channel count); those channels are zeros. The
    /// channels read and the gradient that reaches the input are unchanged. Other layers are computed whole. Used by
    /// the renderer for channel objectives on an Inception-style or DenseNet-style concatenation.
    /// </summary>
    /// <param name="layer">A layer name or alias.</param>
    /// <param name="channels">Channel indices (axis 1) of that layer.</param>
    /// <returns>A scope that restores the whole computation.</returns>
    public IDisposable ComputeOnly(string layer, IReadOnlySet<int> channels)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(channels);
        var previous = _pruning;
        string name = _aliases.TryGetValue(layer, out var target) ? target : layer;
        int index = _nodes.FindIndex(n => n.GetName() == name);
        if (index >= 0 && _nodes[index] is ConcatNode)
        {
            // Which inputs hold the channels is known at the first pass (OnnxPruning plans there).
            _pruning = new OnnxPruning(index, channels.ToHashSet());
        }

        return new PruningScope(() => _pruning = previous);
    }

    /// <summary>Runs the graph.</summary>
    /// <param name="input">The graph input, e.g. (batch, channels, height, width).</param>
    /// <returns>The graph output; a new tensor the caller owns.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunGraph(input);
    }

    /// <summary>Runs the graph (not virtual: the import runs it before a derived class is constructed).</summary>
    private Tensor RunGraph(Tensor input)
    {
        using var reordered = UseChannelsLast && input.dim() == 4 ? ChannelsLast.From(input) : null;
        var graphInput = reordered ?? input;
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = graphInput };
        FoldCache? cache = null;
        if (_hasFolding && FoldingEnabled)
        {
            if (_foldCache is { } current && current.Matches(graphInput))
            {
                cache = current;
            }
            else
            {
                _foldCache?.Dispose();
                _foldCache = cache = new FoldCache(graphInput);
            }
        }

        var completed = 0;
        var pruning = _pruning;
        try
        {
            for (var i = 0; i < _nodes.Count; i++)
            {
                var node = _nodes[i];
                if (pruning is not null)
                {
                    if (pruning.Skips(i))
                    {
                        completed = i + 1;
                        continue;
                    }

                    pruning.BeforeConcat(i, _nodes, _foldable, OutputName, values);
                }

                var folded = cache is not null && _foldable[i];
                if (folded && i < cache!.CompleteUpTo)
                {
                    foreach (var name in node.Outputs)
                    {
                        if (cache.Values.TryGetValue(name, out var value))
                        {
                            values[name] = value;
                        }
                    }

                    completed = i + 1;
                    continue;
                }

                var output = node.Run(values, graphInput);
                if (node.Outputs.Count > 0)
                {
                    values[node.Outputs[0]] = output;
                }

                if (node.TakeSecondaryOutputs() is { } more)
                {
                    for (var k = 0; k < more.Length && k + 1 < node.Outputs.Count; k++)
                    {
                        values[node.Outputs[k + 1]] = more[k];
                    }
                }

                if (folded)
                {
                    foreach (var name in node.Outputs.Where(o => o.Length > 0 && values.ContainsKey(o)))
                    {
                        cache!.Keep(name, values[name]);
                    }
                }

                completed = i + 1;
            }
        }
        finally
        {
            // A forward stopped early (e.g. by a render that has the layers it needs) still keeps what it folded.
            if (cache is not null)
            {
                cache.CompleteUpTo = Math.Max(cache.CompleteUpTo, completed);
            }
        }

        var result = values[OutputName];
        return ReferenceEquals(result, input) || ReferenceEquals(result, reordered) || (cache is not null && cache.Holds(result))
            ? result.alias()
            : result;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _foldCache?.Dispose();
            _foldCache = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Marks the nodes whose outputs do not depend on the input's values (constants, shape arithmetic),
    /// and the folded values that unfolded nodes or the graph output read.
    /// </summary>
    private void PlanFolding()
    {
        var dependent = new HashSet<string>(StringComparer.Ordinal) { InputName };
        _foldable = new bool[_nodes.Count];
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            var isDependent = !ShapeOnlyOperators.Contains(node.OperatorType) && node.Inputs.Any(dependent.Contains);
            _foldable[i] = !isDependent;
            if (isDependent)
            {
                dependent.UnionWith(node.Outputs);
            }
        }

        _hasFolding = FoldedNodeCount > 0;
        if (!_hasFolding)
        {
            _foldable = new bool[_nodes.Count];
        }
    }

    /// <summary>Folds the shape arithmetic at import when the graph input has a fixed (and modest) shape.</summary>
    private void PrefoldAtDeclaredShape()
    {
        if (!_hasFolding || !_floatInput || InputShape is not { Count: > 0 } declared || declared.Any(d => d is null))
        {
            return;
        }

        var shape = declared.Select(d => d!.Value).ToArray();
        var count = shape.Aggregate(1.0, (a, b) => a * b);
        if (count > MaxPrefoldElements)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        try
        {
            using var zeros = torch.zeros(shape);
            RunGraph(zeros);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or ExternalException or IndexOutOfRangeException)
        {
            throw new OnnxImportException(
                $"The graph does not run at its declared input shape [{string.Join(", ", shape)}] (while folding its shape arithmetic): {ex.Message}", ex);
        }
    }

    private static IReadOnlyList<long?>? DeclaredShape(GraphProto graph, string inputName)
    {
        var input = graph.Input.FirstOrDefault(i => i.Name == inputName);
        if (input?.Type?.TensorType?.Shape is not { } shape || shape.Dim.Count > OnnxTensors.MaxRank)
        {
            return null;
        }

        return shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : (long?)null).ToArray();
    }

    /// <summary>Folded values for one input shape, device and type.</summary>
    private sealed class FoldCache : IDisposable
    {
        private readonly long[] _shape;
        private readonly Device _device;
        private readonly ScalarType _type;
        private readonly HashSet<Tensor> _held;

        public FoldCache(Tensor input)
        {
            _shape = input.shape;
            _device = input.device;
            _type = input.dtype;
            _held = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        }

        public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);

        /// <summary>The folded nodes before this node index have their values here.</summary>
        public int CompleteUpTo { get; set; }

        /// <summary>Keeps a copy of a folded value that outlives the caller's dispose scope.</summary>
        public void Keep(string name, Tensor value)
        {
            using var detached = value.detach();
            var kept = detached.clone().DetachFromDisposeScope();
            if (Values.Remove(name, out var previous))
            {
                _held.Remove(previous);
                previous.Dispose();
            }

            Values[name] = kept;
            _held.Add(kept);
        }

        public bool Matches(Tensor input) =>
            input.dtype == _type && input.device.type == _device.type && input.device.index == _device.index && input.shape.AsSpan().SequenceEqual(_shape);

        public bool Holds(Tensor value) => _held.Contains(value);

        public void Dispose()
        {
            foreach (var value in Values.Values)
            {
                value.Dispose();
            }

            Values.Clear();
            _held.Clear();
        }
    }


    /// <summary>Adds a friendly name for a layer.</summary>
    /// <param name="alias">The friendly name.</param>
    /// <param name="target">A hook name, ONNX node name or ONNX value name.</param>
    internal void AddAlias(string alias, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (_nodes.Any(n => n.GetName() == alias))
        {
            throw new OnnxImportException($"Alias '{alias}' equals the name of a layer of the graph; choose another alias.");
        }

        var layer = _nodes.Any(n => n.GetName() == target) ? target : TryLayer(target)
            ?? throw new OnnxImportException(
                $"Alias '{alias}' points at '{target}', which is neither a layer name nor an ONNX node or value of the graph.");
        _aliases[alias] = layer;
    }

    /// <summary>Makes sure TorchSharp's native runtime is loaded before the first torch call.</summary>
    private static string PrepareRuntime(string moduleName)
    {
        return moduleName;
    }

    private string? TryLayer(string onnxName)
    {
        try
        {
            return GetLayerName(onnxName);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    private static string ResolveInput(GraphProto graph, Dictionary<string, TensorProto> initializers, string? requested)
    {
        var inputs = graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n)).ToList();
        if (requested is not null)
        {
            return inputs.Contains(requested)
                ? requested
                : throw new OnnxImportException($"Input '{requested}' is not a graph input (inputs: {string.Join(", ", inputs)}).");
        }

        return inputs.Count switch
        {
            1 => inputs[0],
            0 => throw new OnnxImportException("The ONNX graph has no input that is not an initializer."),
            _ => throw new OnnxImportException(
                $"The ONNX graph has several inputs ({string.Join(", ", inputs)}); the module takes one tensor. Set OnnxImportOptions.InputName."),
        };
    }

    private static List<NodeProto> TopologicalOrder(GraphProto graph, IEnumerable<string> initializers, string input)
    {
        var available = new HashSet<string>(initializers, StringComparer.Ordinal) { input, string.Empty };
        var pending = graph.Node.ToList();
        var ordered = new List<NodeProto>(pending.Count);
        while (pending.Count > 0)
        {
            var progressed = false;
            for (var i = 0; i < pending.Count; i++)
            {
                var node = pending[i];
                if (node.Input.All(available.Contains))
                {
                    ordered.Add(node);
                    foreach (var output in node.Output)
                    {
                        available.Add(output);
                    }

                    pending.RemoveAt(i);
                    i--;
                    progressed = true;
                }
            }

            if (!progressed)
            {
                var stuck = pending[0];
                var missing = stuck.Input.First(n => !available.Contains(n));
                throw new OnnxImportException(
                    $"Node '{stuck.Name}' ({stuck.OpType}) reads '{missing}', which is neither the input, an initializer nor produced by a node " +
                    "(the graph has a cycle or a second input).");
            }
        }

        return ordered;
    }

    /// <summary>Refuses repeated node names and values produced twice (ONNX graphs are in single-assignment form).</summary>
    private static void CheckUniqueNames(GraphProto graph, Dictionary<string, TensorProto> initializers)
    {
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        var produced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            produced.TryAdd(input.Name, "a graph input");
        }

        foreach (var name in initializers.Keys)
        {
            produced.TryAdd(name, "an initializer");
        }

        foreach (var node in graph.Node)
        {
            if (node.Name.Length > 0 && !nodeNames.Add(node.Name))
            {
                throw new OnnxImportException(
                    $"The graph has two nodes named '{node.Name}'; node names must be unique (layer names and GetLayerName would be ambiguous).");
            }

            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                if (!produced.TryAdd(output, $"node '{node.Name}' ({node.OpType})"))
                {
                    throw new OnnxImportException(
                        $"Value '{output}' is produced by node '{node.Name}' ({node.OpType}) and also by {produced[output]}; every value must be assigned once.");
                }
            }
        }
    }

    private static void CheckOnlyFirstOutputsUsed(GraphProto graph, List<NodeProto> nodes)
    {
        var secondary = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => !MultiOutputOperators.Contains(n.OpType)))
        {
            foreach (var output in node.Output.Skip(1).Where(o => o.Length > 0))
            {
                secondary[output] = node;
            }
        }

        var consumers = nodes.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name));
        foreach (var value in consumers)
        {
            if (secondary.TryGetValue(value, out var producer))
            {
                throw new OnnxImportException(
                    $"Output '{value}' of node '{producer.Name}' ({producer.OpType}) is used, but only a node's first output is supported " +
                    "(e.g. MaxPool indices, Dropout mask or BatchNormalization training statistics).");
            }
        }
    }

    private static string UniqueName(NodeProto node, HashSet<string> taken)
    {
        var source = !string.IsNullOrEmpty(node.Name) ? node.Name : node.Output.FirstOrDefault() ?? string.Empty;
        var name = Sanitize(source, node.OpType.ToLowerInvariant());
        var candidate = name;
        for (var suffix = 2; !taken.Add(candidate); suffix++)
        {
            candidate = $"{name}_{suffix}";
        }

        return candidate;
    }

    /// <summary>Letters, digits and underscores only; never empty, never starting with a digit.</summary>
    internal static string Sanitize(string text, string prefix)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || c == '_';
            if (keep || (builder.Length > 0 && builder[^1] != '_'))
            {
                builder.Append(keep ? c : '_');
            }
        }

        var name = builder.ToString().TrimEnd('_');
        if (name.Length == 0)
        {
            return prefix;
        }

        return char.IsAsciiDigit(name[0]) ? $"{prefix}_{name}" : name;
    }
}
