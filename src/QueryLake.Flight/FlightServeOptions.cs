namespace QueryLake.Flight;

/// <summary>How <c>querylake serve</c> serves a lake over Arrow Flight.</summary>
public sealed record FlightServeOptions
{
    /// <summary>The lake's folder.</summary>
    public required string LakePath { get; init; }

    /// <summary>Opens the session a call's query runs in (null: one over <see cref="LakePath"/>). A cluster silo's
    /// Flight server opens a session on the cluster, so its queries run across the silos.</summary>
    public Func<Sessions.QueryLakeSession>? Sessions { get; init; }

    /// <summary>The TCP port (8815 by default; 0 picks a free one, see <see cref="FlightHost.Port"/>).</summary>
    public int Port { get; init; } = 8815;

    /// <summary>Listen on every interface instead of loopback only.</summary>
    public bool AnyAddress { get; init; }

    /// <summary>Refuse <c>DoPut</c>: the lake is only read.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>When set, every call must carry <c>authorization: Bearer &lt;token&gt;</c> with this token.</summary>
    public string? Token { get; init; }

    /// <summary>A PKCS#12 (.pfx) certificate: when set, the server speaks TLS.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The certificate's password, if it has one.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>The most bytes of Arrow buffers one <c>DoGet</c> message holds (4 MiB by default): larger result
    /// batches are sent as slices, so what a stream holds in flight stays bounded whatever its rows hold (a single
    /// larger row goes alone). 0: batches as the engine makes them.</summary>
    public long MaxBatchBytes { get; init; } = 4L << 20;
}
