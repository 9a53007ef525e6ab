using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Lucent.Net.Tests.Layering;

/// <summary>
/// Which namespaces of one assembly use which others, read from the compiled metadata: base types,
/// interfaces, field, method and local-variable signatures, every type, method and field token
/// in method bodies (so a fully qualified name or a <c>using static</c> counts as much as a
/// <c>using</c> directive), and the assembly's own attributes on types, members and parameters. Only the assembly's own types (type definitions) make edges; references to
/// other assemblies do not, even where they share a namespace name.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private NamespaceGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> edges) => Edges = edges;

    /// <summary>For each namespace, the other namespaces of the assembly it uses.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Edges { get; }

    public static NamespaceGraph Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var provider = new NamespaceProvider(md);
        var own = md.TypeDefinitions.Select(t => NamespaceOf(md, t)).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        var edges = own.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            string from = NamespaceOf(md, handle);
            if (!own.Contains(from))
            {
                continue;
            }

            var used = new List<string>();
            var type = md.GetTypeDefinition(handle);
            used.AddRange(provider.OfHandle(type.BaseType));
            foreach (var i in type.GetInterfaceImplementations())
            {
                used.AddRange(provider.OfHandle(md.GetInterfaceImplementation(i).Interface));
            }

            foreach (var f in type.GetFields())
            {
                used.AddRange(md.GetFieldDefinition(f).DecodeSignature(provider, null));
            }

            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var signature = method.DecodeSignature(provider, null);
                used.AddRange(signature.ReturnType);
                used.AddRange(signature.ParameterTypes.SelectMany(p => p));
                if (method.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        used.AddRange(md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null).SelectMany(l => l));
                    }

                    used.AddRange(TokensIn(body.GetILReader()).SelectMany(provider.OfHandle));
                }
            }

            edges[from].UnionWith(used.Where(n => n != from && own.Contains(n)));
        }

        // An attribute of the assembly's own on a type, method, field or parameter: its namespace is used there.
        var parameterOwners = new Dictionary<ParameterHandle, TypeDefinitionHandle>();
        foreach (var handle in md.TypeDefinitions)
        {
            foreach (var m in md.GetTypeDefinition(handle).GetMethods())
            {
                foreach (var parameter in md.GetMethodDefinition(m).GetParameters())
                {
                    parameterOwners[parameter] = handle;
                }
            }
        }

        foreach (var handle in md.CustomAttributes)
        {
            var attribute = md.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MethodDefinition)
            {
                continue;
            }

            string to = NamespaceOf(md, md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            TypeDefinitionHandle owner = attribute.Parent.Kind switch
            {
                HandleKind.TypeDefinition => (TypeDefinitionHandle)attribute.Parent,
                HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)attribute.Parent).GetDeclaringType(),
                HandleKind.FieldDefinition => md.GetFieldDefinition((FieldDefinitionHandle)attribute.Parent).GetDeclaringType(),
                HandleKind.Parameter => parameterOwners.GetValueOrDefault((ParameterHandle)attribute.Parent),
                _ => default,
            };
            string from = owner.IsNil ? string.Empty : NamespaceOf(md, owner);
            if (from != to && own.Contains(from) && own.Contains(to))
            {
                edges[from].Add(to);
            }
        }

        return new NamespaceGraph(edges.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value, StringComparer.Ordinal));
    }

    /// <summary>The groups of namespaces that use each other in a loop (strongly connected, more than one).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Loops()
    {
        // Tarjan's algorithm over the namespace graph.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var loops = new List<IReadOnlyList<string>>();
        int next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in Edges[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);
                if (group.Count > 1)
                {
                    group.Sort(StringComparer.Ordinal);
                    loops.Add(group);
                }
            }
        }

        foreach (string v in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return loops;
    }

    /// <summary>
    /// The graph with every namespace nested below an area of <paramref name="root"/> merged into that area
    /// (<c>root.Onnx.Operators</c> into <c>root.Onnx</c>): an area and its nested namespaces are one unit.
    /// </summary>
    public NamespaceGraph ByArea(string root)
    {
        string Area(string ns)
        {
            if (!ns.StartsWith(root + ".", StringComparison.Ordinal))
            {
                return ns;
            }

            int dot = ns.IndexOf('.', root.Length + 1);
            return dot < 0 ? ns : ns[..dot];
        }

        var merged = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (from, tos) in Edges)
        {
            var set = merged.TryGetValue(Area(from), out var existing) ? existing : merged[Area(from)] = new HashSet<string>(StringComparer.Ordinal);
            set.UnionWith(tos.Select(Area).Where(a => a != Area(from)));
        }

        return new NamespaceGraph(merged.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value, StringComparer.Ordinal));
    }

    public override string ToString() => string.Join(
        Environment.NewLine,
        Edges.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> {string.Join(", ", e.Value.Order(StringComparer.Ordinal))}"));

    private static string NamespaceOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = md.GetTypeDefinition(outer);
        }

        return md.GetString(type.Namespace);
    }

    private static IEnumerable<EntityHandle> TokensIn(BlobReader il)
    {
        var tokens = new List<EntityHandle>();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (OperandTypes[value])
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    tokens.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32(); // read before the offset moves past the targets
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }

        return tokens;
    }

    /// <summary>Turns types in signatures and tokens into the namespaces they name.</summary>
    private sealed class NamespaceProvider(MetadataReader md) : ISignatureTypeProvider<IEnumerable<string>, object?>
    {
        public IEnumerable<string> OfHandle(EntityHandle handle) => handle.IsNil ? [] : handle.Kind switch
        {
            HandleKind.TypeDefinition => GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => GetTypeFromSpecification(md, null, (TypeSpecificationHandle)handle, 0),
            HandleKind.MethodDefinition => GetTypeFromDefinition(md, md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), 0),
            HandleKind.FieldDefinition => GetTypeFromDefinition(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), 0),
            HandleKind.MemberReference => OfHandle(md.GetMemberReference((MemberReferenceHandle)handle).Parent),
            HandleKind.MethodSpecification => OfMethodSpecification((MethodSpecificationHandle)handle),
            _ => [],
        };

        public IEnumerable<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [NamespaceOf(reader, handle)];

        // A type reference names another assembly's type (which may share a namespace name with ours, as
        // extension classes in Microsoft.Extensions.DependencyInjection do): not an edge of this graph.
        public IEnumerable<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public IEnumerable<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public IEnumerable<string> GetGenericInstantiation(IEnumerable<string> genericType, ImmutableArray<IEnumerable<string>> typeArguments) =>
            genericType.Concat(typeArguments.SelectMany(a => a)).ToList();

        public IEnumerable<string> GetArrayType(IEnumerable<string> elementType, ArrayShape shape) => elementType;

        public IEnumerable<string> GetSZArrayType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetByReferenceType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetPointerType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetPinnedType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetModifiedType(IEnumerable<string> modifier, IEnumerable<string> unmodifiedType, bool isRequired) => unmodifiedType;

        public IEnumerable<string> GetFunctionPointerType(MethodSignature<IEnumerable<string>> signature) =>
            signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p)).ToList();

        public IEnumerable<string> GetGenericMethodParameter(object? genericContext, int index) => [];

        public IEnumerable<string> GetGenericTypeParameter(object? genericContext, int index) => [];

        public IEnumerable<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        private IEnumerable<string> OfMethodSpecification(MethodSpecificationHandle handle)
        {
            var spec = md.GetMethodSpecification(handle);
            return OfHandle(spec.Method).Concat(spec.DecodeSignature(this, null).SelectMany(a => a)).ToList();
        }
    }
}
