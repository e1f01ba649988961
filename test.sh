#!/usr/bin/env bash
# Runs every test on a fresh machine: installs Debian's Chromium for the browser tests and PostgreSQL for the tests
# on both providers when they are missing, restores the local tools, checks that the EF Core model has its migration
# for each provider, then runs the one test project (which starts and removes a throwaway PostgreSQL cluster).
# The last line reads "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
    echo "Installing Debian's chromium for the browser tests..."
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null || {
        echo "Could not install chromium"; echo "0 passed, 1 failed"; exit 1; }
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${PORTAL_TEST_POSTGRES:-}" ]; then
    echo "Installing Debian's postgresql for the tests on PostgreSQL..."
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null || {
        echo "Could not install postgresql"; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet build Portal.sln -m:1 -nologo -v:q || { echo "Build failed"; echo "0 passed, 1 failed"; exit 1; }
# the benchmarks are outside the solution (BenchmarkDotNet wants Release): built here so that they cannot rot
dotnet build bench/Portal.Bench -m:1 -nologo -v:q || { echo "The benchmarks do not build"; echo "0 passed, 1 failed"; exit 1; }

if ! dotnet ef migrations has-pending-model-changes --project Portal.Core --startup-project Portal --no-build; then
    echo "The EF Core model has changes without a migration: run 'dotnet ef migrations add <Name> --project Portal.Core --startup-project Portal --output-dir Persistence/Migrations'"
    echo "0 passed, 1 failed"
    exit 1
fi
# PostgreSQL's migration set, in its own assembly; the check needs no server
if ! dotnet ef migrations has-pending-model-changes --project Portal.Postgres --startup-project Portal --no-build -- \
        --Database:Provider=Postgres "--ConnectionStrings:Portal=Host=127.0.0.1;Port=1;Username=x;Database=x"; then
    echo "The EF Core model has changes without a PostgreSQL migration: run 'dotnet ef migrations add <Name> --project Portal.Postgres --startup-project Portal --output-dir Migrations -- --Database:Provider=Postgres \"--ConnectionStrings:Portal=Host=127.0.0.1;Port=1;Username=x;Database=x\"'"
    echo "0 passed, 1 failed"
    exit 1
fi

# a test that hangs fails after 5 minutes instead of holding CI until its limit
out=$(dotnet test Portal.sln --no-build -nologo --blame-hang-timeout 5min --blame-hang-dump-type none 2>&1); rc=$?
echo "$out"
summary=$(echo "$out" | sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 passed, \1 failed, \3 skipped/p' | tail -n 1)
if [ -z "$summary" ]; then summary="0 passed, 1 failed"; [ $rc -eq 0 ] && rc=1; fi
echo "$summary"
exit $rc
