using QueryLake.Cli;

return CommandLine.Run(args);
