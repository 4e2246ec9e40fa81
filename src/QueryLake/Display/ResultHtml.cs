using System.Net;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace QueryLake.Display;

/// <summary>Renders results as HTML tables for notebooks: column names and types, images as downscaled thumbnails (data URIs),
/// embeddings and long lists summarised, NULLs marked, and a row count; at most <c>maxRows</c> rows.</summary>
public static class ResultHtml
{
    /// <summary>The longest side of a thumbnail, in pixels.</summary>
    public const int ThumbnailSize = 96;

    /// <summary>The most bytes a thumbnail takes (before base64): images are decoded, scaled down to
    /// <see cref="ThumbnailSize"/> and re-encoded (PNG, or JPEG at a falling quality when the PNG is larger), so a
    /// table of photographs stays small; an image that cannot be brought under it is summarised instead.</summary>
    public const int MaxThumbnailBytes = 8 * 1024;

    /// <summary>An HTML table of the batches' rows.</summary>
    public static string Render(Schema schema, IEnumerable<RecordBatch> batches, int maxRows = 50)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"querylake-result\"><style>.querylake-result table{border-collapse:collapse;font:13px system-ui,sans-serif}")
          .Append(".querylake-result th,.querylake-result td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}")
          .Append(".querylake-result .ql-type{color:#888;font-weight:normal;font-size:11px}.querylake-result .ql-null{color:#aaa;font-style:italic}")
          .Append(".querylake-result td.ql-num{text-align:right}.querylake-result img{image-rendering:pixelated}</style><table><thead><tr>");
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
            var bytes = bin.GetBytes(r).ToArray();
            if (ImageHeader.Read(bytes) is { } h && Thumbnail(bytes) is { } thumb)
            {
                sb.Append("<td><img alt=\"").Append(h.Format).Append(' ').Append(h.Width).Append('×').Append(h.Height)
                  .Append("\" title=\"").Append(Enc(ValueText.Blob(bytes))).Append("\" src=\"data:image/").Append(thumb.Format)
                  .Append(";base64,").Append(Convert.ToBase64String(thumb.Bytes)).Append("\"></td>");
                return;
            }
            sb.Append("<td>").Append(Enc(ValueText.Blob(bytes))).Append("</td>");
            return;
        }
        var text = ValueText.Clip(ValueText.Cell(a.GetValue(r), type), 120);
        sb.Append(type.IsNumeric || type is Columnar.Types.DecimalType ? "<td class=\"ql-num\">" : "<td>").Append(Enc(text)).Append("</td>");
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A small re-encoded copy of an image for a table cell, or null when it does not decode (it is then
    /// summarised as text) or cannot be made small enough.</summary>
    internal static (string Format, byte[] Bytes)? Thumbnail(byte[] image)
    {
        try
        {
            using var img = ImageCodec.Load(image);
            if (img.Width > ThumbnailSize || img.Height > ThumbnailSize)
                img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(ThumbnailSize, ThumbnailSize), Mode = ResizeMode.Max, Sampler = KnownResamplers.Box }));
            var png = ImageCodec.EncodeFastPng(img);
            if (png.Length <= MaxThumbnailBytes) return ("png", png);
            foreach (var quality in new[] { 80, 60, 40, 25 })
            {
                var jpeg = ImageCodec.Encode(img, "jpeg", quality);
                if (jpeg.Length <= MaxThumbnailBytes) return ("jpeg", jpeg);
            }
            return null;
        }
        catch (Errors.QueryLakeException) { return null; }
    }
}
