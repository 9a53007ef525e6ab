using System.Text.Json.Nodes;

namespace Lucent.Net.Tests.Runtime;

/// <summary>Forges a cache file the way an attacker with write access to the cache folder would: one property edited.</summary>
internal static class ForgedCacheFile
{
    /// <summary>
    /// Rewrites the JSON file at <paramref name="path"/>: with an empty <paramref name="property"/> the whole file becomes
    /// <paramref name="value"/>; with <c>-Name</c> the property is removed; otherwise it is set to <paramref name="value"/>
    /// parsed as JSON (null for a JSON null).
    /// </summary>
    public static void Edit(string path, string property, string? value)
    {
        string json;
        if (property.Length == 0)
        {
            json = value!;
        }
        else
        {
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if (property.StartsWith('-'))
            {
                root.Remove(property[1..]);
            }
            else
            {
                root[property] = value is null ? null : JsonNode.Parse(value);
            }

            json = root.ToJsonString();
        }

        File.WriteAllText(path, json);
    }
}
