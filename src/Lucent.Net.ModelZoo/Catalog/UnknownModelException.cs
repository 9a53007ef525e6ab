using Lucent.Net.Activations;

namespace Lucent.Net.ModelZoo.Catalog;

/// <summary>A model or architecture name the zoo does not know; the message lists the known ones.</summary>
public sealed class UnknownModelException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public UnknownModelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    /// <param name="name">The name asked for.</param>
    /// <param name="known">The valid names.</param>
    /// <param name="detail">A sentence to use instead of the default.</param>
    public UnknownModelException(string name, IEnumerable<string> known, string? detail = null)
        : base(detail ?? $"Unknown model '{name}'. Known models: {string.Join(", ", LayerNameMatcher.Closest(name, known, int.MaxValue))}.")
    {
        Name = name;
    }

    /// <summary>The name that was asked for.</summary>
    public string? Name { get; }
}
