using FsCheck;
using FsCheck.Fluent;

namespace QueryLake.Tests.Support;

/// <summary>FsCheck-generated damage to valid files, for the file readers' fuzz tests: flipped bits, extreme values
/// written over bytes, truncation, and spliced garbage.</summary>
public static class Corruptions
{
    /// <summary>One corruption: its kind, where, with what, and where to cut.</summary>
    public sealed record Corruption(int Kind, int[] Positions, byte[] Values, int Cut);

    public static Gen<Corruption> Gen { get; } =
        from kind in FsCheck.Fluent.Gen.Choose(0, 3)
        from positions in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Choose(0, int.MaxValue), 4)
        from values in FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Elements<byte>(0x00, 0xFF, 0x7F, 0x80, 0x01, 0x10, 0xFE), 4)
        from cut in FsCheck.Fluent.Gen.Choose(0, int.MaxValue)
        select new Corruption(kind, positions, values, cut);

    public static byte[] Apply(byte[] valid, Corruption c)
    {
        var bytes = (byte[])valid.Clone();
        switch (c.Kind)
        {
            case 0:
                for (int i = 0; i < c.Positions.Length; i++) bytes[c.Positions[i] % bytes.Length] ^= (byte)(c.Values[i] | 1);
                return bytes;
            case 1:
                for (int i = 0; i < c.Positions.Length; i++)
                {
                    int at = c.Positions[i] % (bytes.Length - 4);
                    for (int k = 0; k < 4; k++) bytes[at + k] = c.Values[i];
                }
                return bytes;
            case 2:
                return bytes[..(c.Cut % bytes.Length)];
            default:
                int pos = c.Cut % bytes.Length;
                return [.. bytes[..pos], .. c.Values, .. c.Values, .. bytes[pos..]];
        }
    }
}
