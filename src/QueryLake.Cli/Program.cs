using QueryLake.Cli;

return args switch
{
    [] or ["demo"] => Demo.Run(null),
    ["demo", var lake] => Demo.Run(lake),
    ["--help" or "-h" or "help"] => Usage(0),
    _ => Usage(2),
};

static int Usage(int code)
{
    Console.WriteLine("""
        querylake — an embedded query engine and versioned lake for deep-learning data

        usage:
          querylake demo [lake-dir]   build a small lake of scenes and walk through versions, branches and time travel
                                      (the lake goes to a temporary folder unless one is given)
        """);
    return code;
}
