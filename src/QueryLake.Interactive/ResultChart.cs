namespace QueryLake.Interactive;

/// <summary>A result drawn as an SVG chart (<c>#!lake --plot</c>), displayed as HTML.</summary>
public sealed record ResultChart(string Svg);
