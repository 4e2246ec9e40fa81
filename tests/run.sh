#!/usr/bin/env bash
# Every test, from a fresh machine with only the .NET SDK and Node.js: installs tmux, chromium,
# libjpeg-turbo-progs, netpbm, webp, python3-numpy, redis-server, postgresql, slurm-wlm, make and gcc from Debian's apt when missing, the oracles (apache-arrow, LanceDB, codecs, vega-datasets, mnist; DuckDB runs in process through DuckDB.NET)
# and the parser generator from the committed lock files, checks that the committed parser matches the grammar,
# then runs the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# tmux drives the REPL in a terminal; Chromium (driven by Playwright) renders the notebook HTML; libjpeg-turbo's
# tools make progressive and subsampled JPEGs for the decoder tests.
missing=""
command -v tmux >/dev/null || missing="$missing tmux"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/bin/jpegtran ] || missing="$missing libjpeg-turbo-progs"
# netpbm and webp write the TIFF, GIF, BMP, TGA and WebP files the image decoding tests read back.
[ -x /usr/bin/pamtotiff ] || missing="$missing netpbm"
[ -x /usr/bin/cwebp ] || missing="$missing webp"
# The TPC-H test builds the TPC's dbgen/qgen (../shared/tpch-dbgen) with make and a C compiler.
command -v make >/dev/null || missing="$missing make"
command -v gcc >/dev/null || missing="$missing gcc libc6-dev"
# Redis holds the membership of the cluster tests' silos (Orleans' Redis clustering).
command -v redis-server >/dev/null || missing="$missing redis-server"
# PostgreSQL holds it through Orleans' ADO.NET clustering (the tests run initdb and postgres in a folder of their own).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
# Slurm (slurmctld, slurmd, munge) runs the job-array recipe of docs/cluster.md on loopback (tests/slurm/check.sh).
command -v slurmctld >/dev/null || missing="$missing slurm-wlm"
# NumPy is the reference for TENSOR indexing.
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import numpy" 2>/dev/null; } || missing="$missing python3-numpy"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
# npm install, not npm ci: npm records LanceDB's optional per-platform bindings only for the platform that
# wrote the lock file, and npm ci then refuses the lock; install honours the pinned versions all the same.
# The oracles' packages download while the grammar is checked and the solution builds (the one waits on the
# network, the other on the CPU); their log is shown once they are in, and a failure stops the run there.
oracles_log=$(mktemp)
( npm install --prefix tests/oracles --no-audit --no-fund --no-save \
  && npm install --prefix tests/oracles/vector --no-audit --no-fund --no-save ) >"$oracles_log" 2>&1 &
oracles=$!
npm ci --prefix grammar --no-audit --no-fund
bash grammar/generate.sh --check
dotnet build QueryLake.sln -c Release
if ! wait "$oracles"; then cat "$oracles_log"; echo "installing the oracles' npm packages failed" >&2; exit 1; fi
cat "$oracles_log"; rm -f "$oracles_log"
# The program that tests start hundreds of times (the CLI: the kill -9 matrix, crash
# recovery, the REPL) is also published
# ReadyToRun-compiled: one starts in 0.13 s instead of 0.45 s. Tests use such a copy only while it matches the build.
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
dotnet publish src/QueryLake.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -v quiet
# Every QueryLake error the tests raise is scanned for .NET text (tests/QueryLake.Tests/Support/ErrorTextScan.cs).
error_scan=$(mktemp)
QL_ERROR_SCAN="$error_scan" dotnet test QueryLake.sln -c Release --no-build
if [ -s "$error_scan" ]; then
  echo "errors that users would read carry .NET text:" >&2; cat "$error_scan" >&2; exit 1
fi
rm -f "$error_scan"
# The Slurm recipe for real: a job array of `querylake shard run` and a dependent commit (about 15 s; the daemons
# need root).
if [ "$(id -u)" = 0 ]; then bash tests/slurm/check.sh; else echo "tests/slurm/check.sh skipped: slurmd needs root"; fi
