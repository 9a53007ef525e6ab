using System.Globalization;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// The one parser of the call syntax: a recursive-descent parser over one tokenizer that builds
/// the result while parsing. Objective expressions add arithmetic on objectives and the
/// <c>layer:channel</c> shorthand; transform expressions are one call or calls separated by commas.
/// Arguments, named-argument forms (<c>=</c>, <c>:</c>), lists, quoted strings, limits and errors are
/// the same for both.
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>The longest text accepted, in characters.</summary>
    public const int MaxLength = 100_000;

    /// <summary>The most tokens a text may have.</summary>
    public const int MaxTokens = 50_000;

    /// <summary>The deepest nesting of parentheses, calls, lists and unary signs.</summary>
    public const int MaxDepth = 100;

    private static readonly IFunctionLookup NoFunctions = new TransformFunctionRegistry(includeBuiltIns: false);
    private readonly string _text;
    private readonly IFunctionLookup _functions;
    private readonly ExpressionLanguage _language;
    private readonly List<Token> _tokens;
    private int _position;
    private int _depth;

    public ExpressionParser(string text, IFunctionLookup functions, ExpressionLanguage language)
    {
        _text = text;
        _functions = functions;
        _language = language;
        _tokens = Tokenize(text, language);
    }

    private enum TokenKind
    {
        Number,
        Identifier,
        String,
        LeftParen,
        RightParen,
        LeftBracket,
        RightBracket,
        Comma,
        Colon,
        Equals,
        Plus,
        Minus,
        Star,
        Slash,
        End,
    }

    private Token Current => _tokens[_position];

    private Token Next => _tokens[Math.Min(_position + 1, _tokens.Count - 1)];

    /// <summary>
    /// Reads a value given as configuration text: a number (<c>8</c>, <c>-0.5</c>), a list of numbers
    /// (<c>[0.9, 1]</c>, or <c>0.9,1</c> as configuration joins an array), or else the text itself
    /// (<c>constant</c>, <c>true</c>, a class name).
    /// </summary>
    public static ExpressionValue ParseKeyedValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                var parser = new ExpressionParser(text, NoFunctions, ExpressionLanguage.Transforms);
                var values = new List<ExpressionValue> { parser.ParseAdditive() };
                while (parser.Current.Kind == TokenKind.Comma)
                {
                    parser.Advance();
                    values.Add(parser.ParseAdditive());
                }

                if (parser.Current.Kind == TokenKind.End)
                {
                    switch (values)
                    {
                        case [NumberValue or ListValue]:
                            return values[0];
                        case [_, _, ..] when values.All(v => v is NumberValue):
                            return new ListValue([.. values.Cast<NumberValue>().Select(n => n.Value)], 0);
                    }
                }
            }
            catch (ExpressionException)
            {
                // Not a number or a list: the text itself.
            }
        }

        return new NameValue(text, Quoted: true, 0);
    }

    /// <summary>Parses one transform: a call such as <c>pad(12, mode=constant)</c> or a bare name such as <c>normalize</c>.</summary>
    public IImageTransform ParseTransform()
    {
        if (Current.Kind == TokenKind.End)
        {
            throw Error("The expression is empty", Current.Column, "a transform", "Write e.g. pad(12, mode=constant) or jitter(8).");
        }

        var transform = ParseTransformCall();
        if (Current.Kind != TokenKind.End)
        {
            throw Expected(Current.Kind == TokenKind.Comma
                ? "the end of the expression (one transform; parse a pipeline such as pad(12), jitter(8) with TransformExpression.ParsePipeline)"
                : "the end of the expression");
        }

        return transform;
    }

    /// <summary>Parses transforms separated by commas, e.g. <c>pad(12), jitter(8), random_scale([0.9, 1.1])</c>.</summary>
    public IReadOnlyList<IImageTransform> ParsePipeline()
    {
        if (Current.Kind == TokenKind.End)
        {
            throw Error("The pipeline is empty", Current.Column, "a transform",
                "Write transforms separated by commas, e.g. pad(12), jitter(8); use TransformPipeline.Identity for no transforms.");
        }

        var steps = new List<IImageTransform> { ParseTransformCall() };
        while (Current.Kind == TokenKind.Comma)
        {
            Advance();
            steps.Add(ParseTransformCall());
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Expected("',' or the end of the pipeline");
        }

        return steps;
    }

    public Objective ParseObjective()
    {
        if (Current.Kind == TokenKind.End)
        {
            throw Error("The expression is empty", Current.Column, "an objective", "Write e.g. channel(mixed4a, 5) or mixed4a:5.");
        }

        var value = ParseAdditive();
        if (Current.Kind == TokenKind.Colon)
        {
            throw Error("Expected an operator (+, -, *, /) or the end of the expression", Current.Column, "an operator or the end",
                "The shorthand is layer:channel only; for a neuron write neuron(layer, n_channel, x: 3, y: 3).");
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Expected("an operator (+, -, *, /) or the end of the expression");
        }

        return value switch
        {
            ObjectiveValue o => o.Objective,
            NumberValue n => throw Error(
                $"The expression is a number ({Format(n.Value)}), not an objective", 1, "an objective", "Combine numbers with an objective, e.g. channel(mixed4a, 5) * 2."),
            _ => throw NotAnObjective(value),
        };
    }

    private ExpressionValue ParseAdditive()
    {
        Enter();
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var right = ParseMultiplicative();
            left = Combine(op, left, right);
        }

        _depth--;
        return left;
    }

    private ExpressionValue ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var op = Advance();
            var right = ParseUnary();
            left = Combine(op, left, right);
        }

        return left;
    }

    private ExpressionValue ParseUnary()
    {
        if (Current.Kind is TokenKind.Minus or TokenKind.Plus)
        {
            Enter();
            var sign = Advance();
            var operand = ParseUnary();
            _depth--;
            if (sign.Kind == TokenKind.Plus)
            {
                return RequireArithmetic(operand) with { Column = sign.Column };
            }

            return RequireArithmetic(operand) switch
            {
                NumberValue n => new NumberValue(-n.Value, sign.Column),
                ObjectiveValue o => new ObjectiveValue(-o.Objective, sign.Column),
                var other => throw NotAnObjective(other),
            };
        }

        return ParsePrimary();
    }

    private ExpressionValue ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new NumberValue(token.Number, token.Column);
            case TokenKind.String:
                Advance();
                return new NameValue(token.Text, Quoted: true, token.Column);
            case TokenKind.LeftParen:
            {
                Advance();
                var inner = ParseAdditive();
                Expect(TokenKind.RightParen, "')'");
                return inner with { Column = token.Column };
            }

            case TokenKind.LeftBracket:
                return ParseList();
            case TokenKind.Identifier:
                Advance();
                if (Current.Kind == TokenKind.LeftParen)
                {
                    return ParseCall(token);
                }

                if (Current.Kind == TokenKind.Colon && _language.AllowsShorthand)
                {
                    return ParseShorthand(token);
                }

                return new NameValue(token.Text, Quoted: false, token.Column);
            default:
                throw Expected("a number, a layer name, a function call, '(' or '['");
        }
    }

    private ObjectiveValue ParseShorthand(Token layer)
    {
        Advance();
        var channel = Current;
        if (channel.Kind is TokenKind.Identifier or TokenKind.String)
        {
            // labels:tabby: a class named in the model's labels (looked up when the render starts).
            Advance();
            return new ObjectiveValue(Shorthand(layer, () => Objective.Channel(layer.Text, channel.Text)), layer.Column);
        }

        if (channel.Kind != TokenKind.Number || channel.Number != Math.Floor(channel.Number) || channel.Number > int.MaxValue)
        {
            throw Expected("a channel number or a class name after ':' (the shorthand is layer:channel, e.g. mixed4a:5 or labels:tabby)");
        }

        Advance();
        return new ObjectiveValue(Shorthand(layer, () => Objective.Channel(layer.Text, (int)channel.Number)), layer.Column);
    }

    private ListValue ParseList()
    {
        var open = Advance();
        var values = new List<double>();
        if (Current.Kind != TokenKind.RightBracket)
        {
            while (true)
            {
                var item = ParseAdditive();
                if (item is not NumberValue number)
                {
                    throw Error($"A list may hold only numbers, but got {item.Describe()}", item.Column, "a number");
                }

                values.Add(number.Value);
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    if (Current.Kind == TokenKind.RightBracket)
                    {
                        break;
                    }

                    continue;
                }

                if (Current.Kind == TokenKind.Identifier)
                {
                    throw Error("Expected ',' or ']'", Current.Column, "',' or ']'",
                        "An objective's name abbreviates vectors as '[N values]'; write the values out, e.g. [0.1, 0.2].");
                }

                break;
            }
        }

        Expect(TokenKind.RightBracket, "',' or ']'");
        return new ListValue(values, open.Column);
    }

    private IImageTransform ParseTransformCall()
    {
        var name = Current;
        if (name.Kind != TokenKind.Identifier)
        {
            throw Expected("a transform such as pad(12) or jitter(8)");
        }

        Advance();
        var value = Current.Kind == TokenKind.LeftParen ? ParseCall(name) : Call(name, [], new(StringComparer.OrdinalIgnoreCase), new Dictionary<string, int>());
        return value is TransformValue transform ? transform.Transform : throw Error($"Expected a transform but got {value.Describe()}", name.Column, "a transform");
    }

    private ExpressionValue ParseCall(Token name)
    {
        var function = Lookup(name);
        Enter();
        Advance(); // '('
        var positional = new List<ExpressionValue>();
        var named = new Dictionary<string, ExpressionValue>(StringComparer.OrdinalIgnoreCase);
        var namedColumns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (Current.Kind != TokenKind.RightParen)
        {
            while (true)
            {
                if (Current.Kind == TokenKind.Identifier
                    && (Next.Kind == TokenKind.Equals || (Next.Kind == TokenKind.Colon && function.FindParameter(Current.Text) is not null)))
                {
                    var argName = Advance();
                    Advance();
                    var value = ParseAdditive();
                    string key = Canonical(function, argName);
                    if (!named.TryAdd(key, value))
                    {
                        throw Error($"The argument '{key}' of {function.Name} is given twice", argName.Column, null, $"Call it as {function.Signature}.");
                    }

                    namedColumns[key] = argName.Column;
                }
                else
                {
                    if (named.Count > 0)
                    {
                        throw Error("A positional argument cannot follow a named one", Current.Column, "a named argument (name: value)");
                    }

                    positional.Add(ParseAdditive());
                }

                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    if (Current.Kind == TokenKind.RightParen)
                    {
                        break;
                    }

                    continue;
                }

                break;
            }
        }

        Expect(TokenKind.RightParen, "')'", positional.Count + named.Count > 0 ? "',' or ')'" : "')'");
        _depth--;
        return Call(name, positional, named, namedColumns, function);
    }

    private ExpressionValue Call(Token name, List<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, Dictionary<string, int> namedColumns, ExpressionFunction? function = null)
    {
        function ??= Lookup(name);
        var site = new ExpressionCallSite(_language, _text, name.Column, namedColumns);
        return function.Invoke(function.Bind(positional, named, site), site);
    }

    private ExpressionFunction Lookup(Token name) =>
        _functions.TryFind(name.Text, out var function)
            ? function
            : throw Error(
                $"Unknown {_language.Noun} function '{name.Text}'",
                name.Column,
                "a known function",
                "Known functions (closest first): " + string.Join(", ", _functions.Closest(name.Text)) + ".");

    private string Canonical(ExpressionFunction function, Token argName)
    {
        if (function.AcceptsAnyArguments)
        {
            return argName.Text;
        }

        return function.FindParameter(argName.Text)?.Name
            ?? throw Error(
                $"{function.Name} has no parameter '{argName.Text}'",
                argName.Column,
                "a parameter name",
                $"Its parameters are {string.Join(", ", function.Parameters.Select(p => p.Name))}: call it as {function.Signature}.");
    }

    private Objective Shorthand(Token at, Func<Objective> build)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw Error($"channel rejected its arguments ({FirstLine(ex.Message)})", at.Column, null, null, ex);
        }
    }

    private ExpressionValue Combine(Token op, ExpressionValue left, ExpressionValue right)
    {
        left = RequireArithmetic(left);
        right = RequireArithmetic(right);
        try
        {
            return (left, right) switch
            {
                (NumberValue a, NumberValue b) => new NumberValue(Apply(op, a.Value, b.Value), a.Column),
                (ObjectiveValue a, NumberValue b) => new ObjectiveValue(Apply(op, a.Objective, b.Value), a.Column),
                (NumberValue a, ObjectiveValue b) => new ObjectiveValue(Apply(op, a.Value, b.Objective), a.Column),
                (ObjectiveValue a, ObjectiveValue b) => new ObjectiveValue(Apply(op, a.Objective, b.Objective), a.Column),
                _ => throw NotAnObjective(left is NumberValue or ObjectiveValue ? right : left),
            };
        }
        catch (Exception ex) when (ex is ArithmeticException or ArgumentException)
        {
            throw Error($"Cannot apply '{op.Text}' ({FirstLine(ex.Message)})", op.Column, null, null, ex);
        }
    }

    private ExpressionValue RequireArithmetic(ExpressionValue value) =>
        value is NumberValue or ObjectiveValue ? value : throw NotAnObjective(value);

    private static double Apply(Token op, double a, double b)
    {
        if (op.Kind == TokenKind.Slash && b == 0)
        {
            throw new DivideByZeroException("division by zero");
        }

        double result = op.Kind switch
        {
            TokenKind.Plus => a + b,
            TokenKind.Minus => a - b,
            TokenKind.Star => a * b,
            _ => a / b,
        };
        return double.IsFinite(result) ? result : throw new ArgumentOutOfRangeException(nameof(op), "the result is not a finite number");
    }

    private static Objective Apply(Token op, Objective a, double b) => op.Kind switch
    {
        TokenKind.Plus => a + b,
        TokenKind.Minus => a - b,
        TokenKind.Star => a * b,
        _ => a / b,
    };

    private static Objective Apply(Token op, double a, Objective b) => op.Kind switch
    {
        TokenKind.Plus => a + b,
        TokenKind.Minus => a - b,
        TokenKind.Star => a * b,
        _ => a / b,
    };

    private static Objective Apply(Token op, Objective a, Objective b) => op.Kind switch
    {
        TokenKind.Plus => a + b,
        TokenKind.Minus => a - b,
        TokenKind.Star => a * b,
        _ => a / b,
    };

    private ExpressionException NotAnObjective(ExpressionValue value) => value switch
    {
        NameValue n => Error(
            $"'{n.Text}' is a name, not an objective",
            n.Column,
            "an objective",
            $"Write a function call such as channel({n.Text}, 0), or the shorthand {n.Text}:0."),
        ListValue l => Error("A list is not an objective", l.Column, "an objective", "Lists are arguments of functions such as direction(layer, [0.1, 0.2])."),
        _ => Error($"Expected an objective but got {value.Describe()}", value.Column, "an objective"),
    };

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture, $"The expression is nested more than {MaxDepth} levels deep"), Current.Column, null);
        }
    }

    private Token Advance()
    {
        var token = Current;
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }

        return token;
    }

    private void Expect(TokenKind kind, string shown, string? expectedIfWrong = null)
    {
        if (Current.Kind != kind)
        {
            throw Expected(expectedIfWrong ?? shown);
        }

        Advance();
    }

    private ExpressionException Expected(string what)
    {
        string found = Current.Kind == TokenKind.End ? "the end of the expression" : $"'{Current.Text}'";
        return Error("Expected " + what, Current.Column, what, $"Found {found}.");
    }

    private ExpressionException Error(string problem, int column, string? expected, string? hint = null, Exception? inner = null) =>
        _language.Error(problem, _text, column, expected, hint, inner);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }

    private static List<Token> Tokenize(string text, ExpressionLanguage language)
    {
        if (text.Length > MaxLength)
        {
            throw language.Error(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The expression is {text.Length} characters long, over the limit of {MaxLength} ({language.EntryPoint}.MaxLength); it starts '{text[..40]}...'. ") +
                (language.AllowsShorthand
                    ? "Split it into smaller objectives and combine them in code, or use sum(...) of fewer terms."
                    : "Split it into smaller pipelines and combine them in code."));
        }

        var result = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            int column = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                int start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    int exponent = i + 1;
                    if (exponent < text.Length && text[exponent] is '+' or '-')
                    {
                        exponent++;
                    }

                    if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
                    {
                        i = exponent;
                        while (i < text.Length && char.IsAsciiDigit(text[i]))
                        {
                            i++;
                        }
                    }
                }

                string literal = text[start..i];
                if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
                {
                    throw language.Error($"'{literal}' is not a finite number", text, column, "a number");
                }

                result.Add(new Token(TokenKind.Number, literal, column, number));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                result.Add(new Token(TokenKind.Identifier, text[start..i], column, 0));
                continue;
            }

            if (c is '\'' or '"')
            {
                int end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw language.Error("Unterminated string", text, column, c.ToString(), $"Close the quoted name with {c}.");
                }

                if (end == i + 1)
                {
                    throw language.AllowsShorthand
                        ? language.Error("Empty layer name", text, column, "a layer name")
                        : language.Error("Empty quoted text", text, column, "a name");
                }

                result.Add(new Token(TokenKind.String, text[(i + 1)..end], column, 0));
                i = end + 1;
                continue;
            }

            TokenKind? kind = c switch
            {
                '(' => TokenKind.LeftParen,
                ')' => TokenKind.RightParen,
                '[' => TokenKind.LeftBracket,
                ']' => TokenKind.RightBracket,
                ',' => TokenKind.Comma,
                ':' => TokenKind.Colon,
                '=' => TokenKind.Equals,
                '+' => TokenKind.Plus,
                '-' => TokenKind.Minus,
                '*' => TokenKind.Star,
                '/' => TokenKind.Slash,
                _ => null,
            };
            if (kind is null)
            {
                throw language.Error(
                    $"Unexpected character '{c}'",
                    text,
                    column,
                    "a number, a name, an operator or a bracket",
                    "Expressions use numbers, names (letters, digits, _), quoted names, + - * /, ( ) [ ] , : and =.");
            }

            result.Add(new Token(kind.Value, c.ToString(), column, 0));
            i++;
        }

        if (result.Count > MaxTokens)
        {
            throw language.Error(
                string.Create(CultureInfo.InvariantCulture, $"The expression has {result.Count} tokens (numbers, names, operators, brackets), over the limit of {MaxTokens}"),
                text,
                result[MaxTokens].Column,
                null,
                $"({language.EntryPoint}.MaxTokens). Combine smaller parts in code instead.");
        }

        result.Add(new Token(TokenKind.End, string.Empty, text.Length + 1, 0));
        return result;
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Column, double Number);
}
