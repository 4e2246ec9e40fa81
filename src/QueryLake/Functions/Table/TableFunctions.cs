namespace QueryLake.Functions.Table;

/// <summary>The built-in table functions: files read as tables, and integer series.</summary>
internal static class TableFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new TableFunction("read_parquet", ["parquet_scan"], "read_parquet(path_or_glob)",
            "The rows of a Parquet file, or of every file a glob matches (same columns); filters prune row groups and pages by their statistics.",
            "SELECT count(*) FROM read_parquet('flights/*.parquet')"));
        r.Add(new TableFunction("read_arrow", [], "read_arrow(path)", "The rows of an Arrow IPC file or stream (plain, zstd or lz4).",
            "SELECT * FROM read_arrow('scenes.arrow')"));
        r.Add(new TableFunction("read_csv", ["read_csv_auto"], "read_csv(path [, delim := ','])",
            "The rows of a CSV file with a header; column types are inferred from the values.", "SELECT * FROM read_csv('labels.csv', delim := ';')"));
        r.Add(new TableFunction("read_json", ["read_json_auto", "read_ndjson"], "read_json(path)",
            "The rows of a JSON Lines file (one object per line), or a JSON array of objects; types are inferred.", "SELECT * FROM read_json('boxes.jsonl')"));
        r.Add(new TableFunction("read_npy", [], "read_npy(path)",
            "A NumPy .npy array: one row per first-axis entry, as a number, an EMBEDDING (2-D float arrays) or a TENSOR.", "SELECT * FROM read_npy('embeddings.npy')"));
        r.Add(new TableFunction("duckdb_query", [], "duckdb_query(database, sql)",
            "The result of a query DuckDB runs in process on a DuckDB database file (opened read-only) or ':memory:', handed over as Arrow without copying.",
            "SELECT sum(i) FROM duckdb_query(':memory:', 'SELECT range AS i FROM range(5)') → 10"));
        r.Add(new TableFunction("range", [], "range(stop) | range(start, stop [, step])",
            "Integers from start (default 0) up to stop, exclusive, by step, in a column named range.", "SELECT sum(range) FROM range(5) → 10"));
        r.Add(new TableFunction("generate_series", [], "generate_series(stop) | generate_series(start, stop [, step])",
            "Integers from start (default 0) up to stop, inclusive, by step, in a column named generate_series.", "SELECT sum(generate_series) FROM generate_series(1, 4) → 10"));
    }
}
