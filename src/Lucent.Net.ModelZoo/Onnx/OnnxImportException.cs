namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// Thrown when an ONNX model cannot be imported: the file is not a valid ONNX model, a node is
/// malformed, or the graph uses a feature the importer does not support. The message says what was
/// wrong and, where possible, how to fix it.
/// </summary>
public class OnnxImportException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public OnnxImportException()
        : base("The ONNX model could not be imported.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public OnnxImportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public OnnxImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown when an ONNX graph contains an operator the importer does not implement. The message
/// names the operator type, the node and the list of supported operators.
/// </summary>
public sealed class UnsupportedOnnxOperatorException : OnnxImportException
{
    /// <summary>Creates the exception with a default message.</summary>
    public UnsupportedOnnxOperatorException()
        : base("The ONNX graph uses an operator that is not supported.")
    {
        OperatorType = string.Empty;
        NodeName = string.Empty;
        SupportedOperators = OnnxModel.SupportedOperators;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public UnsupportedOnnxOperatorException(string message)
        : base(message)
    {
        OperatorType = string.Empty;
        NodeName = string.Empty;
        SupportedOperators = OnnxModel.SupportedOperators;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedOnnxOperatorException(string message, Exception innerException)
        : base(message, innerException)
    {
        OperatorType = string.Empty;
        NodeName = string.Empty;
        SupportedOperators = OnnxModel.SupportedOperators;
    }

    /// <summary>Creates the exception for one node.</summary>
    /// <param name="operatorType">The node's operator type, e.g. <c>Resize</c>.</param>
    /// <param name="nodeName">The node's name (or its first output when it has no name).</param>
    /// <param name="domain">The node's operator domain; empty for the default ONNX domain.</param>
    public UnsupportedOnnxOperatorException(string operatorType, string nodeName, string domain)
        : base(BuildMessage(operatorType, nodeName, domain))
    {
        OperatorType = operatorType;
        NodeName = nodeName;
        SupportedOperators = OnnxModel.SupportedOperators;
    }

    /// <summary>The unsupported operator type.</summary>
    public string OperatorType { get; }

    /// <summary>The node that uses it.</summary>
    public string NodeName { get; }

    /// <summary>The operators the importer supports.</summary>
    public IReadOnlyList<string> SupportedOperators { get; }

    private static string BuildMessage(string operatorType, string nodeName, string domain)
    {
        var qualified = string.IsNullOrEmpty(domain) || domain == "ai.onnx" ? operatorType : $"{domain}.{operatorType}";
        return $"ONNX operator '{qualified}' (node '{nodeName}') is not supported by the Lucent.Net importer. " +
            $"Supported operators (default domain): {string.Join(", ", OnnxModel.SupportedOperators)}. " +
            "Export the model with only these operators (e.g. a different opset or simplified graph), or open an issue naming the operator.";
    }
}
