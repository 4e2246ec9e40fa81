#!/usr/bin/env bash
# Builds the GPU bench as a self-contained, trimmed linux-x64 program in bench/gpu/publish (ignored by git), to carry
# to the device machine, which has no .NET. It must stay under the device tool's 64 MiB carry limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf bench/gpu/publish
dotnet publish bench/QueryLake.GpuBench -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true -p:EnableTrimAnalyzer=false -o bench/gpu/publish -v quiet
# Native libraries of packages the engine references but the kernels never load (DuckDB's, about 60 MB).
find bench/gpu/publish -name 'libduckdb*' -delete
du -sh bench/gpu/publish
