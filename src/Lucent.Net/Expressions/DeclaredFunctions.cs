using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using Lucent.Net.Declarations;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Expressions;

/// <summary>
/// The built-in functions of both languages, read once from the <see cref="TextFunctionAttribute"/>s on the
/// core's factories and transform constructors: a built-in is declared where it is built, and its text function
/// (name, parameters, description, binding) comes from that one declaration. The tables in
/// <c>docs/expressions.md</c> and <c>docs/configuration.md</c> are generated from these functions and checked by a test.
/// </summary>
/// <remarks>
/// A parameter's C# type says how its argument is read: <c>string</c> a layer name (text in transforms),
/// <c>int</c>/<c>double</c>/<c>bool</c> and their nullable forms numbers and flags, an enum a member name, a
/// <see cref="Tensor"/> a list of numbers (a vector, disposed after the call; the factories copy it), a list of
/// <c>double</c> a list of numbers, <c>object</c> a whole number or a name, and a <c>params Objective[]</c> any number
/// of objectives. The binders are built once; a call costs one reflection invoke, next to a parse that is in
/// microseconds and a render that is in seconds.
/// </remarks>
internal static class DeclaredFunctions
{
    private static readonly Lazy<(IReadOnlyList<ObjectiveFunction> Objectives, IReadOnlyList<TransformFunction> Transforms)> All = new(Read);

    /// <summary>Every built-in objective function, in declaration order.</summary>
    public static IReadOnlyList<ObjectiveFunction> Objectives => All.Value.Objectives;

    /// <summary>Every built-in transform function, in declaration order.</summary>
    public static IReadOnlyList<TransformFunction> Transforms => All.Value.Transforms;

    /// <summary>The C# name in snake_case, e.g. <c>cossimPow</c> as <c>cossim_pow</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    private static (IReadOnlyList<ObjectiveFunction>, IReadOnlyList<TransformFunction>) Read()
    {
        const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var objectives = new List<ObjectiveFunction>();
        var transforms = new List<TransformFunction>();
        var declared = typeof(DeclaredFunctions).Assembly.GetTypes()
            .OrderBy(t => t.MetadataToken)
            .SelectMany(t => t.GetMethods(Members).Cast<MethodBase>().Concat(t.GetConstructors(Members)).OrderBy(m => m.MetadataToken))
            .Select(m => (Member: m, Attribute: m.GetCustomAttribute<TextFunctionAttribute>()))
            .Where(d => d.Attribute is not null);
        foreach (var (member, attribute) in declared)
        {
            switch (FromMember(member, attribute!))
            {
                case ObjectiveFunction objective:
                    objectives.Add(objective);
                    break;
                case TransformFunction transform:
                    transforms.Add(transform);
                    break;
            }
        }

        return (objectives.AsReadOnly(), transforms.AsReadOnly());
    }

    /// <summary>The text function that <paramref name="attribute"/> declares on <paramref name="member"/>.</summary>
    /// <exception cref="InvalidOperationException">The member builds neither an objective nor a transform, or has a parameter text cannot read.</exception>
    internal static ExpressionFunction FromMember(MethodBase member, TextFunctionAttribute attribute)
    {
        var binder = new Binder(member);
        string description = Describe(attribute.Description, member.DeclaringType!);
        Type result = member is MethodInfo method ? method.ReturnType : member.DeclaringType!;
        if (typeof(Objective).IsAssignableFrom(result))
        {
            return binder.AcceptsAny
                ? ObjectiveFunction.WithAnyArguments(attribute.Name, a => (Objective)binder.Invoke(a), description)
                : new ObjectiveFunction(attribute.Name, binder.Parameters, a => (Objective)binder.Invoke(a), description);
        }

        if (typeof(IImageTransform).IsAssignableFrom(result) && !binder.AcceptsAny)
        {
            return new TransformFunction(attribute.Name, binder.Parameters, a => (IImageTransform)binder.Invoke(a), description);
        }

        throw new InvalidOperationException($"{member.DeclaringType!.Name}.{member.Name} declares the text function '{attribute.Name}' but builds neither an Objective nor an IImageTransform from its parameters.");
    }

    /// <summary>The description with each <c>{Name}</c> replaced by that constant or static field of <paramref name="type"/>.</summary>
    private static string Describe(string template, Type type)
    {
        var text = new StringBuilder(template.Length);
        int at = 0;
        while (template.IndexOf('{', at) is int open and >= 0 && template.IndexOf('}', open) is int close and > 0)
        {
            string name = template[(open + 1)..close];
            var field = type.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException($"The description of a text function on {type.Name} names {{{name}}}, which is not a constant or static field of {type.Name}.");
            text.Append(template, at, open - at).Append(Convert.ToString(field.GetValue(null), CultureInfo.InvariantCulture));
            at = close + 1;
        }

        return text.Append(template, at, template.Length - at).ToString();
    }

