namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>What <see cref="InceptionV1Model.LoadStateDict"/> did not load.</summary>
/// <param name="MissingKeys">Parameters of the model that the state dict did not give (left unchanged).</param>
/// <param name="UnexpectedKeys">Keys of the state dict that are not parameters of the model (ignored).</param>
public sealed record InceptionV1LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
