using QueryLake.Columnar;
using QueryLake.Sessions;

namespace QueryLake.Display;

/// <summary>The formatters .NET Interactive finds through <see cref="TypeFormatterSourceAttribute"/> on
/// <see cref="QueryResult"/>: HTML tables for results (and for <see cref="RecordBatch"/>es, for hosts that register the
/// source themselves), and a plain-text table as the fallback.</summary>
public sealed class QueryResultFormatterSource
{
    /// <summary>The formatters, in the shape .NET Interactive expects (Type, MimeType, Format(object, TextWriter)).</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new Formatter(typeof(QueryResult), "text/html", (o, w) => w.Write(ResultHtml.Render(((QueryResult)o).Schema, ((QueryResult)o).Batches))),
        new Formatter(typeof(QueryResult), "text/plain", (o, w) => w.Write(ResultText.Table((QueryResult)o, 50))),
        new Formatter(typeof(RecordBatch), "text/html", (o, w) => w.Write(ResultHtml.Render(((RecordBatch)o).Schema, [(RecordBatch)o]))),
        new Formatter(typeof(RecordBatch), "text/plain", (o, w) => w.Write(ResultText.Table(((RecordBatch)o).Schema, [(RecordBatch)o], 50))),
    ];

    /// <summary>One formatter: a type, a MIME type and how to write an instance.</summary>
    public sealed class Formatter(Type type, string mimeType, Action<object, TextWriter> format)
    {
        /// <summary>The type it formats.</summary>
        public Type Type { get; } = type;

        /// <summary>The MIME type it produces.</summary>
        public string MimeType { get; } = mimeType;

        /// <summary>Writes <paramref name="instance"/>; true when it did.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            if (!Type.IsInstanceOfType(instance)) return false;
            format(instance, writer);
            return true;
        }
    }
}
