using System.Net;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;

namespace QueryLake.Display;

/// <summary>Renders results as HTML tables for notebooks: column names and types, images as thumbnails (data URIs),
/// embeddings and long lists summarised, NULLs marked, and a row count; at most <c>maxRows</c> rows.</summary>
public static class ResultHtml
{
    /// <summary>Images larger than this are summarised instead of embedded.</summary>
    public const int MaxInlineImageBytes = 256 * 1024;

    /// <summary>An HTML table of the batches' rows.</summary>
    public static string Render(Schema schema, IEnumerable<RecordBatch> batches, int maxRows = 50)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"querylake-result\"><style>.querylake-result table{border-collapse:collapse;font:13px system-ui,sans-serif}")
          .Append(".querylake-result th,.querylake-result td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}")
          .Append(".querylake-result .ql-type{color:#888;font-weight:normal;font-size:11px}.querylake-result .ql-null{color:#aaa;font-style:italic}")
          .Append(".querylake-result td.ql-num{text-align:right}.querylake-result img{max-width:96px;max-height:96px;image-rendering:pixelated}</style><table><thead><tr>");
        foreach (var f in schema.Fields)
            sb.Append("<th>").Append(Enc(f.Name)).Append("<br><span class=\"ql-type\">").Append(Enc(Columnar.Types.SqlTypeName.Of(f.DataType))).Append("</span></th>");
        sb.Append("</tr></thead><tbody>");
        long total = 0;
        int shown = 0;
        foreach (var b in batches)
        {
            total += b.Length;
            for (int r = 0; r < b.Length && shown < maxRows; r++, shown++)
            {
                sb.Append("<tr>");
                for (int c = 0; c < b.Columns.Count; c++) Cell(sb, b.Columns[c], r, schema.Fields[c].DataType);
                sb.Append("</tr>");
            }
        }
        sb.Append("</tbody></table><div class=\"ql-count\">")
          .Append(total > shown ? $"{total} rows ({shown} shown)" : $"{total} row{(total == 1 ? "" : "s")}")
          .Append("</div></div>");
        return sb.ToString();
    }

    private static void Cell(StringBuilder sb, ArrowArray a, int r, DataType type)
    {
        if (a.IsNull(r)) { sb.Append("<td class=\"ql-null\">NULL</td>"); return; }
        if (a is BinaryArray bin && !((VariableBinaryType)bin.Type.StorageType).IsUtf8)
        {
            var bytes = bin.GetBytes(r);
            if (ImageHeader.Read(bytes) is { } h && h.Format is "png" or "jpeg" or "gif" or "bmp" or "webp" && bytes.Length <= MaxInlineImageBytes)
            {
                sb.Append("<td><img alt=\"").Append(h.Format).Append(' ').Append(h.Width).Append('×').Append(h.Height)
                  .Append("\" title=\"").Append(Enc(ValueText.Blob(bytes.ToArray()))).Append("\" src=\"data:image/").Append(h.Format)
                  .Append(";base64,").Append(Convert.ToBase64String(bytes)).Append("\"></td>");
                return;
            }
            sb.Append("<td>").Append(Enc(ValueText.Blob(bytes.ToArray()))).Append("</td>");
            return;
        }
        var text = ValueText.Clip(ValueText.Cell(a.GetValue(r), type), 120);
        sb.Append(type.IsNumeric || type is Columnar.Types.DecimalType ? "<td class=\"ql-num\">" : "<td>").Append(Enc(text)).Append("</td>");
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