    /// <summary>Reads the arguments of one declared member and calls it.</summary>
    private sealed class Binder
    {
        private readonly MethodBase _member;
        private readonly ParameterInfo[] _all;
        private readonly FunctionParameter?[] _text;

        public Binder(MethodBase member)
        {
            _member = member;
            _all = member.GetParameters();
            _text = new FunctionParameter?[_all.Length];
            var nullability = new NullabilityInfoContext();
            for (int i = 0; i < _all.Length; i++)
            {
                var p = _all[i];
                if (p.GetCustomAttribute<NotInTextAttribute>() is not null)
                {
                    if (!p.HasDefaultValue)
                    {
                        throw new InvalidOperationException($"{Where(p)} is left out of text but has no default value.");
                    }

                    continue;
                }

                if (p.GetCustomAttribute<ParamArrayAttribute>() is not null && p.ParameterType == typeof(Objective[]))
                {
                    AcceptsAny = true;
                    continue;
                }

                if (!IsReadable(Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType))
                {
                    throw new InvalidOperationException($"{Where(p)} has the type {p.ParameterType.Name}, which text functions cannot read.");
                }

                var name = p.GetCustomAttribute<TextNameAttribute>();
                bool optional = p.HasDefaultValue || Nullable.GetUnderlyingType(p.ParameterType) is not null
                    || (!p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.Nullable);
                _text[i] = new FunctionParameter(name?.Name ?? SnakeCase(p.Name!), optional) { Aliases = name?.Aliases ?? [] };
            }

            Parameters = [.. _text.OfType<FunctionParameter>()];
            if (AcceptsAny && Parameters.Count > 0)
            {
                throw new InvalidOperationException($"{_member.DeclaringType!.Name}.{_member.Name}: a text function that takes any objectives takes nothing else.");
            }
        }

        /// <summary>The parameters in text.</summary>
        public IReadOnlyList<FunctionParameter> Parameters { get; }

        /// <summary>Whether the member takes <c>params Objective[]</c>: any number of positional objectives.</summary>
        public bool AcceptsAny { get; }

        public object Invoke(FunctionArguments arguments)
        {
            var values = new object?[_all.Length];
            var owned = new List<Tensor>();
            try
            {
                for (int i = 0; i < _all.Length; i++)
                {
                    values[i] = _text[i] is { } parameter ? Read(arguments, _all[i], parameter, owned)
                        : AcceptsAny && _all[i].ParameterType == typeof(Objective[]) ? ReadObjectives((ObjectiveArguments)arguments)
                        : _all[i].DefaultValue;
                }

                try
                {
                    return (_member is ConstructorInfo constructor ? constructor.Invoke(values) : _member.Invoke(null, values))!;
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }
            }
            finally
            {
                foreach (var tensor in owned)
                {
                    tensor.Dispose();
                }
            }
        }

        private static bool IsReadable(Type type) =>
            type == typeof(string) || type == typeof(int) || type == typeof(double) || type == typeof(bool) || type.IsEnum
            || type == typeof(Tensor) || type == typeof(IEnumerable<double>) || type == typeof(double[]) || type == typeof(IReadOnlyList<double>)
            || type == typeof(object);

        private static Objective[] ReadObjectives(ObjectiveArguments arguments)
        {
            var items = new Objective[arguments.PositionalCount];
            for (int i = 0; i < items.Length; i++)
            {
                items[i] = arguments.GetObjective(i);
            }

            return items;
        }

        private static object? Read(FunctionArguments a, ParameterInfo p, FunctionParameter parameter, List<Tensor> owned)
        {
            string n = parameter.Name;
            Type type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            object? fallback = p.HasDefaultValue ? p.DefaultValue : null;
            if (parameter.IsOptional && !a.Has(n))
            {
                return type.IsEnum && fallback is not null ? Enum.ToObject(type, fallback) : fallback;
            }

            if (type == typeof(string))
            {
                return a is ObjectiveArguments o ? o.GetLayer(n) : a.GetText(n);
            }

            if (type == typeof(int))
            {
                return a.GetInt32(n);
            }

            if (type == typeof(double))
            {
                return a.GetDouble(n);
            }

            if (type == typeof(bool))
            {
                return a.GetBoolean(n);
            }

            if (type.IsEnum)
            {
                return a.GetEnum(n, type);
            }

            if (type == typeof(Tensor))
            {
                var vector = tensor(a.GetVector(n));
                owned.Add(vector);
                return vector;
            }

            if (type == typeof(IEnumerable<double>) || type == typeof(double[]) || type == typeof(IReadOnlyList<double>))
            {
                return a.GetDoubles(n);
            }

            if (type == typeof(object))
            {
                return a.IsText(n) ? a.GetText(n) : a.GetInt32(n);
            }

            throw new InvalidOperationException($"{Where(p)} has the type {p.ParameterType.Name}, which text functions cannot read.");
        }

        private static string Where(ParameterInfo p) =>
            new StringBuilder().Append(p.Member.DeclaringType!.Name).Append('.').Append(p.Member.Name).Append('(').Append(p.Name).Append(')').ToString();
    }
}
