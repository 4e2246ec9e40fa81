namespace QueryLake.Display;

/// <summary>
/// Tells .NET Interactive (Polyglot notebooks) how to display a type. .NET Interactive recognises this attribute by
/// its name, so QueryLake needs no reference to its packages: the formatter source's <c>CreateTypeFormatters()</c>
/// returns objects with a <c>Type</c>, a <c>MimeType</c> and a <c>Format(object, TextWriter)</c> method.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The type whose <c>CreateTypeFormatters()</c> makes the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types to prefer, best first.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
